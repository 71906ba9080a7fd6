/**
 * The processes a traced tree consists of now: the roots and every descendant, read from each
 * thread's /proc `children` list. Cheaper than reading every process's stat on a busy machine,
 * which matters to a sampler that looks for new processes ten times a second; the `children`
 * files are kept open and read again in place (a walk of a pyenv shim's six processes cost
 * ~0.5 ms of opens and closes).
 */
import * as fs from 'node:fs';
import type { TickPids } from './last-pid.js';

/** A walk that a still last pid lets stand is made anyway after this many (a second at the sampler's 100 ms). */
const WALK_ANYWAY = 10;

export class ProcessTree {
  /** Open `children` files by path; those of threads not seen in the latest walk are closed. */
  private files = new Map<string, number>();
  private buffer = Buffer.alloc(4096);

  /** The last walk: its roots, the last pid given out before it (LastPid), what it found, and the walks it stood for since. */
  private walked: { roots: string; lastPid: number; found: number[]; reused: number } | undefined;

  constructor(private readonly roots: () => readonly number[]) {}

  /**
   * The roots and their descendants now (some may have ended since). `pids` (LastPid): while the
   * last pid given out is the same as before the last walk, no process was made since and that
   * walk still stands (an exec makes no pid either: the processes found are the same ones), up
   * to WALK_ANYWAY walks; one made then that finds a new process says the last pid is not to be
   * trusted.
   */
  processes(pids?: TickPids): number[] {
    const roots = this.roots().join(' ');
    const before = pids?.last();
    const walked = this.walked;
    const same = walked !== undefined && walked.roots === roots && walked.lastPid === before;
    if (same && walked.reused < WALK_ANYWAY) {
      walked.reused++;
      return walked.found;
    }
    const found = this.walk();
    if (same) {
      const known = new Set(walked.found);
      if (found.some((pid) => !known.has(pid))) pids!.missed();
    }
    this.walked = before === undefined ? undefined : { roots, lastPid: before, found, reused: 0 };
    return found;
  }

  private walk(): number[] {
    const out: number[] = [];
    const seen = new Set<number>();
    const pending = [...this.roots()];
    const before = this.files;
    this.files = new Map();
    while (pending.length > 0) {
      const pid = pending.pop()!;
      if (seen.has(pid)) continue;
      seen.add(pid);
      out.push(pid);
      this.childrenOf(pid, before, pending);
    }
    for (const fd of before.values()) closeQuietly(fd);
    return out;
  }

  close(): void {
    for (const fd of this.files.values()) closeQuietly(fd);
    this.files.clear();
  }

  private childrenOf(pid: number, before: Map<string, number>, into: number[]): void {
    let tids: string[];
    try {
      tids = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      return; // gone
    }
    for (const tid of tids) {
      const path = `/proc/${pid}/task/${tid}/children`;
      let fd = before.get(path);
      before.delete(path);
      try {
        fd ??= fs.openSync(path, 'r');
        this.files.set(path, fd);
        const text = this.readAll(fd);
        for (const child of text.split(' ')) if (child.length > 0 && child !== '\n') into.push(Number(child));
      } catch {
        // the thread is gone (its file, if open, is closed with the others not seen)
      }
    }
  }

  /** The file's text from its start (the buffer grows for a thread with thousands of children). */
  private readAll(fd: number): string {
    for (;;) {
      const n = fs.readSync(fd, this.buffer, 0, this.buffer.length, 0);
      if (n < this.buffer.length) return this.buffer.toString('latin1', 0, n);
      this.buffer = Buffer.alloc(this.buffer.length * 2);
    }
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // closed with its process
  }
}

/** Where a /proc link points (a process's program); undefined when the process is gone or not ours to read. */
export function readLinkIfThere(path: string): string | undefined {
  try {
    return fs.readlinkSync(path);
  } catch {
    return undefined;
  }
}

const smallFile = Buffer.alloc(4096);

/**
 * A small /proc file's text (a process's `stat` or `comm`), read into one shared buffer: /proc
 * reports such files as empty, so readFileSync reads them into a fresh 64 KB buffer each time
 * (a scan of 66 processes' `stat`: 3.8 ms, 0.9 ms so). Only the first 4 KB; undefined when the
 * process is gone or not ours to read.
 */
export function readProcFile(path: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    return smallFile.toString('latin1', 0, fs.readSync(fd, smallFile, 0, smallFile.length, 0));
  } catch {
    return undefined;
  } finally {
    closeQuietly(fd);
  }
}

/** Whether this kernel lists a thread's children in /proc (CONFIG_PROC_CHILDREN): ProcessTree needs it. */
export function procListsChildren(): boolean {
  return fs.existsSync(`/proc/${process.pid}/task/${process.pid}/children`);
}
