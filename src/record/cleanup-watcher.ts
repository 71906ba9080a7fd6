/**
 * A SIGKILLed giltrace cannot clean up after itself: its perf (own process group, so that a
 * terminal's Ctrl-C reaches the target first) would record system-wide forever and its probes
 * stay registered. So every recording starts a tiny watcher process that outlives giltrace: it
 * is told the perf pid and the probe groups, and when its stdin closes without a final "done"
 * (the kernel closes it when giltrace dies, however it dies) it stops perf and removes the
 * groups itself (cleanup-watcher-main.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Writable } from 'node:stream';

export interface CleanupWatcher {
  watchPerf(pid: number): void;
  watchGroup(group: string): void;
  /** giltrace cleaned up itself: the watcher leaves without doing anything. */
  done(): void;
}

const WATCHER_MAIN = fileURLToPath(new URL('./cleanup-watcher-main.js', import.meta.url));

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
  return {
    watchPerf: (pid) => tell(`perf ${pid}`),
    watchGroup: (group) => tell(`group ${group}`),
    done: () => {
      tell('done');
      stdin?.end();
    },
  };
}
