/**
 * The oldest Pythons: 3.6 and 3.7 have no threading.get_native_id(), so the hook asks the kernel
 * (gettid); tracing them used to hang the program. Python 2.7 is refused before anything runs.
 * Every run has a time limit, so a hang fails fast. Needs root, perf and the pyenv versions.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLES, giltrace, leftoverProbes, mainThread, otherThreads, pyenvPython, scratchDir, tracedProcess } from './giltrace-cli.js';
import { RUN_LIMIT_MS, TEST_LIMIT_MS, assertBehavesAsUntraced, pyenvPython2 } from './untraced-comparison.js';

const dir = scratchDir();
/** Two uprobe traps, ~5 µs each on this VM, ~1 µs on fast hardware. */
const MIN_NS_PER_GIL_CYCLE = 1500;
after(() => rmSync(dir, { recursive: true, force: true }));

describe('Python 3.6 and 3.7 are traced for real, with thread names', () => {
  for (const minor of ['3.6', '3.7']) {
    const python = pyenvPython(minor);
    test(`Python ${minor}: two CPU-bound threads split the GIL`, { skip: python ? false : `pyenv Python ${minor} is not installed`, timeout: TEST_LIMIT_MS }, () => {
      const stats = assertBehavesAsUntraced([python!, join(EXAMPLES, 'two_threads.py')], process.env, join(dir, `${minor}.data`));
      assert.equal(stats.recording.lost_events, 0);
      assert.deepEqual(stats.recording.warnings, []);
      const traced = tracedProcess(stats);
      assert.match(traced.python.version, new RegExp(`^${minor.replace('.', '\\.')}\\.`));
      assert.match(traced.command, /two_threads\.py$/, 'the hook reported the command line');
      assert.equal(mainThread(traced).name, 'MainThread');
      const workers = otherThreads(traced);
      assert.deepEqual(workers.map((t) => t.name).sort(), ['Thread-1', 'Thread-2'], 'names by gettid');
      for (const worker of workers) {
        const held = worker.held_ns / worker.lifetime_ns;
        const wait = worker.wait_ns / worker.lifetime_ns;
        assert.ok(held > 0.3 && held < 0.7, `${worker.name} held ${(held * 100).toFixed(1)}% of its life`);
        assert.ok(wait > 0.3 && wait < 0.7, `${worker.name} waited ${(wait * 100).toFixed(1)}% of its life`);
      }
      assert.ok(traced.gil.drops.forced > 0, 'the switch interval forces drops');
      assert.ok(traced.gil.held_ns <= traced.duration_ns);
      // the observer effect: a GIL cycle costs two uprobe traps at least (3.6 makes its GIL only
      // when a thread starts: a calibration without one measured ~1 µs, no GIL at all)
      assert.ok(traced.tracing_cost && traced.tracing_cost.ns_per_gil_cycle > MIN_NS_PER_GIL_CYCLE, JSON.stringify(traced.tracing_cost));
      assert.deepEqual(leftoverProbes(), []);
    });
  }
});

const python2 = pyenvPython2();
test('Python 2.7 is refused before launch: one line, exit code 2, the program never runs', { skip: python2 ? false : 'pyenv Python 2.7 is not installed', timeout: TEST_LIMIT_MS }, () => {
  for (const command of ['record', 'run']) {
    const ran = join(dir, `python2-ran-${command}`);
    const result = giltrace([command, '-o', join(dir, `python2-${command}.${command === 'run' ? 'html' : 'data'}`), '--', python2!, '-c', `open('${ran}', 'w')`], { timeoutMs: RUN_LIMIT_MS });
    assert.equal(result.signal, null, `${command} finished in time`);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, '');
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0], /^giltrace: Python 2\.7\.\d+ \(.*\) is not supported: giltrace needs CPython 3\.6 or newer$/);
    assert.ok(!existsSync(ran), 'the program did not run');
  }
  assert.deepEqual(leftoverProbes(), []);
});
