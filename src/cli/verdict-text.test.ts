/**
 * The verdict's words, through the whole of analysis/verdict.ts's decision: each rule's headline
 * and the details every verdict carries (analysis/verdict.test.ts checks the decisions alone).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatsJson } from '../contract/stats.js';
import { buildTimeline } from '../model/build-timeline.js';
import type { Timeline } from '../model/timeline.js';
import { accumulateWhole, computeStats, computeVerdict, statsOf as statsOfAccumulator, CONTENDED_WAIT_FRACTION, GIL_BOUND_WAIT_FRACTION, HELD_OFF_CPU_MIN_NS, LONG_CONTENDED_RUN_NS } from '../analysis/index.js';
import { holderSamplesKey } from '../model/holder-samples.js';
import { PythonStacks } from '../model/python-stacks.js';
import { ev, twoThreadsAlternating } from '../../test/support/timeline-event-builders.js';
import { CONTENDED_GIL, MS, NO_WAITS, statsFunction as fn, statsOf, statsThread as thread } from '../../test/support/stats-builders.js';
import { toVerdictText } from './verdict-text.js';

const META = { events: 0, warnings: [], processes: new Map() };

/** The verdict as the stats JSON and the terminal get it. */
function verdictOf(stats: StatsJson, timeline?: Timeline) {
  return toVerdictText(computeVerdict(stats, timeline));
}


