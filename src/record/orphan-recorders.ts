/**
 * A giltrace that was SIGKILLed leaves its perf (own process group, so it survived) recording
 * system-wide forever, and its probes cannot be removed while perf uses them. Find such perf
 * processes by the probe group in their command line and stop them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { retrySync } from '../base/sleep.js';
import { probeGroupOwner } from '../contract/probe-names.js';
import { readProcFile } from './process-tree.js';

/** @param leave owners whose cleanup watcher still works: their perfs are left to it */
export function killOrphanRecorders(leave: ReadonlySet<number> = new Set()): number[] {
  const stopped: number[] = [];
  for (const { pid, argv } of processesNamed((name) => name.startsWith('perf'))) {
    if (!argv[0]?.endsWith('perf')) continue;
    const owner = recordedGroupOwner(argv);
    if (owner === undefined || isAlive(owner) || leave.has(owner)) continue;
    try {
      process.kill(pid, 'SIGINT');
      stopped.push(pid);
    } catch {
      // Gone already.
    }
  }
  waitUntilGone(stopped, 5_000);
  return stopped;
}

/**
 * Running processes whose name passes `wanted`, with their command lines. The name
 * (/proc/PID/comm) is read first: reading a command line takes the process's memory lock, which a
 * perf that is starting (mapping its buffers) holds for a while (scans took 13-18 ms then, 3-7 ms
 * without).
 */
export function processesNamed(wanted: (name: string) => boolean): Array<{ pid: number; argv: string[] }> {
  const found: Array<{ pid: number; argv: string[] }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const name = readProcFile(`/proc/${entry}/comm`)?.trimEnd();
    if (name === undefined || !wanted(name)) continue; // gone meanwhile, or another program
    const argv = readArgv(Number(entry));
    if (argv) found.push({ pid: Number(entry), argv });
  }
  return found;
}

/** The owner of the first giltrace probe group among perf's `-e GROUP:EVENT` arguments. */
function recordedGroupOwner(argv: readonly string[]): number | undefined {
  for (const arg of argv) {
    const colon = arg.indexOf(':');
    const owner = colon > 0 ? probeGroupOwner(arg.slice(0, colon)) : undefined;
    if (owner !== undefined) return owner;
  }
  return undefined;
}

function readArgv(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Probes can only be removed once perf has closed them: give the stopped perfs a moment. */
function waitUntilGone(pids: readonly number[], timeoutMs: number): void {
  retrySync(() => !pids.some(isAlive), timeoutMs, 20);
}
