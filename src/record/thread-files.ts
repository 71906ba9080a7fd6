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
/** readSyscall's answers beside a futex's address. */
export const RUNNING = -1;
export const OTHER_SYSCALL = -2;

export class ThreadFiles {
  private readonly fds: Partial<Record<FileName, number>> = {};
  private gone = false;
  private lastSchedstat = Buffer.alloc(64);
  private lastSchedstatLength = -1;
  /** (the longest line: a call number and eight 64-bit hex numbers, 3 + 8 × 19 characters) */
  private lastSyscall = Buffer.alloc(160);
  private lastSyscallLength = -1;
  /**
   * Its `syscall` file read the same at the last readSyscall as at the one before (the same call,
   * arguments, stack and instruction pointers): a thread asleep there again after it ran is most
   * likely where it was, its Python stack too.
   */
  syscallSame = false;
  /** The kernel refused a read (not allowed): said once by the sampler. */
  denied = false;
  /** How many times the thread was put on a CPU (schedstat's third field), as last read. */
  switchIns = -1;
  /** Its time spent waiting for a CPU, ns (schedstat's second field, the kernel's run delay), as last read. */
  runDelay = -1;

  constructor(private readonly dir: string, private readonly buffer: Buffer) {}

  /** A read found the thread gone (it exited): it is not to be reported any more. */
  get exited(): boolean {
    return this.gone;
  }

  /** The file's text now; undefined when it cannot be read (the thread is gone, or not allowed). */
  read(name: FileName): string | undefined {
    const n = this.readBytes(name);
    return n === undefined ? undefined : this.buffer.toString('latin1', 0, n);
  }

  /**
   * The thread's run time (ns, schedstat's first field), or SCHEDSTAT_SAME when the whole file
   * reads as last time: the thread was not switched in or out since, nor did a scheduler tick
   * bring its run time up to date (compared as bytes: the sampler asks every tick for every
   * thread, and a string each time kept V8's collector busy); undefined when it cannot be read.
   */
  readSchedstat(): number | undefined {
    const n = this.readBytes('schedstat');
    if (n === undefined) return undefined;
    // "0 0 0": a kernel without scheduler statistics, where the file never changes: never the same
    const zero = this.buffer[0] === 0x30;
    if (!zero && n === this.lastSchedstatLength && this.buffer.compare(this.lastSchedstat, 0, n, 0, n) === 0) return SCHEDSTAT_SAME;
    if (this.lastSchedstat.length < n) this.lastSchedstat = Buffer.alloc(n);
    this.buffer.copy(this.lastSchedstat, 0, 0, n);
    this.lastSchedstatLength = n;
    // "<run time> <run delay> <times put on a CPU>\n", without a string
    let runtime = 0;
    let value = 0;
    let field = 0;
    for (let i = 0; i < n && field < 3; i++) {
      const digit = this.buffer[i] - 48;
      if (digit >= 0 && digit <= 9) {
        value = value * 10 + digit;
        continue;
      }
      if (field === 0) runtime = value;
      else if (field === 1) this.runDelay = value;
      else if (field === 2) this.switchIns = value;
      field++;
      value = 0;
    }
    if (field === 2) this.switchIns = value; // no newline after the last field
    return runtime;
  }

  /**
   * What the thread is in, from its `syscall` file, without making a string of it (the sampler
   * asks every tick for every busy thread): RUNNING (on a CPU or waiting for one), the address of
   * the futex it sleeps on, OTHER_SYSCALL (asleep in another call), or undefined when the file
   * cannot be read.
   */
  readSyscall(): number | undefined {
    const n = this.readBytes('syscall');
    if (n === undefined) return undefined;
    const b = this.buffer;
    const kept = Math.min(n, this.lastSyscall.length);
    this.syscallSame = n === this.lastSyscallLength && b.compare(this.lastSyscall, 0, kept, 0, kept) === 0;
    b.copy(this.lastSyscall, 0, 0, kept);
    this.lastSyscallLength = n;
    // "running\n", or "<nr> 0x<arg1> 0x<arg2> ... 0x<sp> 0x<pc>\n"; futex is 202 on x86-64
    if (n >= 7 && b[0] === 0x72 && b.toString('latin1', 0, 7) === 'running') return RUNNING;
    if (n < 6 || b[0] !== 0x32 || b[1] !== 0x30 || b[2] !== 0x32 || b[3] !== 0x20 || b[4] !== 0x30 || b[5] !== 0x78) return OTHER_SYSCALL;
    let address = 0;
    for (let i = 6; i < n; i++) {
      const c = b[i];
      const digit = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
      if (digit < 0) break;
      address = address * 16 + digit;
    }
    return address;
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
