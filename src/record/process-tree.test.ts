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
    const before = lastPid.reader()();
    assert.ok(Number.isInteger(before) && before > 0, String(before));
    const child = spawn('sleep', ['5'], { stdio: 'ignore' });
    try {
      const after = lastPid.reader()();
      assert.ok(after !== before, `${before} then ${after}`);
      // one reading per reader: a tick's users agree
      const reader = lastPid.reader();
      assert.equal(reader(), reader());
    } finally {
      child.kill('SIGKILL');
    }
  } finally {
    lastPid.close();
  }
});

test('a walk stands while the last pid is the same, and is made again once it moves', async () => {
  const tree = new ProcessTree(() => [process.pid]);
  const first = tree.processes(() => 1);
  const child = spawn('sleep', ['5'], { stdio: 'ignore' });
  try {
    assert.ok(!first.includes(child.pid!));
    assert.deepEqual(tree.processes(() => 1), first, 'no pid given out: the walk before');
    assert.ok(tree.processes(() => 2).includes(child.pid!), 'a pid given out: walked again');
    assert.ok(tree.processes().includes(child.pid!), 'without a last pid: walked every time');
  } finally {
    child.kill('SIGKILL');
    tree.close();
  }
});
