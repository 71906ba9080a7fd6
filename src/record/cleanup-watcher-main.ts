/**
 * The watcher process (see cleanup-watcher.ts): reads "perf PID" / "group NAME" lines from
 * giltrace; at end of input without "done", giltrace died: stop its perf (SIGINT, so the partial
 * recording is readable; SIGKILL if it does not stop) and remove its probe groups. "finish":
 * giltrace is leaving with its perfs already stopping (files written, events being closed):
 * wait until they have exited, then remove the groups.
 */
import { readFileSync } from 'node:fs';
import { sleepSync } from '../base/sleep.js';
import { removeProbeGroup } from '../probe/uprobes.js';
import { isRunning } from '../probe/running-process.js';

/** perf writes its header on SIGINT: give it this long before SIGKILL. */
const PERF_STOP_MS = 700;
const GROUP_REMOVAL_MS = 3_000;
/**
 * A finishing perf closes its events one by one, an RCU grace period each (~20-70 ms per event,
 * however many CPUs): seconds at most. Past this it is taken to be stuck.
 */
const FINISHING_PERF_MS = 60_000;

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGPIPE'] as const) process.on(signal, () => undefined);

const perfPids: number[] = [];
const groups: string[] = [];
let finished = false;
let pending = '';

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  pending += chunk;
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const [word, value] = line.split(' ', 2);
    if (word === 'perf' && Number(value) > 0) perfPids.push(Number(value));
    else if (word === 'group' && value) groups.push(value);
    else if (word === 'done') finished = true;
    else if (word === 'finish') {
      finished = true;
      finishAfterPerf();
      process.exit(0);
    }
  }
});
process.stdin.on('end', () => {
  if (!finished) cleanUp();
  process.exit(0);
});
process.stdin.on('error', () => {
  if (!finished) cleanUp();
  process.exit(0);
});

function cleanUp(): void {
  for (const pid of perfPids) signal(pid, 'SIGINT');
  waitForPerfs(PERF_STOP_MS);
  removeGroups();
}

function finishAfterPerf(): void {
  waitForPerfs(FINISHING_PERF_MS);
  removeGroups();
}

/** Waits up to `ms` for giltrace's perfs to exit; SIGKILLs those that did not. */
function waitForPerfs(ms: number): void {
  const deadline = Date.now() + ms;
  while (perfPids.some(isRunning) && Date.now() < deadline) sleepSync(10);
  for (const pid of perfPids) if (isRunning(pid) && isPerf(pid)) signal(pid, 'SIGKILL');
}

/** Still the perf it was (a pid can be reused once its process has gone). */
function isPerf(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0')[0].endsWith('perf');
  } catch {
    return false;
  }
}

function removeGroups(): void {
  for (const group of groups) {
    try {
      removeProbeGroup(group, GROUP_REMOVAL_MS);
    } catch {
      // tracefs gone or unreadable: the next giltrace run tries again
    }
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
