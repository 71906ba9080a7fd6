/**
 * A SIGKILLed giltrace cannot clean up after itself: its perf (own process group, so that a
 * terminal's Ctrl-C reaches the target first) would record system-wide forever and its probes
 * stay registered. So every recording starts a tiny watcher process that outlives giltrace: it
 * is told the perf pid and the probe groups, and when its stdin closes without a final "done"
 * (the kernel closes it when giltrace dies, however it dies) it stops perf and removes the
 * groups itself (cleanup-watcher-main.ts).
 *
 * It also finishes a recording that went well: once perf has written the file, giltrace returns
 * and leaves the watcher to remove the probes when perf has closed its events (perf-finish.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Writable } from 'node:stream';

export interface CleanupWatcher {
  watchPerf(pid: number): void;
  watchGroup(group: string): void;
  /** giltrace cleaned up itself: the watcher leaves without doing anything. */
  done(): void;
  /** Whether a watcher runs to `finish` (it could not be started otherwise). */
  readonly canFinish: boolean;
  /**
   * giltrace leaves with its perfs closing their events (files complete, no signal needed): the
   * watcher waits until they have exited, then removes the probe groups.
   */
  finish(): void;
}

const WATCHER_FILE = 'cleanup-watcher-main.js';
const WATCHER_MAIN = fileURLToPath(new URL(`./${WATCHER_FILE}`, import.meta.url));

export function startCleanupWatcher(): CleanupWatcher {
  let child: ChildProcess | undefined;
  try {
    // its own session: neither a terminal's Ctrl-C nor a hang-up of giltrace's terminal reach it
    child = spawn(process.execPath, [WATCHER_MAIN, String(process.pid)], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    child = undefined; // no watcher: the next giltrace run still removes what a killed one left
  }
  const stdin = child?.stdin as (Writable & { unref?: () => void }) | undefined;
  stdin?.on('error', () => undefined);
  stdin?.unref?.();
  const tell = (line: string) => {
    if (stdin && !stdin.writableEnded) stdin.write(`${line}\n`);
  };
  const last = (line: string) => {
    tell(line);
    stdin?.end();
  };
  return {
    watchPerf: (pid) => tell(`perf ${pid}`),
    watchGroup: (group) => tell(`group ${group}`),
    done: () => last('done'),
    canFinish: stdin !== undefined && child?.pid !== undefined,
    finish: () => last('finish'),
  };
}

/**
 * giltrace pids whose cleanup watcher is still at work: their probes and perfs are being taken
 * care of, so a new run neither waits for them nor signals them (found by the watchers' command
 * lines: `node .../cleanup-watcher-main.js OWNER`).
 */
export function ownersBeingCleanedUp(): Set<number> {
  const owners = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0');
    } catch {
      continue; // gone meanwhile
    }
    if (argv[1]?.endsWith(WATCHER_FILE) && Number(argv[2]) > 0) owners.add(Number(argv[2]));
  }
  return owners;
}
