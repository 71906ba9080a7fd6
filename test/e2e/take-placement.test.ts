/**
 * Takes placed from the other events (giltrace's default: take_gil's return is not probed) against
 * the return probe, on the same real recordings: each is recorded with `--exact-takes`, then read
 * twice, once with the probed returns and once with them ignored and every take placed
 * (model/take-placement.ts). Per thread, waits and holds must agree within 5 % of the wait, +1 ms,
 * +3 µs a take, + the time it was preempted: the probed return is itself ~2 µs late (its own trap),
 * so placed waits come out a little shorter, and a thread preempted inside take_gil returns late.
 * Programs whose truth is known: two CPU-bound threads at the default switch interval, four at a
 * 1 ms interval (many hand-offs among several waiters), and a thread that holds the GIL asleep
 * in usleep (ctypes.PyDLL) while another waits, and a thread pool passing bytes through a
 * socket (threads asking for a free GIL µs apart), and daemon threads that spin as the interpreter
 * shuts down (ended inside take_gil, without the GIL). Also: a default recording has no return probe
 * and says its takes were placed.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeRecordingStats } from '../../src/cli/analyze-recording.js';
import { openPerfData } from '../../src/perfdata/index.js';
import type { StatsJson } from '../../src/contract/stats.js';
import { EXAMPLES, PROGRAMS, giltrace, leftoverProbes, pyenvPython, scratchDir, tracedProcess } from './giltrace-cli.js';

const dir = scratchDir();
after(() => rmSync(dir, { recursive: true, force: true }));

const FOUR_CRUNCHERS = [
  'import sys, threading',
  'sys.setswitchinterval(0.001)',
  'def crunch():',
  '    total = 0',
  '    for i in range(1_500_000): total += i',
  'threads = [threading.Thread(target=crunch) for _ in range(4)]',
  'for t in threads: t.start()',
  'for t in threads: t.join()',
].join('\n');

const CASES = [
  { name: 'two CPU-bound threads', args: [join(EXAMPLES, 'two_threads.py')] },
  { name: 'four CPU-bound threads at a 1 ms switch interval', args: ['-c', FOUR_CRUNCHERS] },
  { name: 'a holder asleep in usleep while another thread waits', args: [join(PROGRAMS, 'usleep_holder.py')] },
  { name: 'a thread pool passing bytes through a socket', args: [join(PROGRAMS, 'socket_pool.py')] },
  { name: 'daemon threads contending as the interpreter shuts down', args: [join(PROGRAMS, 'daemon_exit.py')] },
];

const MS = 1e6;

function record(python: string, args: readonly string[], file: string, extra: readonly string[] = []): void {
  const run = giltrace(['record', ...extra, '-o', file, '--', python, ...args]);
  assert.equal(run.code, 0, run.stderr);
}

function eventNames(file: string): string[] {
  return openPerfData(file).eventTypes.map((t) => t.name.slice(t.name.indexOf(':') + 1));
}

function threadsOf(stats: StatsJson) {
  return new Map(tracedProcess(stats).threads.map((t) => [t.tid, t]));
}

describe('takes placed from the scheduler events agree with the return probe', () => {
  for (const minor of ['3.8', '3.12', '3.13']) {
    const python = pyenvPython(minor);
    for (const { name, args } of CASES) {
      test(`Python ${minor}: ${name}`, { skip: python ? false : `pyenv Python ${minor} is not installed` }, () => {
        const file = join(dir, `exact-${minor}-${name.split(' ')[0]}.data`);
        record(python!, args, file, ['--exact-takes']);
        assert.ok(eventNames(file).includes('take_ret'), 'recorded with the return probe');
        const probed = analyzeRecordingStats(file).stats;
        const placed = analyzeRecordingStats(file, { placeTakes: true }).stats;
        assert.equal(probed.recording.takes_placed, undefined, 'probed returns are used as they are');
        const { placed: n, guessed } = placed.recording.takes_placed!;
        assert.ok(n > 0 && guessed <= n / 100, `${guessed} of ${n} takes placed by a guess`);
        // a free GIL asked for by two threads a moment apart went to the first before 12-06: on
        // the socket pool, 23-49 takes a run of ~20 000 fit nowhere (the second held it)
        // and a daemon thread that take_gil ended at shutdown, after the main thread asked, was
        // taken to hold the GIL (the first waiter to exit got it) before 12-07
        // (once since, 12-07 in a .ci/run, the socket pool on 3.12 placed 1 take of ~20 000 where it
        // did not fit; not seen again in 18 runs, loaded or not: one misfit in 10 000 takes is
        // allowed, the 23-49 of before are not)
        const misfits = (stats: StatsJson) => ['second_holder', 'drop_while_not_holding', 'exit_while_holding'].map((kind) => tracedProcess(stats).anomalies[kind] ?? 0);
        const allowed = Math.floor(n / 10_000);
        const [placedMisfits, probedMisfits] = [misfits(placed), misfits(probed)];
        assert.ok(placedMisfits.every((m, i) => m >= probedMisfits[i] - allowed && m <= probedMisfits[i] + allowed), `placed takes fit as the probed ones do (±${allowed}): ${placedMisfits} against ${probedMisfits}`);
        const probedThreads = threadsOf(probed);
        let contendedWait = 0;
        for (const [tid, mine] of threadsOf(placed)) {
          const theirs = probedThreads.get(tid);
          assert.ok(theirs, `thread ${tid} in both`);
          // the probed return is late by its own trap, ~2 µs a take: a thread of many short takes
          // differs by that much each; and a thread preempted inside take_gil (a loaded machine) had
          // not returned, though nothing kept it from the GIL: the two differ by that time at most
          const slack = 0.05 * theirs.wait_ns + 1 * MS + 3e3 * theirs.acquisitions + Math.max(mine.runnable_ns, theirs.runnable_ns);
          const near = (a: number, b: number, what: string): void =>
            assert.ok(Math.abs(a - b) <= slack, `thread ${tid} ${what}: placed ${(a / MS).toFixed(2)} ms, probed ${(b / MS).toFixed(2)} ms, ${theirs.acquisitions} takes`);
          near(mine.wait_ns, theirs.wait_ns, 'waited');
          near(mine.held_ns, theirs.held_ns, 'held');
          assert.ok(Math.abs(mine.acquisitions - theirs.acquisitions) <= 1, `thread ${tid}: ${mine.acquisitions} vs ${theirs.acquisitions} acquisitions`);
          contendedWait += theirs.wait_ns;
        }
        assert.ok(contendedWait > 50 * MS, `the program contends (${(contendedWait / MS).toFixed(1)} ms of waits)`);
      });
    }
  }

  test('a default recording probes no return and says its takes were placed', { skip: pyenvPython('3.12') ? false : 'pyenv Python 3.12 is not installed' }, () => {
    const file = join(dir, 'default.data');
    record(pyenvPython('3.12')!, [join(EXAMPLES, 'two_threads.py')], file);
    const names = eventNames(file);
    assert.ok(names.includes('take') && !names.includes('take_ret'), names.join(' '));
    const { stats } = analyzeRecordingStats(file);
    assert.ok(stats.recording.takes_placed && stats.recording.takes_placed.placed > 20, JSON.stringify(stats.recording));
    for (const worker of tracedProcess(stats).threads.filter((t) => t.name.includes('some_computation'))) {
      assert.ok(worker.wait_ns / worker.lifetime_ns > 0.3, `${worker.name} waits ${(worker.wait_ns / worker.lifetime_ns).toFixed(2)} of its life`);
    }
    assert.deepEqual(leftoverProbes(), []);
  });
});
