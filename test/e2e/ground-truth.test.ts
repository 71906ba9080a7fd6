/**
 * Programs whose GIL behaviour is known, recorded for real: a GIL held while sleeping in C,
 * C code that releases the GIL, and sleepers.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PROGRAMS, leftoverProbes, otherThreads, pyenvPython, recordAndStats, scratchDir, tracedProcess } from './giltrace-cli.js';

const dir = scratchDir();
after(() => rmSync(dir, { recursive: true, force: true }));
const python = pyenvPython('3.12') ?? pyenvPython('3.11');
const ms = (ns: number) => ns / 1e6;
const verdictOf = (stats: { verdict?: { kind: string } }) => stats.verdict?.kind;

test('usleep() in ctypes.PyDLL holds the GIL off-CPU for 300 ms and the other thread waits for it', { skip: !python && 'no pyenv Python' }, () => {
  const { stats } = recordAndStats([python!, join(PROGRAMS, 'usleep_holder.py')], dir);
  const process = tracedProcess(stats);
  const [holder, spinner] = otherThreads(process);
  assert.ok(ms(holder.held_asleep_ns) > 280 && ms(holder.held_asleep_ns) < 380, `holder held the GIL asleep for ${ms(holder.held_asleep_ns)} ms`);
  assert.ok(holder.held_off_cpu_ns >= holder.held_asleep_ns);
  assert.ok(ms(spinner.wait_ns) > 250, `spinner waited ${ms(spinner.wait_ns)} ms`);
  assert.ok(ms(spinner.wait.max_ns) > 250, `one wait of ~300 ms, max was ${ms(spinner.wait.max_ns)} ms`);
  // The spinner may be preempted while holding on a busy machine, but it never sleeps holding the GIL.
  assert.ok(ms(spinner.held_asleep_ns) < 20, `spinner held the GIL asleep for ${ms(spinner.held_asleep_ns)} ms`);
  assert.equal(verdictOf(stats), 'gil-held-off-cpu');
  assert.deepEqual(leftoverProbes(), []);
});

test('threads hashing big buffers release the GIL and barely wait', { skip: !python && 'no pyenv Python' }, () => {
  const { stats } = recordAndStats([python!, join(PROGRAMS, 'hashlib_threads.py')], dir);
  const hashers = otherThreads(tracedProcess(stats));
  assert.equal(hashers.length, 2);
  for (const hasher of hashers) {
    assert.ok(hasher.wait_ns / hasher.lifetime_ns < 0.1, `hasher ${hasher.tid} waited ${(100 * hasher.wait_ns / hasher.lifetime_ns).toFixed(1)}%`);
    assert.ok(hasher.no_gil_ns / hasher.lifetime_ns > 0.8, `hasher ${hasher.tid} mostly ran without the GIL`);
    assert.ok(hasher.drops.voluntary >= 3, 'each sha256 of a big buffer drops the GIL voluntarily');
  }
});

test('sleeping threads hold and wait for almost nothing', { skip: !python && 'no pyenv Python' }, () => {
  const { stats } = recordAndStats([python!, join(PROGRAMS, 'sleepers.py')], dir);
  const sleepers = otherThreads(tracedProcess(stats));
  assert.equal(sleepers.length, 3);
  for (const sleeper of sleepers) {
    assert.ok(sleeper.wait_ns / sleeper.lifetime_ns < 0.05);
    assert.ok(sleeper.held_ns / sleeper.lifetime_ns < 0.05);
    assert.ok(sleeper.sleeping_ns / sleeper.lifetime_ns > 0.8, `sleeper ${sleeper.tid} sleeps`);
    assert.ok(sleeper.drops.voluntary >= 5);
    assert.equal(sleeper.drops.forced, 0);
  }
});
