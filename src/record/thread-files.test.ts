/**
 * ThreadFiles on real threads: what their /proc `syscall` file says, read without strings, for a
 * thread on a CPU, one asleep on a futex (a Python thread waiting on an Event), and one asleep in
 * another call (sleep(1)'s nanosleep); and what their `schedstat` says.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { OTHER_SYSCALL, RUNNING, SCHEDSTAT_SAME, ThreadFiles } from './thread-files.js';

/** Asleep in a timed wait, x86-64's numbers: sleep(1) and Python's time.sleep from 3.11 (nanosleep 35, clock_nanosleep 230), before it (select 23, pselect6 270). */
const TIMED_SLEEP = /^(23|35|230|270) /;

/**
 * The child once past its start-up: its /proc `syscall` file matches `settled` (polled, for 10 s
 * at most: on a loaded machine a Python took over 300 ms to reach its loop).
 */
async function started(command: string, args: string[], settled: RegExp): Promise<ChildProcess> {
  const child = spawn(command, args, { stdio: 'ignore' });
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(20)) {
    try {
      if (settled.test(readFileSync(`/proc/${child.pid}/task/${child.pid}/syscall`, 'latin1'))) break;
    } catch {
      // not started yet
    }
  }
  return child;
}

function syscallOf(child: ChildProcess): { read: number | undefined; text: string } {
  const dir = `/proc/${child.pid}/task/${child.pid}`;
  const files = new ThreadFiles(dir, Buffer.alloc(512));
  try {
    return { read: files.readSyscall(), text: readFileSync(`${dir}/syscall`, 'latin1') };
  } finally {
    files.close();
  }
}

describe('ThreadFiles.readSyscall', () => {
  it('tells running, the futex a thread sleeps on, and other calls apart', async () => {
    // each in its loop or its sleep: on a CPU; in futex (202 on x86-64); in its sleep
    const busy = await started('python3', ['-c', 'while True: pass'], /^running/);
    const waiting = await started('python3', ['-c', 'import threading; threading.Event().wait()'], /^202 /);
    const asleep = await started('sleep', ['30'], TIMED_SLEEP);
    try {
      assert.equal(syscallOf(busy).read, RUNNING);
      const futex = syscallOf(waiting);
      assert.match(futex.text, /^202 0x/, 'waits in futex (202 on x86-64)');
      assert.equal(futex.read, parseInt(futex.text.split(' ')[1], 16), 'the futex address, as /proc writes it');
      assert.ok(futex.read! > 0);
      assert.equal(syscallOf(asleep).read, OTHER_SYSCALL);
      // read again, still asleep there: the same call, arguments and pointers (syscallSame)
      const files = new ThreadFiles(`/proc/${asleep.pid}/task/${asleep.pid}`, Buffer.alloc(512));
      files.readSyscall();
      assert.equal(files.syscallSame, false, 'nothing to compare the first read with');
      files.readSyscall();
      assert.equal(files.syscallSame, true);
      files.close();
    } finally {
      for (const child of [busy, waiting, asleep]) child.kill('SIGKILL');
    }
  });
});

describe('ThreadFiles.readSchedstat', () => {
  it('reads the run time and the times the thread was put on a CPU, and says when nothing changed', async () => {
    // a thread that wakes every 20 ms: put on a CPU again and again; one asleep for good: never
    const waker = await started('python3', ['-c', 'import time\nwhile True: time.sleep(0.02)'], TIMED_SLEEP);
    const asleep = await started('sleep', ['30'], TIMED_SLEEP);
    try {
      const dir = (child: ChildProcess) => `/proc/${child.pid}/task/${child.pid}`;
      const wakes = new ThreadFiles(dir(waker), Buffer.alloc(512));
      const runtime = wakes.readSchedstat()!;
      const [ns, , runs] = readFileSync(`${dir(waker)}/schedstat`, 'latin1').trim().split(' ').map(Number);
      assert.ok(runtime > 0 && runtime <= ns, `run time ${runtime} (the file says ${ns} a moment later)`);
      assert.ok(wakes.switchIns > 0 && wakes.switchIns <= runs, `put on a CPU ${wakes.switchIns} times (the file: ${runs})`);
      const before = wakes.switchIns;
      await sleep(100);
      wakes.readSchedstat();
      assert.ok(wakes.switchIns >= before + 3, `woken about 5 times in 100 ms: ${before} -> ${wakes.switchIns}`);
      wakes.close();
      const still = new ThreadFiles(dir(asleep), Buffer.alloc(512));
      still.readSchedstat();
      const runsAsleep = still.switchIns;
      await sleep(50);
      assert.equal(still.readSchedstat(), SCHEDSTAT_SAME);
      assert.equal(still.switchIns, runsAsleep);
      still.close();
    } finally {
      for (const child of [waker, asleep]) child.kill('SIGKILL');
    }
  });
});
