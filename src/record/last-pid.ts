/**
 * The last process or thread id the kernel gave out, in giltrace's pid namespace (the last field
 * of /proc/loadavg). While it stays the same, no process and no thread was made anywhere since,
 * so a process tree or a thread list read before is still whole, less what has ended. Reading it
 * is one small read; listing a process's 100 threads costs ~170 µs here, and walking its tree
 * reads every thread's `children` file (1 000 reads a second for 100 threads, a walk every
 * 100 ms): the sampler's steady cost beside a pool of idle threads.
 *
 * Lists are still read now and then whatever it says, and one that finds something made while
 * the last pid stood still (a /proc/loadavg that is not the kernel's, as lxcfs's in a container)
 * makes it not asked again: then every list is read when due, as without it.
 */
import * as fs from 'node:fs';

/** One tick's view of the last pid: read at most once, when first asked. */
export interface TickPids {
  /** The last pid given out; NaN when not known (never equal: lists are read). */
  last(): number;
  /** A list read found something new while last() stood still: not to be trusted again. */
  missed(): void;
}

export class LastPid {
  private fd: number | undefined;
  private readonly buffer = Buffer.alloc(128);
  private trusted = true;

  reader(): TickPids {
    let value: number | undefined;
    return {
      last: () => (value ??= this.trusted ? this.read() : Number.NaN),
      missed: () => {
        this.trusted = false;
      },
    };
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
