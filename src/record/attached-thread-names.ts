/**
 * Names for the threads of processes an exact recording attached to. Such a process never ran
 * giltrace's hook, so its threads tell no Python names and would all be called by their OS name
 * (`python3`): a pool and a lone worker in one row. While perf records, each attached process's
 * threads are read as the sampled mode reads them (gil-sampler.ts: memory and /proc only, nothing
 * stopped), and named as it names them: the main thread `MainThread`, another
 * `<OS name> (<function it was started to run>)` once its outermost frames say so; the same for
 * the Pythons they start (traced too). Best effort: a process this cannot read (an interpreter the
 * sampled mode does not know) keeps OS names.
 *
 * The same looks say who held a GIL, or slept waiting for one, as perf began to record: that
 * began before the probes, and no take_gil entry will say so (gilAtAttach).
 */
import type { GilAtAttach, NamedThread } from '../contract/recording-manifest.js';
import { findPythonRuntime } from '../probe/python-runtime.js';
import { entryThreadName, ProcessSampler } from './gil-sampler.js';
import { LastPid } from './last-pid.js';
import { ProcessTree, readLinkIfThere, readProcFile } from './process-tree.js';

/** How often the attached processes (and the processes they start) are looked at, ms. */
const POLL_MS = 100;
/**
 * How often, between those looks, the known processes' thread lists are read again when the
 * kernel gave out a pid since (LastPid: one small read otherwise), and their new threads named:
 * a thread per request lives a few ms. Looked for every POLL_MS only, an attached
 * ThreadingHTTPServer's request threads were named 52 times in 232; every 5 ms, 44 % of them
 * under load (~500 a second) and 81 % of a thread-per-task program's. While a process keeps
 * starting threads (one first seen in the last STARTING_MS) the looks come every
 * NEW_THREADS_SOON_MS, so that a thread seen still in threading's frames is looked at again
 * before it ends (73 % and 98 % named, 12-08); a process that starts none is not woken more
 * often for it.
 */
const NEW_THREADS_EVERY_MS = 5;
const NEW_THREADS_SOON_MS = 1;
const STARTING_MS = 20;
/**
 * The looks after the one at once when perf records, ms after it began: who holds or waits for a
 * GIL is noted at each. A waiter is seen as one asleep on the GIL, or on a CPU with the GIL in the
 * same other hands as when it was last seen asleep (ProcessSampler.attachLook); take_gil's timed
 * wait puts it on a CPU every 5 ms, for a moment, or, on busy CPUs, until one is free (five looks
 * in 25 ms missed one in a loaded `.ci/run`, 12-05).
 */
