/**
 * One thread's /proc files kept open for the sampler: `comm` (its name), `schedstat` (time on a
 * CPU) and `syscall` (what it sleeps in). /proc regenerates a file at each read from offset 0,
 * so a tick costs one pread per file, not an open and a close.
 */
import * as fs from 'node:fs';

const FILES = ['comm', 'schedstat', 'syscall'] as const;
type FileName = (typeof FILES)[number];

export class ThreadFiles {
  private readonly fds: Partial<Record<FileName, number>> = {};
  private gone = false;
  /** The kernel refused a read (not allowed): said once by the sampler. */
  denied = false;

  constructor(private readonly dir: string, private readonly buffer: Buffer) {}

  /** The file's text now; undefined when it cannot be read (the thread is gone, or not allowed). */
  read(name: FileName): string | undefined {
    if (this.gone) return undefined;
    let fd = this.fds[name];
    try {
      if (fd === undefined) this.fds[name] = fd = fs.openSync(`${this.dir}/${name}`, 'r');
      const n = fs.readSync(fd, this.buffer, 0, this.buffer.length, 0);
      return this.buffer.toString('latin1', 0, n);
    } catch (e) {
      // ESRCH / ENOENT: the thread exited; EACCES on syscall: not allowed (said once by the sampler)
      if ((e as NodeJS.ErrnoException).code === 'EACCES' || (e as NodeJS.ErrnoException).code === 'EPERM') this.denied = true;
      else this.gone = true;
      return undefined;
    }
  }

  close(): void {
    for (const name of FILES) {
      const fd = this.fds[name];
      if (fd !== undefined) {
        try {
          fs.closeSync(fd);
        } catch {
          // closed with the thread
        }
      }
    }
    this.gone = true;
  }
}