describe('the verdict in words', () => {
  it('no processes, or a single GIL thread: no-threads', () => {
    assert.equal(verdictOf({ ...statsOf([]), processes: [] }).kind, 'no-threads');
    const single = verdictOf(statsOf([thread(1, 900 * MS), thread(2, 0, { acquisitions: 0, wait: NO_WAITS })]));
    assert.equal(single.kind, 'no-threads');
  });

  it('thresholds on the share of time spent waiting, at the boundaries', () => {
    const at = (fraction: number) => verdictOf(statsOf([thread(1, fraction * 1000 * MS), thread(2, fraction * 1000 * MS)]));
    assert.equal(at(GIL_BOUND_WAIT_FRACTION).kind, 'gil-bound');
    assert.equal(at(GIL_BOUND_WAIT_FRACTION - 0.001).kind, 'gil-contended');
    assert.equal(at(CONTENDED_WAIT_FRACTION).kind, 'gil-contended');
    assert.equal(at(CONTENDED_WAIT_FRACTION - 0.001).kind, 'not-gil-bound');
    const bound = at(0.49);
    assert.match(bound.headline, /^GIL-bound: threads spent 49\.0% of their active time waiting for the GIL; more threads will not help/);
    assert.match(at(0.003).headline, /^GIL is not the bottleneck: threads waited 0\.3% of their active time/);
  });

  it('threads that never used the GIL do not dilute the share', () => {
    const idle = thread(3, 0, { acquisitions: 0, wait: NO_WAITS });
    assert.equal(verdictOf(statsOf([thread(1, 200 * MS), thread(2, 200 * MS), idle, idle, idle])).kind, 'gil-bound');
  });

  it('idle time (asleep without the GIL: I/O, join) does not dilute it either: shares are of active time', () => {
    // two workers wait 40% of their lives; the main thread lives 10x longer, active 20 ms, joining the rest
    const main = thread(100, 1 * MS, { lifetime_ns: 10_000 * MS, active_ns: 20 * MS, tid: 100, name: 'MainThread' });
    const verdict = verdictOf(statsOf([main, thread(1, 400 * MS), thread(2, 400 * MS)]));
    assert.equal(verdict.kind, 'gil-bound');
    assert.match(verdict.headline, /^GIL-bound: threads spent 39\.7% of their active time/);
  });

  it('alike threads are one waiter: a pool of 60 request threads is named as a group, not as its worst member', () => {
    const requests = Array.from({ length: 60 }, (_, i) => thread(10 + i, 30 * MS, { name: `Thread-${10 + i} (process_request_thread)`, lifetime_ns: 100 * MS, active_ns: 100 * MS }));
    const scrapers = [1, 2, 3, 4].map((i) => thread(i, 450 * MS, { name: `scraper-${i}` }));
    const verdict = verdictOf(statsOf([...scrapers, ...requests]));
    assert.equal(verdict.kind, 'gil-bound');
    assert.deepEqual(verdict.details.slice(0, 2).map((d) => d.split(':')[0]), ['scraper-* (4 threads)', 'Thread-* (process_request_thread) (60 threads)']);
  });

  it('names the function that held the GIL while others waited', () => {
    const contended = CONTENDED_GIL;
    // an I/O call that ends holds voluntarily (no forced switch caught it) ranks below what the switch interval caught
    const io = fn('getaddrinfo', 700 * MS, { forced_drops: 0, forced_held_while_others_wait_ns: 0 });
    // (what the stacks name without a Python function: no file, no line)
    const functions = [io, fn('Parser.feed', 600 * MS), fn('<no Python frame>', 100 * MS, { file: '', line: 0 }), fn('log', 50 * MS)];
    const verdict = verdictOf(statsOf([thread(1, 400 * MS), thread(2, 400 * MS)], 0, { gil: contended, functions }));
    assert.match(verdict.headline, /, 75\.0% of it while Parser\.feed \(parse\.py:12\) held it; more threads will not help/);
    assert.ok(
      verdict.details.includes('Parser.feed (parse.py:12) held the GIL 600 ms while others waited (75.0% of the contended time, caught by 40 forced switches in 300 ms of it); called from scrape ← Thread.run'),
      verdict.details.join('\n'),
    );
    assert.ok(!verdict.details.some((d) => d.startsWith('<no Python frame>')), 'no special entries among the culprits');
    // a script's top level, a lambda, a comprehension: code of the program like any function
    const topLevel = verdictOf(statsOf([thread(1, 400 * MS), thread(2, 400 * MS)], 0, { gil: contended, functions: [fn('<module>', 600 * MS, { file: 'app.py', line: 1 }), fn('log', 50 * MS)] }));
    assert.match(topLevel.headline, /, 75\.0% of it while <module> \(app\.py:1\) held it; more threads will not help/);

    // one hold that ran 600 ms while others waited: no Python loop, that is C code keeping the GIL
    const stuck = [fn('load_catalog', 600 * MS, { longest_contended_run_ns: 600 * MS, forced_drops: 0, forced_held_while_others_wait_ns: 0 })];
    const long = verdictOf(statsOf([thread(1, 400 * MS), thread(2, 400 * MS)], 0, { gil: contended, functions: stuck }));
    assert.equal(long.kind, 'gil-held-long');
    assert.match(
      long.headline,
      /^load_catalog \(parse\.py:12\), called from scrape ← Thread\.run, kept the GIL for 600 ms in one go while its thread ran and others waited \(75\.0% of all GIL waiting was on it\): C code/,
    );
    // with holder samples' lines: the line that called the C code
    const lines = [{ line: 14, held_ns: 590 * MS, held_while_others_wait_ns: 590 * MS, text: 'catalog = json.load(f)' }];
    const atLine = verdictOf(statsOf([thread(1, 400 * MS), thread(2, 400 * MS)], 0, { gil: contended, functions: [{ ...stuck[0], lines }] }));
    assert.match(atLine.headline, /^load_catalog \(parse\.py:12\) at line 14 `catalog = json\.load\(f\)`, called from scrape ← Thread\.run, kept the GIL for 600 ms in one go/);
    const brief = [fn('load_catalog', 600 * MS, { longest_contended_run_ns: LONG_CONTENDED_RUN_NS - 1 })];
    assert.equal(verdictOf(statsOf([thread(1, 400 * MS), thread(2, 400 * MS)], 0, { gil: contended, functions: brief })).kind, 'gil-bound');
  });

  it('says the lines a function held the GIL at, when holder samples read them', () => {
    const lines = [
      { line: 18, held_ns: 400 * MS, held_while_others_wait_ns: 390 * MS },
      { line: 19, held_ns: 150 * MS, held_while_others_wait_ns: 150 * MS },
      { line: 11, held_ns: 2 * MS, held_while_others_wait_ns: 2 * MS },
    ];
    const functions = [fn('Parser.feed', 600 * MS, { lines })];
    const verdict = verdictOf(statsOf([thread(1, 400 * MS), thread(2, 400 * MS)], 0, { gil: CONTENDED_GIL, functions }));
    assert.match(verdict.headline, /, 75\.0% of it while Parser\.feed \(parse\.py:12\) held it at line 18; more threads/);
    // each line's share of the function's time held while others waited; under 0.5 % left out
    assert.ok(verdict.details.some((d) => d.startsWith('Parser.feed (parse.py:12) held the GIL 600 ms') && d.endsWith('; by line 18 (65.0%), 19 (25.0%)')), verdict.details.join('\n'));
    // and how many holder samples those shares rest on
    const counted = verdictOf(statsOf([thread(1, 400 * MS), thread(2, 400 * MS)], 0, { gil: CONTENDED_GIL, functions: [fn('Parser.feed', 600 * MS, { lines, held_samples: 8 })] }));
    assert.ok(counted.details.some((d) => d.endsWith('; by line 18 (65.0%), 19 (25.0%) (8 holder samples)')), counted.details.join('\n'));
    // the line is named only when its samples leave no doubt it holds most: 65 % of 8 samples may be 31 %
    const few = verdictOf(statsOf([thread(1, 400 * MS), thread(2, 400 * MS)], 0, { gil: CONTENDED_GIL, functions: [fn('Parser.feed', 600 * MS, { lines, held_samples: 8 })] }));
    assert.match(few.headline, /Parser\.feed \(parse\.py:12\) held it; more/);
    const many = verdictOf(statsOf([thread(1, 400 * MS), thread(2, 400 * MS)], 0, { gil: CONTENDED_GIL, functions: [fn('Parser.feed', 600 * MS, { lines, held_samples: 200 })] }));
    assert.match(many.headline, /Parser\.feed \(parse\.py:12\) held it at line 18; more/);
    // no line holds most of it: the headline names the function only
    const spread = [fn('Parser.feed', 600 * MS, { lines: [{ line: 18, held_ns: 200 * MS, held_while_others_wait_ns: 200 * MS }, { line: 19, held_ns: 200 * MS, held_while_others_wait_ns: 200 * MS }] })];
    assert.match(verdictOf(statsOf([thread(1, 400 * MS), thread(2, 400 * MS)], 0, { gil: CONTENDED_GIL, functions: spread })).headline, /Parser\.feed \(parse\.py:12\) held it; more/);
  });

  it('GIL held off-CPU wins when long enough and someone waited', () => {
    const holder = thread(1, 0, { held_off_cpu_ns: 300 * MS, name: 'reader' });
    const verdict = verdictOf(statsOf([holder, thread(2, 400 * MS)]));
    assert.equal(verdict.kind, 'gil-held-off-cpu');
    assert.match(verdict.headline, /^reader \(tid 1\) held the GIL for 300 ms while off-CPU \(sleeping, blocked or preempted; 30\.0% of the run\)/);
    // Below the absolute minimum: not this verdict.
    const short = thread(1, 0, { held_off_cpu_ns: HELD_OFF_CPU_MIN_NS - 1 });
    assert.equal(verdictOf(statsOf([short, thread(2, 400 * MS)])).kind, 'gil-bound');
    // Nobody waited: harmless.
    const alone = thread(1, 0, { held_off_cpu_ns: 300 * MS });
    assert.equal(verdictOf(statsOf([alone, thread(2, 0)])).kind, 'not-gil-bound');
  });

  /** 101 holds the GIL from 11 and goes off-CPU (`how`) at 20 for 300 ms; 102 waits from `asksAt` (30: all along). */
  function offCpuHolder(how: 'sleeping' | 'runnable', asksAt = 30) {
    const back = how === 'sleeping' ? [ev.wake(20 + 300 * MS, 101), ev.sw(21 + 300 * MS, 0, 'runnable', 101, 0)] : [ev.sw(21 + 300 * MS, 7, 'sleeping', 101, 0)];
    const events = [
      ev.start(0, 101),
      ev.start(0, 102),
      ev.sw(1, 0, 'runnable', 101, 0),
      ev.sw(2, 0, 'runnable', 102, 1),
      ev.enter(10, 101),
      ev.ret(11, 101),
      ev.sw(20, 101, how, how === 'sleeping' ? 0 : 7, 0), // sleeping: e.g. C code calling sleep() holding the GIL
      ev.enter(asksAt, 102),
      ev.sw(asksAt + 1, 102, 'sleeping', 0, 1),
      ...back,
      ev.drop(22 + 300 * MS, 101, 'voluntary'),
      ev.wake(23 + 300 * MS, 102),
      ev.sw(24 + 300 * MS, 0, 'runnable', 102, 1),
      ev.ret(25 + 300 * MS, 102),
      ev.drop(26 + 300 * MS, 102, 'voluntary'),
      ev.exit(27 + 300 * MS, 101),
      ev.exit(28 + 300 * MS, 102),
    ];
    const timeline = buildTimeline(events);
    return { timeline, stats: computeStats(timeline, META) };
  }

  it('end to end: a thread sleeping 300 ms with the GIL while another waits', () => {
    const { timeline, stats } = offCpuHolder('sleeping');
    assert.equal(stats.processes[0].threads[0].held_off_cpu_ns, 300 * MS + 1);
    const verdict = verdictOf(stats, timeline);
    assert.equal(verdict.kind, 'gil-held-off-cpu');
    assert.equal(
      verdict.headline,
      'thread 101 (tid 101) held the GIL for 300 ms while sleeping or blocked (longest 300 ms); other threads waited for it ' +
        'during 300 ms of that: C code that sleeps or does I/O should release the GIL (Py_BEGIN_ALLOW_THREADS)',
    );
    // Without the timeline the stats alone still flag it, in neutral words.
    assert.equal(verdictOf(stats).kind, 'gil-held-off-cpu');
  });

  it('end to end: holder samples taken while it slept holding say where: the function and the line', () => {
    const { timeline } = offCpuHolder('sleeping');
    const stacks = new PythonStacks();
    const work = stacks.intern('work', '/app/work.py', 20, ['run']);
    stacks.sourceLine(work, 23, 'usleep(1000)');
    const spin = stacks.intern('spin', '/app/work.py', 40, ['run']);
    // 101 held from 11 and slept from 20 to 300 ms: 30 samples of work() line 23 while it slept,
    // and more (40) of spin() line 41 taken before, on a CPU: spin() held it longer, work() slept
    const period = 10 * MS;
    const times = [...Array.from({ length: 40 }, (_, k) => 12 + k * 0.1), ...Array.from({ length: 30 }, (_, k) => 25 * MS + k * period)];
    const samples = {
      times: Float64Array.from(times),
      stacks: Int32Array.from(times, (_, k) => (k < 40 ? spin : work)),
      weights: Float64Array.from(times, () => period),
      lines: Int32Array.from(times, (_, k) => (k < 40 ? 41 : 23)),
    };
    const holderSamples = { hz: 100, threads: new Map([[holderSamplesKey(timeline.processes[0].pid, 101), samples]]), count: times.length, ticked: { from: 0, to: 400 * MS } };
    const withStacks = { ...timeline, functions: stacks.functions, stacks: stacks.stacks };
    const accumulator = accumulateWhole(withStacks, { holderSamples });
    const verdict = toVerdictText(computeVerdict(statsOfAccumulator(accumulator, META), accumulator.facts()));
    assert.equal(verdict.kind, 'gil-held-off-cpu');
    assert.match(verdict.headline, /^thread 101 \(tid 101\) held the GIL for 300 ms while sleeping or blocked \(longest 300 ms\), in work \(work\.py:20\) at line 23 `usleep\(1000\)`; other threads/);
  });

  it('end to end: preempted while holding is a detail, not the off-CPU verdict (with the timeline)', () => {
    const { timeline, stats } = offCpuHolder('runnable');
    assert.equal(stats.processes[0].threads[0].held_off_cpu_ns, 300 * MS + 1);
    const verdict = verdictOf(stats, timeline);
    assert.equal(verdict.kind, 'gil-bound');
    assert.ok(
      verdict.details.includes(
        'thread 101 (tid 101) was preempted while holding the GIL for 300 ms: more runnable threads than CPUs (other processes?) stall every thread waiting for the GIL',
      ),
      verdict.details.join('\n'),
    );
    // asked for 100 of the 300 ms: said so
    const partly = offCpuHolder('runnable', 200 * MS);
    assert.ok(verdictOf(partly.stats, partly.timeline).details.some((d) => d.includes('tid 101) was preempted while holding the GIL for 300 ms, 100 ms of it while other threads waited:')));
    // preempted holding a GIL nobody else asked for meanwhile (a subinterpreter's own): no stall to speak of
    const alone = buildTimeline([ev.start(0, 101), ev.sw(1, 0, 'runnable', 101, 0), ev.enter(10, 101), ev.ret(11, 101), ev.sw(20, 101, 'runnable', 7, 0), ev.sw(21 + 300 * MS, 7, 'sleeping', 101, 0), ev.drop(22 + 300 * MS, 101, 'voluntary'), ev.exit(27 + 300 * MS, 101)]);
    assert.ok(!verdictOf(computeStats(alone, META), alone).details.some((d) => d.includes('preempted')));
  });

  it('details carry numbers; lost events are mentioned', () => {
    const verdict = verdictOf(computeStats(buildTimeline(twoThreadsAlternating()), { events: 0, warnings: [], processes: new Map() }));
    assert.equal(verdict.kind, 'gil-bound');
    assert.ok(verdict.details.some((d) => /3 GIL hand-offs between threads: median 3 ns, p99 5 ns, max 5 ns/.test(d)), verdict.details.join('\n'));
    assert.ok(verdict.details.some((d) => /2 forced drops .* and 2 voluntary/.test(d)));
    assert.match(verdictOf(statsOf([thread(1, 0), thread(2, 0)], 7)).details.at(-1)!, /lost 7 events/);
    const blind = computeStats(buildTimeline([ev.enter(0, 101), ev.ret(1, 101), ev.enter(2, 102), ev.drop(3, 101), ev.ret(4, 102)]), META);
    const blindDetails = verdictOf(blind).details;
    assert.ok(blindDetails.includes('2 threads had no scheduler events: their CPU states are unknown (counted as running)'), blindDetails.join('\n'));
    assert.ok(!blindDetails.some((d) => /did not fit/.test(d)), 'thread counts are not misfit events');
  });

  it('a GIL-bound headline names the thread that waited most when the average dilutes it', () => {
    const verdict = verdictOf(statsOf([thread(1, 600 * MS), thread(2, 100 * MS)]));
    assert.match(verdict.headline, /^GIL-bound: threads spent 35\.0% of their active time waiting for the GIL \(reader \(tid 1\): 60\.0%\); more threads/);
  });

  it('with the timeline and the CPU count: what the run would take without the GIL', () => {
    const timeline = buildTimeline(twoThreadsAlternating());
    const stats = computeStats(timeline, { ...META, cpus: 2 });
    const verdict = verdictOf(stats, timeline);
    const estimate = verdict.details.find((d) => d.startsWith('Without the GIL'));
    assert.ok(estimate, verdict.details.join('\n'));
    assert.match(estimate, /^Without the GIL, process 100 would take about [\d.]+ (ns|µs) instead of 4\.10 µs on 2 CPUs/);
    assert.ok(!verdictOf(stats).details.some((d) => d.startsWith('Without the GIL')), 'not without the timeline');
  });

  it('what limits threads the GIL does not bind: C code running without it, or where they slept, by the run\'s split', () => {
    // the zlib thread ran 800 ms after line 4 released the GIL; an idle pool worker slept 900 ms in its queue's get
    const compress = fn('compress', 0, { released_ns: 800 * MS, released_asleep_ns: 0, released_lines: [{ line: 4, released_ns: 800 * MS, released_asleep_ns: 0, text: 'zlib.compress(DATA)' }] });
    // the line's paths: most of the sleep came from the pool's queue, a little from a thread start (the function's own stacks say scrape)
    const paths = [
      { callers: ['Thread.start', '<module>'], released_ns: 10 * MS, released_asleep_ns: 10 * MS },
      { callers: ['Queue.get', 'worker'], released_ns: 890 * MS, released_asleep_ns: 890 * MS },
    ];
    const worker = fn('_worker', 0, { released_ns: 900 * MS, released_asleep_ns: 900 * MS, released_lines: [{ line: 81, released_ns: 900 * MS, released_asleep_ns: 900 * MS, paths }] });
    // (the process lasts 1 s: statsOf)
    const split = (held_ns: number, free_ns: number, idle_ns: number) =>
      verdictOf(statsOf([thread(1, 10 * MS), thread(2, 10 * MS)], 0, { functions: [compress, worker], time_split: { held_ns, free_ns, idle_ns } }));
    const busy = split(150 * MS, 800 * MS, 50 * MS);
    assert.equal(busy.kind, 'not-gil-bound');
    assert.match(busy.headline, /look elsewhere: C code ran without the GIL 80\.0% of the run, most after compress \(parse\.py:12\) let it go at line 4 `zlib\.compress\(DATA\)`$/);
    assert.ok(busy.details.includes("Of pid 100's run, a thread held the GIL 15.0%, C code ran with nobody holding it 80.0%, every thread slept 5.0%"), busy.details.join('\n'));
    assert.ok(busy.details.includes('900 ms asleep without the GIL (100.0% of the threads\' such time) came after _worker (parse.py:12) let it go at line 81, called from Queue.get ← worker'), busy.details.join('\n'));
    assert.ok(busy.details.includes('800 ms running without the GIL (100.0% of the threads\' such time) came after compress (parse.py:12) let it go at line 4 `zlib.compress(DATA)`, called from scrape ← Thread.run'), busy.details.join('\n'));
    // a lambda that hashes is where C code ran as much (its file and line are the program's)
    const lambda = fn('<lambda>', 0, { file: 'app.py', line: 3, released_ns: 800 * MS, released_asleep_ns: 0, released_lines: [{ line: 3, released_ns: 800 * MS, released_asleep_ns: 0 }] });
    const byLambda = verdictOf(statsOf([thread(1, 10 * MS), thread(2, 10 * MS)], 0, { functions: [lambda, worker], time_split: { held_ns: 150 * MS, free_ns: 800 * MS, idle_ns: 50 * MS } }));
    assert.match(byLambda.headline, /look elsewhere: C code ran without the GIL 80\.0% of the run, most after <lambda> \(app\.py:3\) let it go at line 3$/);
    // with the time the GIL changed hands, the detail says it too
    const withHandover = verdictOf(statsOf([thread(1, 10 * MS), thread(2, 10 * MS)], 0, { functions: [compress, worker], time_split: { held_ns: 150 * MS, free_ns: 700 * MS, idle_ns: 50 * MS, handover_ns: 100 * MS } }));
    assert.ok(withHandover.details.includes("Of pid 100's run, a thread held the GIL 15.0%, C code ran with nobody holding it 70.0%, every thread slept 5.0%, it changed hands 10.0% (nobody held it while threads were on their way to it or to a CPU)"), withHandover.details.join('\n'));
    // every thread asleep most of the run: where they slept
    assert.match(split(100 * MS, 300 * MS, 600 * MS).headline, /look elsewhere: they slept most after _worker \(parse\.py:12\) let the GIL go at line 81$/);
    // neither half the run: nothing stands out
    assert.match(split(400 * MS, 300 * MS, 300 * MS).headline, /look elsewhere \(I\/O, locks\)$/);
  });

  it('a line waits came after says the call path most of them came by, unless it is only a thread\'s start', () => {
    const waitsAt = (callers: string[]) =>
      fn('Condition.wait', 0, { file: 'threading.py', line: 323, wait_ns: 300 * MS, wait_lines: [{ line: 355, wait_ns: 300 * MS, waits: 400, text: 'waiter.acquire()', paths: [{ callers, wait_ns: 290 * MS, waits: 390 }] }] });
    const said = (callers: string[]) =>
      verdictOf(statsOf([thread(1, 400 * MS), thread(2, 400 * MS)], 0, { gil: CONTENDED_GIL, functions: [waitsAt(callers)] })).details.find((d) => d.includes('of waiting ('));
    assert.equal(said(['Event.wait', 'Thread.start', 'main']), '300 ms of waiting (37.5% of all, 400 waits) came after Condition.wait (threading.py:323) let the GIL go at line 355 `waiter.acquire()`, called from Event.wait ← Thread.start ← main');
    assert.match(said(['Thread.run', 'Thread._bootstrap_inner'])!, /let the GIL go at line 355 `waiter\.acquire\(\)`$/);
  });

  it('tracing that cost a quarter of the run or more is said first: every number after leans toward waiting', () => {
    const stats = statsOf([thread(1, 400 * MS), thread(2, 400 * MS)]);
    const costing = (added: number) => ({ ...stats, processes: [{ ...stats.processes[0], tracing_cost: { ns_per_gil_cycle: 16_800, gil_cycles: 1000, added_ns: added } }] });
    assert.equal(
      verdictOf(costing(250 * MS)).details[0],
      "Tracing itself added about 250 ms to pid 100's run (25.0%: 1000 GIL cycles × 16.8 µs): it ran slower than untraced and its waits look longer than they are; sampled (--sample), it is measured at a small cost",
    );
    assert.ok(!verdictOf(costing(249 * MS)).details.some((d) => d.startsWith('Tracing itself')));
  });

  it('scheduler gaps are told apart from GIL state machine misfits', () => {
    const stats = statsOf([thread(1, 0), thread(2, 0)]);
    const withAnomalies = { ...stats, processes: [{ ...stats.processes[0], anomalies: { gil_event_off_cpu: 3, switch_mismatch: 2, second_holder: 1 } }] };
    const details = verdictOf(withAnomalies).details;
    assert.ok(details.includes('1 event did not fit the GIL state machine (see anomalies)'), details.join('\n'));
    assert.ok(details.some((d) => /^5 scheduler events were missing or out of step/.test(d)), details.join('\n'));
    const one = verdictOf({ ...stats, processes: [{ ...stats.processes[0], anomalies: { gil_event_off_cpu: 1 } }] }).details;
    // daemon threads ended inside take_gil at shutdown: CPython's way, not a misfit
    const daemons = verdictOf({ ...stats, processes: [{ ...stats.processes[0], anomalies: { exit_while_waiting: 2 } }] }).details;
    assert.ok(!daemons.some((d) => /did not fit/.test(d)), daemons.join('\n'));
    assert.ok(one.includes('1 scheduler event was missing or out of step (see anomalies): CPU states next to it are inferred from GIL probe hits'), one.join('\n'));
    // misfits right after lost events are the losses', said as such (not as the state machine's)
    const resynced = verdictOf({ ...stats, processes: [{ ...stats.processes[0], anomalies: { lost_events_resync: 465, second_holder: 1 } }] }).details;
    assert.ok(resynced.includes('1 event did not fit the GIL state machine (see anomalies)'), resynced.join('\n'));
    assert.ok(resynced.includes('465 events right after lost ones did not fit what came before (the losses explain them)'), resynced.join('\n'));
  });
});
