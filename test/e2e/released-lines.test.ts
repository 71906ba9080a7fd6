/**
 * Where threads slept without the GIL, recorded for real: lock_sleep.py's four workers take turns
 * holding a lock while they sleep, so they wait for the lock, not the GIL, and time both lines
 * themselves. Each stretch without the GIL is charged to the line whose drop began it: the lock's
 * and the sleep's lines must carry what the program timed, and the verdict (not GIL-bound) must
 * point at the lock's line rather than leave the user to "look elsewhere" or call the GIL "not the
 * main limit" without saying what is. And the other way round: hash_beside_idle.py's hashing
 * thread computes without the GIL while another idles in a queue's get as long: the verdict must
 * point at the hash line, with the share of the run the program timed.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeRecordingStats } from '../../src/cli/analyze-recording.js';
import { PROGRAMS, giltrace, leftoverProbes, pyenvPython, scratchDir, tracedProcess } from './giltrace-cli.js';

const dir = scratchDir();
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * co_name (3.8: the join machinery named without its class) and co_qualname with prev_instr
 * (3.12); and sampled: the sampler reads where a thread without the GIL is when it sees it asleep
 * again after it was switched (a lock, then a sleep), or once, not knowing yet.
 */
const runs: { label: string; python: string | undefined; sampled?: boolean }[] = [
  { label: 'pyenv 3.8', python: pyenvPython('3.8') },
  { label: 'pyenv 3.12', python: pyenvPython('3.12') },
  { label: 'pyenv 3.12, sampled', python: pyenvPython('3.12'), sampled: true },
];

for (const { label, python, sampled } of runs) {
  test(`root, ${label}: time without the GIL is told at the lines that let it go, and the verdict points at the lock`, { skip: !python && `${label} not here` }, () => {
    const data = join(dir, `released-${label.replace(/\W+/g, '_')}.data`);
    const record = giltrace(['record', ...(sampled ? ['--sample'] : []), '-o', data, '--', python!, join(PROGRAMS, 'lock_sleep.py')]);
    assert.equal(record.code, 0, record.stderr);
    assert.deepEqual(leftoverProbes(), []);
    const truth = JSON.parse(record.stdout.trim().split('\n').pop()!) as { acquire_line: number; sleep_line: number; acquire: number; sleep: number };

    const { stats } = analyzeRecordingStats(data);
    const worker = tracedProcess(stats).functions?.find((f) => f.name === 'worker');
    assert.ok(worker?.released_lines, `worker() has released lines: ${JSON.stringify(worker)}`);
    const at = (line: number) => worker.released_lines!.find((l) => l.line === line);
    const acquire = at(truth.acquire_line);
    const sleep = at(truth.sleep_line);
    assert.ok(acquire && sleep, JSON.stringify(worker.released_lines));
    // the program's own timing of each line (s), and asleep: blocked on the lock, in the sleep
    // (sampled: the moves between ticks are placed halfway, and a thread first seen without the GIL is placed from its second look)
    const slack = sampled ? 0.15 : 0.1;
    const near = (ns: number, s: number, what: string) => assert.ok(Math.abs(ns / 1e9 - s) <= slack * s + 0.02, `${what}: ${(ns / 1e9).toFixed(3)} s, timed ${s.toFixed(3)} s`);
    near(acquire.released_ns, truth.acquire, 'without the GIL at the lock');
    near(sleep.released_ns, truth.sleep, 'without the GIL at the sleep');
    assert.ok(acquire.released_asleep_ns >= 0.9 * acquire.released_ns, 'blocked on the lock: asleep');
    assert.equal(acquire.text, 'lock.acquire()');

    // (its active time is short: the little it waits for the GIL may count as contended)
    assert.ok(['not-gil-bound', 'gil-contended'].includes(stats.verdict!.kind), stats.verdict!.kind);
    assert.match(stats.verdict!.headline, new RegExp(`they slept most after worker \\(lock_sleep\\.py:\\d+\\) let the GIL go at line ${truth.acquire_line} \`lock\\.acquire\\(\\)\``));
    assert.ok(!stats.verdict!.details.some((d) => /asleep without the GIL .* (Thread\.)?(join|_wait_for_tstate_lock)/.test(d)), 'the main thread joining is not named');
  });
}

// (not sampled: a hashing thread that holds the GIL µs at a time may never be seen using it, and
// the idle one neither: "only one thread used the GIL", 1 sampled run in 4)
for (const { label, python } of runs.filter((run) => !run.sampled)) {
  test(`root, ${label}: C code that ran without the GIL is what the verdict points at, not where an idle thread slept`, { skip: !python && `${label} not here` }, () => {
    const data = join(dir, `free-${label.replace(/\W+/g, '_')}.data`);
    const record = giltrace(['record', '-o', data, '--', python!, join(PROGRAMS, 'hash_beside_idle.py')]);
    assert.equal(record.code, 0, record.stderr);
    const truth = JSON.parse(record.stdout.trim().split('\n').pop()!) as { hash_line: number; hashing: number };
    const { stats } = analyzeRecordingStats(data);
    const process = tracedProcess(stats);
    const verdict = stats.verdict!;
    assert.equal(verdict.kind, 'not-gil-bound');
    const said = new RegExp(`look elsewhere: C code ran without the GIL ([\\d.]+)% of the run, most after work \\(hash_beside_idle\\.py:\\d+\\) let it go at line ${truth.hash_line} \`hashlib\\.sha256\\(DATA\\)\\.digest\\(\\)\`$`);
    const share = Number(said.exec(verdict.headline)?.[1]) / 100;
    // the program's own timing of its hashing, over the process's life
    const timed = truth.hashing / (process.duration_ns / 1e9);
    assert.ok(Math.abs(share - timed) <= 0.1, `${verdict.headline}: timed ${(100 * timed).toFixed(1)}%`);
    // the JSON's split is the headline's
    const split = process.time_split!;
    assert.equal((100 * split.free_ns / process.duration_ns).toFixed(1), (100 * share).toFixed(1));
    assert.ok(split.held_ns + split.free_ns + split.idle_ns <= process.duration_ns, JSON.stringify(split));
    // where the idle thread slept is a detail
    // where the idle thread slept is a detail, by the call path the sleep came by (the queue's get
    // in idle(), not the thread starts' Event.wait that reach the same line more often)
    assert.ok(verdict.details.some((d) => /asleep without the GIL .* came after (Condition\.)?wait \(threading\.py:\d+\) .*, called from (Queue\.)?get ← idle$/.test(d)), verdict.details.join('\n'));
    assert.ok(!verdict.details.some((d) => /of waiting \(/.test(d)), 'no waits worth naming');
  });
}
