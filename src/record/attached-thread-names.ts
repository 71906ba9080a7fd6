/**
 * Names for the threads of processes an exact recording attached to. Such a process never ran
 * giltrace's hook, so its threads tell no Python names and would all be called by their OS name
 * (`python3`): a pool and a lone worker in one row. While perf records, each attached process's
 * threads are read as the sampled mode reads them (gil-sampler.ts: memory and /proc only, nothing
 * stopped), and named as it names them: the main thread `MainThread`, another
 * `<OS name> (<function it was started to run>)` once its outermost frames say so; the same for
 * the Pythons they start (traced too). Best effort: a process this cannot read (an interpreter the
 * sampled mode does not know) keeps OS names.
 */
import type { NamedThread } from '../contract/recording-manifest.js';
import { findPythonRuntime } from '../probe/python-runtime.js';
import { entryThreadName, ProcessSampler } from './gil-sampler.js';
import { ProcessTree, readLinkIfThere, readProcFile } from './process-tree.js';

/** How often the attached processes' threads are looked at, ms (a new thread is named within this, or ProcessSampler.entryOf's retries). */
const POLL_MS = 100;
/** A process that could not be read is tried again at the next look, then less and less often, up to this (ms). */
const MAX_RETRY_MS = 5000;

interface Unread {
  readonly exe: string | undefined;
  readonly retryAtNs: number;
}

export class AttachedThreadNames {
  /**
   * Each process's sampler; or, when it could not be read, the program it ran and when to try
   * again: once it runs another program (a Python the sampled mode does not know), or soon (a
   * process caught in its exec, or a forked Python that exec'd the same interpreter since: its
   * threads may live only a moment).
   */
  private readonly samplers = new Map<number, ProcessSampler | Unread>();
  /** Failed reads of each process in a row (its sampler made, or a sample taken, failed). */
  private readonly failures = new Map<number, number>();
  private readonly named = new Map<number, NamedThread>();
  private readonly tree: ProcessTree;
  private timer: NodeJS.Timeout | undefined;

  /** `onNames`: the names found at each look (a live view shows them as they come). */
  constructor(pids: readonly number[], private readonly onNames?: (names: readonly NamedThread[]) => void) {
    this.tree = new ProcessTree(() => pids);
  }

  start(): void {
    this.lookSafely();
    this.timer = setInterval(() => this.lookSafely(), POLL_MS);
    this.timer.unref();
  }

  /** Names are worth no risk to the recording: whatever fails here ends the naming, nothing else. */
  private lookSafely(): void {
    try {
      this.look();
    } catch {
      this.stop();
    }
  }

  /** Stops looking; the names found, in the order they were. */
  stop(): NamedThread[] {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const sampler of this.samplers.values()) if (sampler instanceof ProcessSampler) sampler.close();
    this.samplers.clear();
    this.tree.close();
    return [...this.named.values()];
  }

  private look(): void {
    const now = Number(process.hrtime.bigint());
    const found: NamedThread[] = [];
    const pids = this.tree.processes();
    for (const [pid, sampler] of this.samplers) {
      if (pids.includes(pid)) continue;
      if (sampler instanceof ProcessSampler) sampler.close();
      this.samplers.delete(pid);
      this.failures.delete(pid);
    }
    for (const pid of pids) {
      const sampler = this.samplerOf(pid, now);
      if (!sampler) continue;
      try {
        // the sampler learns the process's threads and thread states by sampling it
        if (sampler.sample(now) === undefined) throw new Error('gone, or exec\'d');
        this.failures.delete(pid);
      } catch {
        sampler.close();
        this.unread(pid, readLinkIfThere(`/proc/${pid}/exe`), false, now);
        continue;
      }
      for (const tid of sampler.threadIds) {
        if (this.named.get(tid)?.pid === pid) continue;
        const name = entryThreadName(sampler, pid, tid, () => readProcFile(`/proc/${pid}/task/${tid}/comm`)?.trimEnd() || 'thread', now);
        if (name === undefined) continue;
        const named = { pid, tid, name };
        this.named.set(tid, named);
        found.push(named);
      }
    }
    if (found.length > 0) this.onNames?.(found);
  }

  private samplerOf(pid: number, now: number): ProcessSampler | undefined {
    const known = this.samplers.get(pid);
    if (known instanceof ProcessSampler) return known;
    const exe = readLinkIfThere(`/proc/${pid}/exe`);
    if (known !== undefined && known.exe === exe && now < known.retryAtNs) return undefined;
    const runtime = findPythonRuntime(pid);
    if ('why' in runtime) {
      this.unread(pid, exe, runtime.final === true, now);
      return undefined;
    }
    try {
      const sampler = new ProcessSampler(runtime);
      this.samplers.set(pid, sampler);
      return sampler;
    } catch {
      this.unread(pid, exe, false, now);
      return undefined;
    }
  }

  /** `final`: not to be read while it runs this program. */
  private unread(pid: number, exe: string | undefined, final: boolean, now: number): void {
    const failures = this.failures.get(pid) ?? 0;
    this.failures.set(pid, failures + 1);
    const delayMs = Math.min(MAX_RETRY_MS, POLL_MS * 2 ** failures);
    this.samplers.set(pid, { exe, retryAtNs: final ? Infinity : now + delayMs * 1e6 - 1 });
  }
}
