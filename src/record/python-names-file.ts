/**
 * Python thread names in a sampled run: giltrace's hook in the programs it starts appends its
 * marker texts to the file GILTRACE_NAMES names (python/giltrace_site/sitecustomize.py), a line
 * each: `thread␟<tid>␟<name>` when a thread starts or is renamed (and `process␟…` lines, not
 * needed here). Read as it grows; the latest name of each thread id stands.
 */
import { AppendedLines } from './appended-lines.js';

const SEPARATOR = '\x1f';

export class PythonNamesFile {
  private readonly lines: AppendedLines;
  private readonly names = new Map<number, string>();

  constructor(path: string) {
    this.lines = new AppendedLines(path, 'utf8');
  }

  /** Takes in the lines written since the last call (none when the file cannot be read). */
  read(): void {
    try {
      for (const line of this.lines.read()) this.take(line);
    } catch {
      // gone or unreadable: no Python names, the OS ones stand
    }
  }

  /** The thread's Python name, when its program told it. */
  nameOf(tid: number): string | undefined {
    return this.names.get(tid);
  }

  /** The thread ended: its id may come back as another thread. */
  forget(tid: number): void {
    this.names.delete(tid);
  }

  close(): void {
    this.lines.close();
  }

  private take(line: string): void {
    const [kind, tid, ...name] = line.split(SEPARATOR);
    if (kind !== 'thread' || name.length === 0) return;
    const id = Number(tid);
    if (Number.isInteger(id) && id > 0) this.names.set(id, name.join(SEPARATOR).replace(/[\t\n\r]/g, ' '));
  }
}
