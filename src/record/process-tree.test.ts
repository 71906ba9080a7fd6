/**
 * The traced tree, walked again only when the kernel has given out a pid since the last walk
 * (LastPid): the walk reads every thread's `children` file, a thousand reads a second beside a
 * pool of 100 threads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { LastPid } from './last-pid.js';
import { ProcessTree } from './process-tree.js';

test('the last pid given out moves when a process is made, and stays while none is', async () => {
  const lastPid = new LastPid();
  try {
    const before = lastPid.reader().last();
    assert.ok(Number.isInteger(before) && before > 0, String(before));
    const child = spawn('sleep', ['5'], { stdio: 'ignore' });
    try {
      const after = lastPid.reader().last();
      assert.ok(after !== before, `${before} then ${after}`);
      // one reading per reader: a tick's users agree
      const reader = lastPid.reader();
      assert.equal(reader.last(), reader.last());
      // once a list found what it did not say, it is not asked again
      reader.missed();
      assert.ok(Number.isNaN(lastPid.reader().last()));
    } finally {
      child.kill('SIGKILL');
    }
  } finally {
    lastPid.close();
  }
});

/** A TickPids that says `value`, and counts the walks that found what it did not say. */
function fixedPids(value: number) {
  const pids = { misses: 0, last: () => value, missed: () => void pids.misses++ };
  return pids;
}

test('a walk stands while the last pid is the same, and is made again once it moves', async () => {
  const tree = new ProcessTree(() => [process.pid]);
  const first = tree.processes(fixedPids(1));
  const child = spawn('sleep', ['5'], { stdio: 'ignore' });
  try {
    assert.ok(!first.includes(child.pid!));
    assert.deepEqual(tree.processes(fixedPids(1)), first, 'no pid given out: the walk before');
    assert.ok(tree.processes(fixedPids(2)).includes(child.pid!), 'a pid given out: walked again');
    assert.ok(tree.processes().includes(child.pid!), 'without a last pid: walked every time');
  } finally {
    child.kill('SIGKILL');
    tree.close();
  }
});

test('a last pid that stands still while processes are made (lxcfs\'s loadavg) is found out by the walk made anyway', async () => {
  const tree = new ProcessTree(() => [process.pid]);
  const stuck = fixedPids(7);
  tree.processes(stuck);
  const child = spawn('sleep', ['5'], { stdio: 'ignore' });
  try {
    let walks = 0;
    while (!tree.processes(stuck).includes(child.pid!)) assert.ok(++walks <= 10, 'found within ten walks');
    assert.equal(stuck.misses, 1);
  } finally {
    child.kill('SIGKILL');
    tree.close();
  }
});
