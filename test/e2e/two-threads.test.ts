/**
 * The classic two CPU-bound threads, recorded for real on every pyenv CPython 3.8–3.13 (3.6 and
 * 3.7, supported too, have old-pythons.test.ts): each worker must hold about half and wait about
 * half of its life, with forced drops; the main thread is mostly without the GIL; the GIL is
 * never held more than the wall time; and the verdict (the README's example) reads GIL-bound,
 * naming the function that held the GIL.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { EXAMPLES, PYENV_MINORS, leftoverProbes, mainThread, otherThreads, pyenvPython, recordAndStats, scratchDir, tracedProcess } from './giltrace-cli.js';

const dir = scratchDir();
after(() => rmSync(dir, { recursive: true, force: true }));

describe('two CPU-bound threads split the GIL', () => {
  for (const minor of PYENV_MINORS) {
    const python = pyenvPython(minor);
    test(`Python ${minor}`, { skip: python ? false : `pyenv Python ${minor} is not installed` }, () => {
      const { record, stats } = recordAndStats([python!, join(EXAMPLES, 'two_threads.py')], join(dir));
      assert.equal(record.code, 0, record.stderr);
      assert.equal(stats.recording.lost_events, 0);
      const process = tracedProcess(stats);
      assert.match(process.python.version, new RegExp(`^${minor.replace('.', '\\.')}`));

      const workers = otherThreads(process);
      assert.equal(workers.length, 2, `two worker threads, got ${workers.map((t) => t.tid)}`);
      for (const worker of workers) {
        const held = worker.held_ns / worker.lifetime_ns;
        const wait = worker.wait_ns / worker.lifetime_ns;
        assert.ok(held > 0.3 && held < 0.7, `worker ${worker.tid} held ${(held * 100).toFixed(1)}% of its life`);
        assert.ok(wait > 0.3 && wait < 0.7, `worker ${worker.tid} waited ${(wait * 100).toFixed(1)}% of its life`);
        assert.equal(worker.held_ns + worker.wait_ns + worker.no_gil_ns, worker.lifetime_ns);
        assert.equal(worker.running_ns + worker.runnable_ns + worker.sleeping_ns + worker.blocked_ns, worker.lifetime_ns);
      }
      assert.ok(process.gil.drops.forced > 0, 'the switch interval forces drops');
      const main = mainThread(process);
      assert.ok(main.no_gil_ns / main.lifetime_ns > 0.5, `main thread mostly without the GIL (${main.no_gil_ns}/${main.lifetime_ns})`);
      const heldByAll = process.threads.reduce((sum, thread) => sum + thread.held_ns, 0);
      assert.ok(heldByAll <= process.duration_ns, 'the GIL is never held longer than the wall time');
      assert.equal(heldByAll, process.gil.held_ns);
      assert.equal(stats.verdict?.kind, 'gil-bound', stats.verdict?.headline);
      assert.match(stats.verdict!.headline, /of it while some_computation \(two_threads\.py:7\) held it/);
      // the observer effect, measured on this machine: a GIL cycle under the probes costs micro-, not milli- or nanoseconds
      const cost = process.tracing_cost;
      assert.ok(cost, 'the tracing\'s own cost is estimated');
      assert.ok(cost.ns_per_gil_cycle > 1500 && cost.ns_per_gil_cycle < 500_000, `${cost.ns_per_gil_cycle} ns per GIL cycle`);
      assert.equal(cost.gil_cycles, process.threads.reduce((sum, t) => sum + t.acquisitions, 0));
      assert.equal(cost.added_ns, Math.round(cost.gil_cycles * cost.ns_per_gil_cycle));
      assert.deepEqual(leftoverProbes(), []);
    });
  }
});
