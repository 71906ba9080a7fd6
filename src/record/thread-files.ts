/**
 * One thread's /proc files kept open for the sampler: `comm` (its name), `schedstat` (time on a
 * CPU) and `syscall` (what it sleeps in). /proc regenerates a file at each read from offset 0,
 * so a tick costs one pread per file, not an open and a close.
 */
import * as fs from 'node:fs';

const FILES = ['comm', 'schedstat', 'syscall'] as const;
type FileName = (typeof FILES)[number];

/** readSchedstat's answer when the file reads as it did last time: the thread was not switched since. */
export const SCHEDSTAT_SAME = -1;

export class ThreadFiles {
  private readonly fds: Partial<Record<FileName, number>> = {};
  private gone = false;
  private lastSchedstat = Buffer.alloc(64);
  private lastSchedstatLength = -1;
  /** The kernel refused a read (not allowed): said once by the sampler. */
  denied = false;

  constructor(private readonly dir: string, private readonly buffer: Buffer) {}

  /** The file's text now; undefined when it cannot be read (the thread is gone, or not allowed). */
  read(name: FileName): string | undefined {
    const n = this.readBytes(name);
    return n === undefined ? undefined : this.buffer.toString('latin1', 0, n);
  }

  /**
   * The thread's run time (ns, schedstat's first field), or SCHEDSTAT_SAME when the whole file
   * reads as last time (compared as bytes: the sampler asks every tick for every thread, and a
   * string each time kept V8's collector busy); undefined when it cannot be read.
   */
  readSchedstat(): number | undefined {
    const n = this.readBytes('schedstat');
    if (n === undefined) return undefined;
    if (n === this.lastSchedstatLength && this.buffer.compare(this.lastSchedstat, 0, n, 0, n) === 0) return SCHEDSTAT_SAME;
    if (this.lastSchedstat.length < n) this.lastSchedstat = Buffer.alloc(n);
    this.buffer.copy(this.lastSchedstat, 0, 0, n);
    this.lastSchedstatLength = n;
    let runtime = 0;
    for (let i = 0; i < n; i++) {
      const digit = this.buffer[i] - 48;
      if (digit < 0 || digit > 9) break;
      runtime = runtime * 10 + digit;
    }
    return runtime;
  }

  /** Bytes read into the buffer; undefined when the file cannot be read. */
  private readBytes(name: FileName): number | undefined {
    if (this.gone) return undefined;
    let fd = this.fds[name];
    try {
      if (fd === undefined) this.fds[name] = fd = fs.openSync(`${this.dir}/${name}`, 'r');
      return fs.readSync(fd, this.buffer, 0, this.buffer.length, 0);
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