const EARLY_LOOKS_MS = [3, 8, 15, 25, 40, 60, 90, 130];
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
  /** What the early looks found of the attached processes' threads (first sighting each): holders, waiters, and the others' stacks. */
  private readonly gilUsers: GilAtAttach[] = [];
  private readonly gilUsersSeen = new Set<number>();
  /** Threads noted idle (with their stack, when it could be read). */
  private readonly idleSeen = new Set<number>();
  /** Whether the looks still note GIL users (the early ones). */
  private noting = false;
  private readonly tree: ProcessTree;
  private readonly lastPid = new LastPid();
  private timer: NodeJS.Timeout | undefined;
  private readonly earlyTimers: NodeJS.Timeout[] = [];

  /** `onNames`, `onGilUsers`: the names and GIL users found at each look (a live view shows them as they come). */
  constructor(
    private readonly attached: readonly number[],
    private readonly onNames?: (names: readonly NamedThread[]) => void,
    private readonly onGilUsers?: (users: readonly GilAtAttach[]) => void,
  ) {
    this.tree = new ProcessTree(() => attached);
  }

  /**
   * The attached processes' threads seen holding a GIL, or asleep waiting for one, in the first
   * looks: that may have begun before the probes were placed, and then only their take would say
   * so; a thread the GIL never comes back to would look idle all along (the reader keeps those
   * that no probe event of their own came before).
   */
  get gilAtAttach(): readonly GilAtAttach[] {
    return this.gilUsers;
  }

  /**
   * Before perf records (while it starts): finds the processes' interpreters (ELF reads, the slow
   * part) and takes a first look, so that the looks once it records come at once.
   */
  prepare(): void {
    this.lookSafely();
  }

  /** Once perf records: looks at once, a few times in the first ms, then every POLL_MS. */
  start(): void {
    this.noting = true;
    this.lookSafely();
    for (const ms of EARLY_LOOKS_MS) {
      const early = setTimeout(() => {
        this.lookSafely();
        if (ms === EARLY_LOOKS_MS.at(-1)) this.noting = false;
      }, ms);
      early.unref();
      this.earlyTimers.push(early);
    }
    let lastLook = Date.now();
    const next = (ms: number): void => {
      this.timer = setTimeout(() => {
        if (this.timer === undefined) return;
        const now = Date.now();
        let starting = false;
        if (now - lastLook < POLL_MS) this.safely(() => (starting = this.lookForNewThreads()));
        else {
          lastLook = now;
          this.safely(() => (starting = this.look()));
        }
        if (this.timer !== undefined) next(starting ? NEW_THREADS_SOON_MS : NEW_THREADS_EVERY_MS);
      }, ms);
      this.timer.unref();
    };
    next(NEW_THREADS_EVERY_MS);
  }

  private lookSafely(): void {
    this.safely(() => this.look());
  }

  /** Names are worth no risk to the recording: whatever fails here ends the naming, nothing else. */
  private safely(look: () => void): void {
    try {
      look();
    } catch {
      this.stop();
    }
  }

  /** The new threads of the processes known, named (no process tree walked, no thread looked at): whether a process is starting threads (see STARTING_MS). */
  private lookForNewThreads(): boolean {
    const now = Number(process.hrtime.bigint());
    const pids = this.lastPid.reader();
    const found: NamedThread[] = [];
    let starting = false;
    for (const [pid, sampler] of this.samplers) {
      // (gone: the next look lets go of it)
      if (sampler instanceof ProcessSampler && sampler.refreshThreads(now, pids)) starting = this.nameThreads(pid, sampler, now, found) || starting;
    }
    if (found.length > 0) this.onNames?.(found);
    return starting;
  }

  /** Stops looking; the names found, in the order they were. */
  stop(): NamedThread[] {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const early of this.earlyTimers) clearTimeout(early);
    this.noting = false;
    for (const sampler of this.samplers.values()) if (sampler instanceof ProcessSampler) sampler.close();
    this.samplers.clear();
    this.tree.close();
    this.lastPid.close();
    return [...this.named.values()];
  }

  /** Looks at every process of the tree: whether a process is starting threads (see STARTING_MS). */
  private look(): boolean {
    const now = Number(process.hrtime.bigint());
    const found: NamedThread[] = [];
    let starting = false;
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
        if (this.noting && this.attached.includes(pid)) this.noteGilUsers(pid, sampler, now);
      } catch {
        sampler.close();
        this.unread(pid, readLinkIfThere(`/proc/${pid}/exe`), false, now);
        continue;
      }
      starting = this.nameThreads(pid, sampler, now, found) || starting;
    }
    if (found.length > 0) this.onNames?.(found);
    return starting;
  }

  /** Names the process's threads not named yet whose names are known now, into `found`: whether the process is starting threads (see STARTING_MS). */
  private nameThreads(pid: number, sampler: ProcessSampler, now: number, found: NamedThread[]): boolean {
    for (const tid of sampler.threadIds) {
      if (this.named.get(tid)?.pid === pid) continue;
      // (a thread gone by now had the name of the thread that made it, most often the main one's)
      const osName = (): string => readProcFile(`/proc/${pid}/task/${tid}/comm`)?.trimEnd() || readProcFile(`/proc/${pid}/comm`)?.trimEnd() || 'thread';
      const name = entryThreadName(sampler, pid, tid, osName, now);
      if (name === undefined) continue;
      const named = { pid, tid, name };
      this.named.set(tid, named);
      found.push(named);
    }
    return sampler.threadsStartedWithin(now, STARTING_MS);
  }

  /**
   * The threads this look found holding or asleep waiting for a GIL, and the others' stacks, for
   * the threads not seen before; their time is taken after the reads, so that a probe event of
   * theirs from before the reads comes before it (and the reader leaves them to it).
   */
  private noteGilUsers(pid: number, sampler: ProcessSampler, now: number): void {
    const found: GilAtAttach[] = [];
    const looked = sampler.attachLook(this.gilUsersSeen, this.idleSeen, now);
    const atNs = String(process.hrtime.bigint());
    for (const { tid, interp, holding, idle, cpu, stack } of looked) {
      if (idle) {
        // a thread idle at one look and waiting at a later one without a probe event of its own
        // between (the reader checks) was waiting all along: it is looked at again
        if (this.idleSeen.has(tid)) continue;
        this.idleSeen.add(tid);
        if (stack) found.push({ pid, tid, idle: true, atNs, stack });
        continue;
      }
      this.gilUsersSeen.add(tid);
      found.push({
        pid, tid, ...(interp ? { interp: interp.toString(16) } : {}), ...(holding ? { holding: true as const } : {}), atNs,
        cpu: cpu === 's' ? 'sleeping' : cpu === 'd' ? 'blocked' : cpu === 'q' ? 'runnable' : 'running', ...(stack ? { stack } : {}),
      });
    }
    this.gilUsers.push(...found);
    if (found.length > 0) this.onGilUsers?.(found);
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
