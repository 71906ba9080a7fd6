/**
 * Python thread names in a sampled run: giltrace's hook in the programs it starts appends its
 * marker texts to the file GILTRACE_NAMES names (python/giltrace_site/sitecustomize.py), a line
 * each: `thread␟<tid>␟<name>` when a thread starts or is renamed (and `process␟…` lines, not
 * needed here). Read as it grows; the latest name of each thread id stands.
 */
import * as fs from 'node:fs';

const SEPARATOR = '\x1f';
const READ_BYTES = 64 * 1024;

export class PythonNamesFile {
  private fd: number | undefined;
  private position = 0;
  /** The bytes read after the last whole line (a line, or a character, cut by a read). */
  private partial: Buffer = Buffer.alloc(0);
  private readonly names = new Map<number, string>();
  private readonly buffer = Buffer.alloc(READ_BYTES);

  constructor(private readonly path: string) {}

  /** Takes in the lines written since the last call (none when the file cannot be read). */
  read(): void {
    try {
      this.fd ??= fs.openSync(this.path, 'r');
      for (;;) {
        const n = fs.readSync(this.fd, this.buffer, 0, this.buffer.length, this.position);
        if (n === 0) return;
        this.position += n;
        const bytes = Buffer.concat([this.partial, this.buffer.subarray(0, n)]);
        const end = bytes.lastIndexOf(0x0a) + 1;
        this.partial = Buffer.from(bytes.subarray(end));
        for (const line of bytes.toString('utf8', 0, end).split('\n')) this.take(line);
      }
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
    if (this.fd === undefined) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = undefined;
  }

  private take(line: string): void {
    const [kind, tid, ...name] = line.split(SEPARATOR);
    if (kind !== 'thread' || name.length === 0) return;
    const id = Number(tid);
    if (Number.isInteger(id) && id > 0) this.names.set(id, name.join(SEPARATOR).replace(/[\t\n\r]/g, ' '));
  }
}
