/**
 * The verdict's decisions: which rule wins and on which facts, for measured and inferred waits
 * alike (the words are cli/verdict-text.test.ts's).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONTENDED_GIL, MS, NO_WAITS, statsFunction as fn, statsOf, statsThread as thread } from '../../test/support/stats-builders.js';
import { computeVerdict, type MeasuredVerdict, type Verdict } from './verdict.js';
import { CONTENDED_WAIT_FRACTION, GIL_BOUND_WAIT_FRACTION, LONG_CONTENDED_RUN_NS } from './verdict-facts.js';

function measured(verdict: Verdict): MeasuredVerdict {
  assert.equal(verdict.waits, 'measured');
  return verdict as MeasuredVerdict;
}

describe('computeVerdict decides', () => {
  it('no-threads, telling no GIL process from a single GIL thread', () => {
    assert.equal(measured(computeVerdict({ ...statsOf([]), processes: [] })).reason.rule, 'no-gil-process');
    const single = measured(computeVerdict(statsOf([thread(1, 900 * MS), thread(2, 0, { acquisitions: 0, wait: NO_WAITS })])));
    assert.deepEqual([single.kind, single.reason.rule], ['no-threads', 'one-gil-thread']);
  });

  it('on the share of active time spent waiting, at the thresholds', () => {
    const at = (fraction: number) => computeVerdict(statsOf([thread(1, fraction * 1000 * MS), thread(2, fraction * 1000 * MS)])).kind;
    assert.equal(at(GIL_BOUND_WAIT_FRACTION), 'gil-bound');
    assert.equal(at(GIL_BOUND_WAIT_FRACTION - 0.001), 'gil-contended');
    assert.equal(at(CONTENDED_WAIT_FRACTION), 'gil-contended');
    assert.equal(at(CONTENDED_WAIT_FRACTION - 0.001), 'not-gil-bound');
  });

  it('names a standout waiter only for gil-bound, and only when the average dilutes it', () => {
    const diluted = measured(computeVerdict(statsOf([thread(1, 600 * MS), thread(2, 100 * MS)])));
    assert.equal(diluted.reason.rule === 'wait-share' && diluted.reason.standout?.tid, 1);
    const even = measured(computeVerdict(statsOf([thread(1, 400 * MS), thread(2, 400 * MS)])));
    assert.equal(even.reason.rule === 'wait-share' && even.reason.standout, undefined);
  });

  it('who held the GIL: the top function, or a file whose functions held 1.5 times as much together', () => {
    const heldBy = (functions: ReturnType<typeof fn>[]) => {
      const v = measured(computeVerdict(statsOf([thread(1, 400 * MS), thread(2, 400 * MS)], 0, { gil: CONTENDED_GIL, functions })));
      return v.reason.rule === 'wait-share' ? v.reason.heldBy : undefined;
    };
    const one = heldBy([fn('Parser.feed', 600 * MS), fn('log', 50 * MS, { file: '/srv/app/log.py' })]);
    assert.equal(one?.by === 'function' && one.culprit.fn.name, 'Parser.feed');
    const spread = heldBy([fn('a', 200 * MS), fn('b', 200 * MS), fn('c', 200 * MS)]);
    assert.deepEqual(spread?.by === 'file' && [spread.file, spread.functions.length], ['/srv/app/parse.py', 3]);
    assert.equal(heldBy([]), undefined);
  });

  it('a long contended run beats the wait share; a short one does not', () => {
    const run = (longest: number) =>
      measured(computeVerdict(statsOf([thread(1, 400 * MS), thread(2, 400 * MS)], 0, {
        gil: CONTENDED_GIL,
        functions: [fn('load_catalog', 600 * MS, { longest_contended_run_ns: longest })],
      })));
    const long = run(600 * MS);
    assert.equal(long.kind, 'gil-held-long');
    assert.equal(long.reason.rule === 'held-long' && long.reason.culprit.fn.name, 'load_catalog');
    assert.equal(run(LONG_CONTENDED_RUN_NS - 1).kind, 'gil-bound');
  });

  it('where waits began: lines with a tenth of all waiting or more', () => {
    const waiter = fn('poll', 0, {
      wait_ns: 300 * MS,
      wait_lines: [
        { line: 30, wait_ns: 200 * MS, waits: 20 },
        { line: 31, wait_ns: 60 * MS, waits: 6 },
        { line: 32, wait_ns: 40 * MS, waits: 4 },
      ],
    });
    const v = measured(computeVerdict(statsOf([thread(1, 400 * MS), thread(2, 400 * MS)], 0, { gil: CONTENDED_GIL, functions: [waiter] })));
    // of the threads' 800 ms of waiting: 25 %, 7.5 %, 5 %
    assert.deepEqual(v.facts.waitSites.map((w) => [w.line.line, w.shareOfWaits]), [[30, 0.25]]);
  });

  it('where threads slept without the GIL: only when it fills a fifth of their lives, joins left out', () => {
    const sites = (asleep: number, functions: ReturnType<typeof fn>[] = []) => {
      const worker = fn('worker', 0, { released_ns: asleep, released_asleep_ns: asleep, released_lines: [{ line: 21, released_ns: asleep, released_asleep_ns: asleep * 0.8 }, { line: 23, released_ns: asleep, released_asleep_ns: asleep * 0.2 }] });
      return measured(computeVerdict(statsOf([thread(1, 10 * MS), thread(2, 10 * MS)], 0, { functions: [worker, ...functions] }))).facts.sleepSites;
    };
    // two threads of 1 s each: 400 ms asleep is a fifth of their lives
    assert.deepEqual(sites(400 * MS).map((s) => [s.line?.line, s.share]), [[21, 0.8], [23, 0.2]]);
    assert.deepEqual(sites(399 * MS), [], 'less: nothing named (threads that compute without the GIL)');
    const join = fn('Thread.join', 0, { file: '/usr/lib/python3.13/threading.py', released_ns: 5000 * MS, released_asleep_ns: 5000 * MS });
    assert.deepEqual(sites(400 * MS, [join]).map((s) => s.line?.line), [21, 23], 'a join sleeps the whole run: left out of the shares too');
    const poll = fn('poll', 0, { released_ns: 400 * MS, released_asleep_ns: 400 * MS });
    assert.deepEqual(sites(400 * MS, [poll]).map((s) => [s.fn.name, s.line?.line, s.share]), [['poll', undefined, 0.5], ['worker', 21, 0.4]], 'a function without lines is named whole');
  });

  it('where threads ran without the GIL: what of the released time they did not sleep, alike', () => {
    const sites = (awake: number) => {
      const hasher = fn('hasher', 0, { released_ns: awake + 100 * MS, released_asleep_ns: 100 * MS, released_lines: [{ line: 8, released_ns: awake, released_asleep_ns: 0 }, { line: 9, released_ns: 100 * MS, released_asleep_ns: 100 * MS }] });
      const v = measured(computeVerdict(statsOf([thread(1, 10 * MS), thread(2, 10 * MS)], 0, { functions: [hasher] })));
      return [v.facts.freeSites.map((s) => [s.line?.line, s.share]), v.facts.sleepSites.map((s) => s.line?.line)];
    };
    assert.deepEqual(sites(400 * MS), [[[8, 1]], []], 'the line it slept after is no running site, and 100 ms asleep is too little to name');
    assert.deepEqual(sites(399 * MS), [[], []], 'less than a fifth of the lives: nothing named');
  });

  it('off-CPU holds from the stats alone when there is no timeline', () => {
    const v = measured(computeVerdict(statsOf([thread(1, 0, { held_off_cpu_ns: 300 * MS }), thread(2, 400 * MS)])));
    assert.equal(v.kind, 'gil-held-off-cpu');
    assert.equal(v.reason.rule === 'held-off-cpu' && v.reason.thread.tid, 1);
  });

  it('the no-GIL estimate only with the timeline and the CPU count (see cli/verdict-text.test.ts)', () => {
    assert.equal(measured(computeVerdict(statsOf([thread(1, 400 * MS), thread(2, 400 * MS)]))).withoutGil, undefined);
  });
});

describe('computeVerdict on a scheduler-only recording (inferred waits)', () => {
  const inferred = (wait: number, lifetime = 1000 * MS, tid = 1) =>
    thread(tid, wait, { lifetime_ns: lifetime, held_ns: 0, acquisitions: 0, wait: { ...NO_WAITS, count: wait > 0 ? 3 : 0, max_ns: wait / 3 } });

  it('applies the same thresholds, to the waiting threads\' lifetimes', () => {
    const kind = (fraction: number) => computeVerdict(statsOf([inferred(fraction * 1000 * MS)]), undefined, 'scheduler-only').kind;
    assert.equal(kind(GIL_BOUND_WAIT_FRACTION), 'gil-bound');
    assert.equal(kind(GIL_BOUND_WAIT_FRACTION - 0.001), 'gil-contended');
    assert.equal(kind(CONTENDED_WAIT_FRACTION), 'gil-contended');
    assert.equal(kind(CONTENDED_WAIT_FRACTION - 0.001), 'not-gil-bound');
  });

  it('threads never seen waiting neither count nor dilute; none at all is not-gil-bound', () => {
    const v = computeVerdict(statsOf([inferred(300 * MS), inferred(0, 9000 * MS, 2)]), undefined, 'scheduler-only');
    assert.equal(v.waits, 'inferred');
    assert.deepEqual(v.waits === 'inferred' && [v.kind, v.facts.waiters, v.facts.waitShare], ['gil-bound', 1, 0.3]);
    const none = computeVerdict(statsOf([inferred(0)]), undefined, 'scheduler-only');
    assert.deepEqual(none.waits === 'inferred' && [none.kind, none.facts.waiters], ['not-gil-bound', 0]);
  });
});
