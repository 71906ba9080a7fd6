/**
 * Stopping a `perf record`: on SIGINT perf drains its buffers, writes the file's header and says
 * "[ perf record: Captured and wrote ... ]"; only then does it close its events, and the kernel
 * takes an RCU grace period to tear down each uprobe and tracepoint event (20-70 ms each here,
 * 0.3-0.4 s for a recording's dozen: measured with strace, 12-04). The file is complete at that
 * line, so giltrace need not wait for the rest: the perf is left to finish on its own and the
 * cleanup watcher removes the probes once it has exited (probes cannot be removed while perf
 * still holds them: EBUSY).
 */
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { GiltraceError } from '../base/errors.js';

/** The line perf prints once the recording file is complete (header written, nothing more to come). */
const FILE_COMPLETE = '[ perf record: Captured and wrote';

export function saysFileComplete(line: string): boolean {
  return line.startsWith(FILE_COMPLETE);
}

/** Collects a stream's lines into `into` (trimmed, empty ones dropped), telling `onLine` of each. */
export function collectLines(stream: Readable, into: string[], onLine?: (line: string) => void): void {
  let pending = '';
  const add = (line: string) => {
    if (!line.trim()) return;
    into.push(line.trim());
    onLine?.(line.trim());
  };
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) add(line);
  });
  stream.on('end', () => add(pending));
}

/**
 * Sends SIGINT and resolves once perf has exited ('exited') or has said its file is complete
 * ('written', perf still closing its events), whichever comes first. `lines` must be perf's
 * stderr as collected by collectLines with `watchLines`'s listener.
 */
export function stopUntilWritten(perf: ChildProcess, lines: PerfLines, timeoutMs: number): Promise<'exited' | 'written'> {
  if (perf.exitCode !== null || perf.signalCode !== null) return Promise.resolve('exited');
  return new Promise((resolve, reject) => {
    const finish = (how: 'exited' | 'written') => {
      clearTimeout(timer);
      perf.removeListener('exit', onExit);
      lines.onComplete = undefined;
      resolve(how);
    };
    const onExit = () => finish('exited');
    const timer = setTimeout(() => {
      perf.removeListener('exit', onExit);
      lines.onComplete = undefined;
      reject(new GiltraceError('perf did not stop in time'));
    }, timeoutMs);
    perf.once('exit', onExit);
    if (lines.complete) return finish('written');
    lines.onComplete = () => finish('written');
    perf.kill('SIGINT');
  });
}

/** perf's stderr lines, and whether it has said its file is complete. */
export class PerfLines {
  readonly all: string[] = [];
  complete = false;
  onComplete: (() => void) | undefined;

  constructor(stream: Readable) {
    collectLines(stream, this.all, (line) => {
      if (!saysFileComplete(line)) return;
      this.complete = true;
      this.onComplete?.();
    });
  }
}

/**
 * Lets giltrace exit while perf finishes closing its events: node would otherwise wait for the
 * child and its pipes. perf writes nothing after its last line; if it did, it would get EPIPE or
 * SIGPIPE, and a perf that dies releases its events all the same.
 */
export function letFinishAlone(perf: ChildProcess): void {
  for (const stream of perf.stdio) stream?.destroy();
  perf.unref();
}
