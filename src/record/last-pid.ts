/**
 * The last process or thread id the kernel gave out, in giltrace's pid namespace (the last field
 * of /proc/loadavg). While it stays the same, no process and no thread was made anywhere since,
 * so a process tree or a thread list read before is still whole, less what has ended. Reading it
 * is one small read; listing a process's 100 threads costs ~170 µs here, and walking its tree
 * reads every thread's `children` file (1 000 reads a second for 100 threads, a walk every
 * 100 ms): the sampler's steady cost beside a pool of idle threads.
 */
import * as fs from 'node:fs';

export class LastPid {
  private fd: number | undefined;
  private readonly buffer = Buffer.alloc(128);

  /** A getter of the last pid for one tick's users: read at most once, when first asked. NaN: unreadable (never equal, so lists are read). */
  reader(): () => number {
    let value: number | undefined;
    return () => (value ??= this.read());
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private read(): number {
    try {
      this.fd ??= fs.openSync('/proc/loadavg', 'r');
      const n = fs.readSync(this.fd, this.buffer, 0, this.buffer.length, 0);
      const last = /(\d+)\s*$/.exec(this.buffer.toString('latin1', 0, n));
      return last ? Number(last[1]) : Number.NaN;
    } catch {
      return Number.NaN;
    }
  }
}
