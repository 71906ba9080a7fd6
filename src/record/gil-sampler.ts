/**
 * The sampled mode's view of one Python process at one tick, read without probes or stops:
 * - who holds each GIL: the GIL's `locked` and `last_holder` in the process's memory
 *   (probe/gil-state-layout.ts), the holder's thread id from its PyThreadState;
 * - who waits: a thread asleep in a futex on an address inside a GIL's condition variables or
 *   mutexes (its /proc syscall file names the futex), or one that waited (or was forced to let go)
 *   and is on a CPU or waiting for one without the GIL, until it has run for more than a waiter
 *   does (see RAN_WAITING_NS); or one on a CPU (or woken) without the GIL while glibc counts more
 *   threads inside take_gil's wait than are seen waiting (uncountedWaiters);
 * - function context: the holder's Python stack (python-stack-reader.ts), as held when it let go,
 *   and a waiter's where it last held it, or (never seen holding) where it began to wait (its
 *   thread state found in the interpreters' lists);
 * - CPU state: /proc's `syscall` file says `running` for a thread on a CPU or waiting for one,
 *   else what it sleeps in; how long it waited for a CPU is told once it got one, by the
 *   kernel's run delay (schedstat: TickLooks.queuedFor). A sleeper whose schedstat did not
 *   change has not run since the last tick and is not read further (one read a tick for an idle
 *   thread). So a sleeper woken but not yet run counts as sleeping until its wait is told, and
 *   sleeping is not told from blocked (D).
 */
import * as fs from 'node:fs';
import { GiltraceError } from '../base/errors.js';
import { STACK_EVERY_TICKS, type SampledCpu, type SampledGil } from '../contract/sampled-recording.js';
import { gilPlaceOfStruct, gilReadsOf, type GilPlace, type GilReads } from '../probe/gil-state-layout.js';
import { GLIBC_COND_WREFS_SHIFT, libcCountsCondWaiters } from '../probe/cond-waiters.js';
import { ProcessMemory, u64At } from '../probe/process-memory.js';
import type { PythonRuntime } from '../probe/python-runtime.js';
import type { TickPids } from './last-pid.js';
import { PythonStackReader, type SampledStack } from './python-stack-reader.js';
import { RUNNING, SCHEDSTAT_SAME, ThreadFiles } from './thread-files.js';

export interface ThreadState {
  readonly gil: SampledGil;
  readonly cpu: SampledCpu;
  /** The Python stack it was last seen holding the GIL in (none: never, or no Python frame). */
  readonly heldStack?: SampledStack;
  /** Where it asked for the GIL, read when it began to wait. */
  readonly waitStack?: SampledStack;
  /**
   * Where it let the GIL go, read when first seen without it after holding or waiting for it, or
   * asleep without it again after it was switched: a thread without the GIL runs no Python, so
   * its stack then is the one that released it (the C call it is still in: a sleep, a lock, a
   * hash), line and all.
   */
  readonly releasedStack?: SampledStack;
  /** Which of the process's GILs (in order of discovery); -1 before the thread touched one. */
  readonly gilIndex: number;
  readonly name: string;
}

/**
 * How often the thread list and (3.12+) the interpreters' GILs are read again, ms; the thread
 * list only when a thread may have been made since (LastPid), and at least every
 * TASKS_ANYWAY_MS (to let go of ended threads not looked at).
 */
const TASKS_EVERY_MS = 10;
/** At most this many pids given out since are looked for one by one (refreshThreads); more: the list is read. */
const PIDS_LOOKED_FOR = 64;
const TASKS_ANYWAY_MS = 100;
const GILS_EVERY_MS = 250;
/** PyThreadState's interp pointer (after prev and next), where exact tracing's take_gil probe reads it (python-target.ts). */
const TSTATE_INTERP = 16;
/**
 * Holder samples list the threads less often: the list only vouches for the thread ids read from
 * thread states (a thread before 3.11 is found by its pthread_t among them), and a thread it does
 * not have yet is left out of the samples for that long at most.
 */
const HOLDER_TASKS_EVERY_MS = 100;
/** Thread names are read again this often (a thread may rename itself), ms. */
const NAME_EVERY_MS = 1000;
/** At most this many interpreters, and thread states in one, are walked (a corrupt list must not loop). */
const MAX_INTERPRETERS = 256;
const MAX_THREAD_STATES = 100_000;
/** A thread missing from the thread lists has them walked again at most this often, ms. */
const THREAD_LIST_EVERY_MS = 20;
/** glibc's x86-64 `struct pthread`: the tid sits at 0x2d0; other libcs are searched for. */
const GLIBC_PTHREAD_TID = 0x2d0;
const PTHREAD_SEARCH_BYTES = 4096;
/**
 * A thread asleep and unchanged for this long (ms: 32 looks at 1000 ticks a second) is then looked
 * at in turn with the other such threads: each at least every QUIET_EVERY_MS, and no more than
 * QUIET_LOOKS_PER_TICK of them a tick (a pool of 100 idle threads: each every 25 ticks), so that
 * idle threads cost little however many there are. In time, not ticks (since 12-06): slowed to
 * keep within its CPU budget (tick-budget.ts), the sampler kept 98 threads waking five times a
 * second, 13 ticks apart at 66 a second, from ever becoming quiet, read them all at every tick,
 * and slowed further.
 */
const QUIET_AFTER_MS = 32;
/**
 * A thread that had been quiet for LONG_REST_MS or more before it changed (a pool thread whose
 * sleep timed out, a slow poller) is quiet again after QUIET_AGAIN_AFTER_TICKS unchanged looks:
 * its next wake is far off, and the looks in between find nothing. Looked at every tick for
 * QUIET_AFTER_MS instead, 98 threads waking five times a second cost the sampler 25 % of a CPU.
 * A thread that rests less than that stays on QUIET_AFTER_MS, so that one busy every few ticks
 * is looked at every tick. Two looks, not four (12-06): 98 threads waking five times a second
 * cost 6.9 schedstat reads a tick instead of 8.1 (of ~14 reads in all).
 */
const LONG_REST_MS = 64;
const QUIET_AGAIN_AFTER_TICKS = 2;
const QUIET_EVERY_MS = 8;
const QUIET_LOOKS_PER_TICK = 4;
/**
 * A thread's entry function is looked for (entryOf) again ENTRY_FIRST_RETRY_MS after a try that
 * found none, twice as long after each next one up to ENTRY_RETRY_MS, for ENTRY_TRY_FOR_MS in all.
 * A thread per request lives a few ms and starts with only threading's frames: retried every
 * 100 ms from the start, an attached ThreadingHTTPServer's request threads were named 52 times
 * in 232 (the rest gone before a second try).
 */
const ENTRY_FIRST_RETRY_MS = 1;
const ENTRY_RETRY_MS = 100;
const ENTRY_TRY_FOR_MS = 2000;
/**
 * A thread in take_gil runs only to check the GIL between futex sleeps: more CPU time than this
 * since it last held the GIL or slept waiting for it is other code. (The kernel brings a running
 * thread's run time up to date every scheduler tick, 4 ms at 250 Hz.)
 */
const RAN_WAITING_NS = 3e6;
/** The longest a running thread's run time lags behind: one scheduler tick at 250 Hz (CONFIG_HZ of common kernels; 100 Hz kernels lag more). */
const SCHEDULER_TICK_NS = 4e6;

interface Thread {
  readonly tid: number;
  readonly files: ThreadFiles;
  /** Its run time (schedstat's first field) when last read. */
  runtime: number;
  name: string;
  namedAt: number;
  state?: ThreadState;
  /** Its run time when it was last seen holding the GIL or asleep waiting for it, and which. */
  runtimeAtGil: number;
  heldAtGil: boolean;
  /** Looks in a row at which its schedstat had not changed. */
  quietTicks: number;
  /** Ticks it was quiet for before it last changed (0: never quiet), and the tick it last became quiet at. */
  restedTicks: number;
  quietSinceTick: number;
  /** While seen waiting: the earliest its wait can have begun (the tick before it was first seen waiting). */
  waitFromNs: number;
  /** The GIL it was last seen asleep waiting for, and that GIL's switch_number then (attachLook). */
  asleepWaitingFor?: { readonly gilIndex: number; readonly switches: number };
  /** Which ticks look at it (see ProcessSampler.sample), the group it is kept in for that, and the last tick that did (number, time). */
  when: When;
  group?: Set<Thread>;
  lookedAt: number;
  lookedAtNs: number;
  /** Its syscall file as the tick's snapshot read it (a holder then), and which tick. */
  snapSyscall?: number;
  snapSyscallTick: number;
  /** Its PyThreadState, once a GIL named it holder (a thread keeps its state for life). */
  tstate?: number;
  /** Where it let the GIL go was read since it last held or waited for it (ThreadState.releasedStack). */
  releasedRead?: boolean;
  /** When it was not there yet: when the thread list was last known whole before the list (or the hold) that found it; -Infinity for those at the first list. */
  readonly absentAtNs: number;
  /** When the list (or the hold) that found it was read. */
  readonly listedAtNs: number;
}

/**
 * When a thread is looked at, from what it was doing the last time: every tick; only when the GIL
 * it sleeps waiting for changed hands (`waiting`: only taking the GIL ends that sleep); in turn
 * with the other idle threads (`quiet`: asleep and unchanged for QUIET_AFTER_MS); never
 * again (`gone`). Whatever the class, a thread holding a GIL is looked at.
 */
type When = 'every' | 'waiting' | 'quiet' | 'gone';

/** What one tick saw of a process: each thread it looked at (its state, changed or not), and the threads found gone. */
export interface TickLooks {
  readonly states: ReadonlyMap<number, ThreadState>;
  /**
   * Idle threads looked at in their turn (not holding a GIL now): ns since each was last looked
   * at, when a change seen now may have happened (for the others: since the previous tick).
   */
  readonly unseenFor: ReadonlyMap<number, number>;
  /**
   * Threads that waited for a CPU since their previous look (the kernel's run delay grew: it is
   * counted when a thread gets onto one): how long, ns. /proc says `R` for a thread on a CPU and
   * for one waiting for it; this says how long it waited, after the fact.
   */
  readonly queuedFor: ReadonlyMap<number, number>;
  /** Threads found gone, each with the ns since it was last seen there (its end lies in between). */
  readonly gone: ReadonlyMap<number, number>;
  /** The holders' stacks were read at this tick (every STACK_EVERY_TICKS): the tick's holder samples (H lines). */
  readonly stacksRead: boolean;
}

interface Gil {
  readonly place: GilPlace;
  /** The interpreter whose GIL it is, the main one when shared (3.12+; 0 before: the runtime's one GIL). */
  interp: number;
  /** The reads that fetch its fields each tick: one in a GIL struct, two for 3.6's static variables. */
  reads: GilReads;
  locked: boolean;
  holderTid: number;
  /** The holder's PyThreadState (0: none), as last read. */
  holderTstate: number;
  /** last_holder as it is: the holder, or once released, the thread that released it. */
  lastHolderTstate: number;
  /** switch_number: takes by a thread other than the last holder; and its value at the last tick. */
  switches: number;
  switchesBefore: number;
  /** Threads seen waiting for it at the last tick, and which. */
  waitersBefore: number;
  readonly waiterTidsBefore: number[];
  /** The earliest any of them can have begun to wait (Infinity: none waited). */
  earliestWaitBefore: number;
  /** The switch interval (ns): how long a waiter waits before it makes the holder let go. */
  intervalNs: number;
  /**
   * Its holder at the tick's snapshot (0: none), that holder's PyThreadState, and whether it
   * was asleep holding it then: the tick's one holder (see snapshot).
   */
  snapHolderTid: number;
  snapHolderTstate: number;
  snapHolderAsleep: boolean;
  /** Threads inside take_gil's wait on its `cond`, woken ones not yet run included, as glibc counts them (-1: not counted; cond-waiters.ts). */
  condWaiters: number;
}

/** A GIL's holder at a holder sample, and the Python stack it was running (none: no Python frame, or unreadable). */
export interface HolderNow {
  readonly tid: number;
  readonly stack?: SampledStack;
}

export class ProcessSampler {
  private readonly memory: ProcessMemory;
  private readonly threads = new Map<number, Thread>();
  /** Every GIL seen, in discovery order (the index is the GIL's id in the recording). */
  private readonly gils: Gil[] = [];
  private readonly fileBuffer = Buffer.alloc(512);
  private tasksAt = -Infinity;
  /**
   * When the thread list, as last read, was last known whole: when it was read, or later when
   * the last pid given out had not moved since (no thread made anywhere). A thread found after
   * that was not there yet then.
   */
  private tasksWholeAt = -Infinity;
  /** The last pid given out (LastPid) before the thread list was last read. */
  private lastPidAtTasks = Number.NaN;
  /** The last pid given out when refreshThreads last asked (NaN: not yet, or not known). */
  private lastPidRefreshed = Number.NaN;
  /** When it was last asked whether the thread list is to be read again. */
  private tasksCheckedAt = -Infinity;
  private gilsAt = -Infinity;
  private readonly tstateOfTid = new Map<number, number>();
  private threadListAt = -Infinity;
  /** When a thread was last first seen (adopt). */
  private lastAdoptedNs = -Infinity;
  private pthreadTidOffset: number | undefined;
  private readonly stacks: PythonStackReader | undefined;
  private ticks = 0;
  /** The tick whose GILs snapshot() read. */
  private snappedTick = 0;
  private lastTickNs = -Infinity;
  /** The threads by when they are looked at (Thread.when): waiters by GIL, quiet ones in turn (the longest unseen first). */
  private readonly everyTick = new Set<Thread>();
  private readonly asleepWaiting = new Map<number, Set<Thread>>();
  private readonly quiet = new Set<Thread>();
  /** Threads whose last state is holding a GIL. */
  private readonly seenHolding = new Set<Thread>();
  /** Threads whose last state is waiting for a GIL (asleep or not). */
  private readonly waiting = new Set<Thread>();
  /** Threads found gone this tick (by their thread list, between looks). */
  private goneNow = new Map<number, number>();
  /** Whether glibc's count of the waiters on each GIL's cond is read (undefined: not known yet; see countCondWaiters). */
  private condWaitersCounted: boolean | undefined;
  /** Set when /proc refuses a thread's syscall file: sleeping waiters cannot be told from idle threads then. */
  syscallDenied = false;
  /** What each thread was started to run (entryOf), or how often that was looked for. */
  private readonly entries = new Map<number, { name?: string; firstTryNs: number; retryMs: number; nextTryNs: number }>();
  /** A thread state's bytes up to its list pointer and its thread id (eachThreadState). */
  private tstateBytes = Buffer.alloc(0);

  /**
   * Ticks a millisecond at the period ticks are due (the sampler's rate, lowered where it keeps
   * within its CPU budget): what turns the quiet rules' times into looks.
   */
  private ticksPerMs = 1;

  /** Ticks are due every `ns` from now on. */
  setPeriod(ns: number): void {
    this.ticksPerMs = 1e6 / ns;
  }

  /** The looks (at least one) that span `ms` at the current period. */
  private looksIn(ms: number): number {
    return Math.max(1, Math.round(ms * this.ticksPerMs));
  }

  constructor(private readonly runtime: PythonRuntime) {
    try {
      this.memory = new ProcessMemory(runtime.pid);
    } catch (e) {
      throw new GiltraceError(memoryAccessProblem(runtime.pid, e as NodeJS.ErrnoException));
    }
    this.stacks = PythonStackReader.forVersion(this.memory, runtime.minor);
  }

  get pid(): number {
    return this.runtime.pid;
  }

  /** The process's threads as the last tick listed them (gone ones left out). */
  get threadIds(): number[] {
    return [...this.threads.values()].filter((t) => t.when !== 'gone').map((t) => t.tid);
  }

  /**
   * Looks, at `nowNs` (CLOCK_MONOTONIC), at the threads whose state may have changed since the
   * last tick: the others are as they were. undefined once the process is gone (or exec'd).
   * Throws a GiltraceError when what it reads is not a GIL (a build whose layout differs from the
   * tables): better no numbers than wrong ones.
   *
   * The work of a tick follows the threads that move, not all the threads: a thread asleep waiting
   * for a GIL that did not change hands, or an idle one whose turn it is not, is not even visited
   * (sampling a program with 98 idle threads cost 23-27 % of a CPU when each was visited every
   * tick to be skipped; 14-16 % so).
   */
  sample(nowNs: number, pids?: TickPids): TickLooks | undefined {
    const snapped = this.snappedTick === this.ticks + 1;
    this.ticks++;
    this.goneNow = new Map();
    if (this.tasksDue(nowNs, pids) && !this.readTasks(nowNs, pids)) return undefined;
    if (!snapped) {
      if (!this.readGils(nowNs)) return undefined;
      this.snapHolders(nowNs, this.ticks);
    }
    const states = new Map<number, ThreadState>();
    const unseenFor = new Map<number, number>();
    const queuedFor = new Map<number, number>();
    const due = this.dueThreads(nowNs);
    for (let i = 0; i < due.length; i++) {
      const thread = due[i];
      if (thread.lookedAt === this.ticks) continue;
      const firstLook = thread.lookedAt === 0 && thread.absentAtNs > -Infinity;
      thread.lookedAt = this.ticks;
      const wasQuiet = thread.when === 'quiet';
      const runDelayBefore = thread.files.runDelay;
      const state = this.threadState(thread.tid, thread, nowNs);
      if (state === undefined) {
        this.goneNow.set(thread.tid, nowNs - thread.lookedAtNs);
        this.placeThread(thread, 'gone');
        // a holder at the snapshot that ended before its look held the GIL then (a thread per
        // task lives less than a millisecond)
        const hold = this.heldAtSnapshot(thread);
        if (hold) states.set(thread.tid, (thread.state = hold));
        continue;
      }
      states.set(thread.tid, (thread.state = state));
      // Not at its first look: a new thread's waits since it was made (it waits for a CPU first),
      // put before its first change, made its life longer than exactly: its start, placed halfway
      // since it may have been made, is already as early as it was on average (236 handler
      // threads of an HTTP server lived 1 780 ms sampled so against 1 614 exactly, 1 654 not)
      const queued = thread.files.runDelay - runDelayBefore;
      if (runDelayBefore >= 0 && queued > 0) queuedFor.set(thread.tid, queued);
      if (state.gil === 'h') this.seenHolding.add(thread);
      else this.seenHolding.delete(thread);
      if (state.gil === 'w' && (state.cpu === 's' || state.cpu === 'd')) thread.asleepWaitingFor = { gilIndex: state.gilIndex, switches: this.gils[state.gilIndex]?.switches ?? -1 };
      if (wasQuiet && thread.quietTicks === 0) thread.restedTicks = this.ticks - thread.quietSinceTick;
      // what an idle thread's turn finds changed may be as old as its last look (not a hold: the
      // GIL said at the last tick who held it)
      if (wasQuiet && state.gil !== 'h') unseenFor.set(thread.tid, nowNs - thread.lookedAtNs);
      // First seen since the process's first tick, not holding (a hold is the snapshot's, begun
      // since the last tick): made since the thread list was last known whole (absentAtNs), as
      // likely at any moment since. A thread per request is listed up to TASKS_EVERY_MS late: its start placed
      // since the last tick only, 210 such threads lived 1 036 ms sampled against 1 210 exactly
      // and waited 513 ms against 825 (they wait as they start; 12-06, both recordings of a run).
      if (firstLook && state.gil !== 'h') unseenFor.set(thread.tid, nowNs - thread.absentAtNs);
      thread.lookedAtNs = nowNs;
      this.placeThread(thread, this.whenNext(thread));
    }
    for (const gil of this.gils) {
      gil.waitersBefore = 0;
      gil.waiterTidsBefore.length = 0;
      gil.earliestWaitBefore = Infinity;
    }
    for (const thread of this.waiting) {
      const gil = this.gils[thread.state!.gilIndex];
      gil.waitersBefore++;
      gil.waiterTidsBefore.push(thread.tid);
      gil.earliestWaitBefore = Math.min(gil.earliestWaitBefore, thread.waitFromNs);
    }
    this.lastTickNs = nowNs;
    return { states, unseenFor, queuedFor, gone: this.goneNow, stacksRead: this.stacks !== undefined && this.ticks % STACK_EVERY_TICKS === 0 };
  }

  /**
   * Reads the GILs for the next sample(): who holds each at this moment (the tick's snapshot,
   * taken first thing when the tick's timer fires; the threads are looked at after). false once
   * the process is gone (or exec'd).
   */
  snapshot(nowNs: number): boolean {
    if (!this.readGils(nowNs)) return false;
    this.snappedTick = this.ticks + 1;
    this.snapHolders(nowNs, this.snappedTick);
    return true;
  }

  /**
   * Each GIL's holder as just read, and whether it sleeps holding it: its syscall file read now,
   * and when asleep, the GIL again (it may have let go in the µs between: then it held the GIL
   * running). The tick reports these holders, whatever its later looks find: a look comes tens
   * of µs later, more on busy CPUs, and a hold of a few µs is over by then. (Two threads handing
   * work back and forth through threading.Event, each holding ~10 µs at a time: sampled holding
   * 0.06 of the run when a holder asleep at its look was read as having let go; 0.45 so, against
   * 0.43-0.45 of GIL reads alone at 1 kHz.)
   */
  private snapHolders(nowNs: number, tick: number): void {
    for (const gil of this.gils) {
      const tid = gil.holderTid;
      const tstate = gil.holderTstate;
      let asleep = false;
      const holder = this.holderOf(gil, nowNs)[0];
      if (holder) {
        const syscall = holder.files.readSyscall();
        asleep = syscall !== undefined && syscall !== RUNNING && this.readGil(gil, true) && gil.holderTid === tid;
        Object.assign(holder, { snapSyscall: syscall, snapSyscallTick: tick });
      }
      Object.assign(gil, { snapHolderTid: tid, snapHolderTstate: tstate, snapHolderAsleep: asleep });
    }
  }

  /**
   * The OS name of a thread whose `comm` could not be read (it ended): as last read, or if never,
   * the main thread's: a thread starts with the name of the one that made it, most often the
   * main one (a blank name made a row apart from its siblings, a thread per request, 12-06).
   */
  private nameOfGone(thread: Thread): string {
    return thread.name || this.threads.get(this.pid)?.name || '';
  }

  /** A thread's state when it held a GIL at the tick's snapshot and is gone by its look. */
  private heldAtSnapshot(thread: Thread): ThreadState | undefined {
    const gilIndex = this.gils.findIndex((g) => g.snapHolderTid === thread.tid);
    if (gilIndex < 0) return undefined;
    const heldStack = thread.state?.heldStack;
    return { gil: 'h', cpu: 'r', gilIndex, name: this.nameOfGone(thread), ...(heldStack ? { heldStack } : {}) };
  }

  /**
   * Who holds each GIL now and the Python stack it runs: the holder samples of exact recordings
   * (the probes see where a hold ends, not what ran during it). Reads the GILs and each holder's
   * stack only, no thread's /proc files. undefined once the process is gone (or exec'd).
   */
  holders(nowNs: number): HolderNow[] | undefined {
    if (nowNs - this.tasksAt >= HOLDER_TASKS_EVERY_MS * 1e6 && !this.readTasks(nowNs)) return undefined;
    if (!this.readGils(nowNs)) return undefined;
    const held: HolderNow[] = [];
    for (const gil of this.gils) {
      if (gil.holderTid === 0) continue;
      const stack = this.stacks?.stackOf(gil.holderTstate);
      held.push({ tid: gil.holderTid, ...(stack ? { stack } : {}) });
    }
    return held;
  }

  /** The code object at `code` (a drop probe's code address) as a one-frame stack, with its file pointer and name bytes; undefined when it cannot be read. */
  codeStack(code: number, recheck: boolean): { readonly stack: SampledStack; readonly filePtr: number; readonly nameTag: string } | undefined {
    return this.stacks?.codeAt(code, recheck);
  }

  /**
   * The Python stacks of all the process's threads, whatever they do: for an exact recording's
   * holder samples, which tell the lines of the code objects they see (B lines), so that a drop
   * in code no holder sample caught running (a thread that holds the GIL only between its I/O
   * calls) has its line too. The thread lists are walked anew each time.
   */
  threadStacks(): SampledStack[] {
    if (!this.stacks) return [];
    const out: SampledStack[] = [];
    this.eachThreadState((tstate) => {
      const stack = this.stacks!.stackOf(tstate);
      if (stack) out.push(stack);
    });
    return out;
  }

  /**
   * Every PyThreadState in the interpreters' thread lists (at most MAX_THREAD_STATES an
   * interpreter), with the thread id it holds as read (0: none yet; see tidOf): its list pointer
   * and its id are read together, in one read a thread state.
   */
  private eachThreadState(visit: (tstate: number, id: number) => void): void {
    const { address, layout } = this.runtime;
    const list = layout.threadList;
    const idAt = layout.threadId.offset;
    const span = Math.max(list.next, idAt) + 8;
    if (this.tstateBytes.length < span) this.tstateBytes = Buffer.alloc(span);
    const bytes = this.tstateBytes;
    let interp = this.memory.readU64(address + list.interpreters) ?? 0;
    for (let i = 0; interp !== 0 && i < MAX_INTERPRETERS; i++) {
      let tstate = this.memory.readU64(interp + list.head) ?? 0;
      for (let j = 0; tstate !== 0 && j < MAX_THREAD_STATES; j++) {
        if (!this.memory.readInto(tstate, bytes, span)) break;
        visit(tstate, u64At(bytes, idAt));
        tstate = u64At(bytes, list.next);
      }
      interp = this.memory.readU64(interp + list.interpNext) ?? 0;
    }
  }

  /**
   * What an attach needs to know of the threads not in `seen`, as of the last tick (a waiter not
   * looked at then is as it was: see dueThreads): those holding a GIL or asleep waiting for one,
   * each with its interpreter (what exact tracing's take_gil probe reads from 3.12 on:
   * `tstate->interp`, the word after the thread list's links; a waiter's: that of the GIL it
   * waits for; 0 before 3.12), its CPU state and Python stack; they may have begun to hold or wait
   * before the probes were there, and then no take_gil entry says so. The others (`idle`) with
   * their stack now (unless in `stackKnown`): where they let the GIL go, where their first wait
   * will ask for it.
   */
  attachLook(seen: ReadonlySet<number>, stackKnown: ReadonlySet<number>, nowNs: number): { tid: number; interp: number; holding: boolean; idle: boolean; cpu: SampledCpu; stack?: SampledStack }[] {
    const out: { tid: number; interp: number; holding: boolean; idle: boolean; cpu: SampledCpu; stack?: SampledStack }[] = [];
    for (const { tid, state, when, asleepWaitingFor } of this.threads.values()) {
      if (state === undefined || when === 'gone' || seen.has(tid)) continue;
      const holding = state.gil === 'h';
      // Asleep waiting at an earlier look and on a CPU now: take_gil's timed wait wakes it every
      // interval (for long, on busy CPUs). Leaving take_gil takes the GIL: while the same other
      // thread holds it and its switch_number stands still, it is still in there.
      const waitedFor = asleepWaitingFor && this.gils[asleepWaitingFor.gilIndex];
      const stillWaiting = !holding && waitedFor !== undefined && waitedFor.locked && waitedFor.holderTid !== tid && waitedFor.switches === asleepWaitingFor!.switches;
      const gil = stillWaiting ? waitedFor : this.gils[state.gilIndex];
      if (!gil || (!holding && !stillWaiting && (state.gil !== 'w' || (state.cpu !== 's' && state.cpu !== 'd')))) {
        const tstate = this.stacks && !stackKnown.has(tid) ? this.tstateOf(tid, nowNs) : undefined;
        const stack = tstate ? this.stacks!.stackOf(tstate) : undefined;
        out.push({ tid, interp: 0, holding: false, idle: true, cpu: state.cpu, ...(stack ? { stack } : {}) });
        continue;
      }
      // the holder's own state says its interpreter; a waiter waits for the GIL of the one that has it
      const interp = (holding && gil.snapHolderTstate && this.memory.readU64(gil.snapHolderTstate + TSTATE_INTERP)) || gil.interp;
      const stack = holding ? state.heldStack : state.waitStack;
      out.push({ tid, interp, holding, idle: false, cpu: state.cpu, ...(stack ? { stack } : {}) });
    }
    return out;
  }

  /**
   * The threads to look at this tick: those looked at every tick, the waiters of each GIL that
   * changed hands (or is free), the quiet ones whose turn it is, and the holders.
   */
  private dueThreads(nowNs: number): Thread[] {
    // the holders first: the GILs were read a moment ago, and a short hold is over soon; then
    // those last seen holding, whatever their class (one asleep holding for long is quiet: its
    // release is seen now, not at its turn, after the next holder's take)
    const due = this.gils.flatMap((gil) => this.holderOf(gil, nowNs, gil.snapHolderTid));
    due.push(...this.seenHolding, ...this.everyTick);
    // Asleep waiting for a GIL that is held and that changed hands at most once since: only
    // taking the GIL ends that sleep, and a waiter's take moves switch_number (the last holder
    // was another thread), as does the next thread's take after it let go: a waiter that took
    // the GIL since moved it twice, or holds it now (looked at as the holder). Nothing to read (in
    // a contended program, most threads are such most of the time: four crunchers, a read a tick
    // less than with waiters read at every change of hands).
    for (const [index, waiters] of this.asleepWaiting) {
      const gil = this.gils[index];
      if (gil.switchesBefore >= 0 && ((gil.switches - gil.switchesBefore) >>> 0) <= 1 && gil.locked) continue;
      due.push(...waiters);
    }
    // the longest unseen first (a thread looked at goes to the end of the turn again)
    let turns = QUIET_LOOKS_PER_TICK;
    for (const thread of this.quiet) {
      if (turns-- <= 0 || this.ticks - thread.lookedAt < this.looksIn(QUIET_EVERY_MS)) break;
      due.push(thread);
    }
    return due;
  }

  /** The thread holding a GIL as last read, when there is one to look at. */
  private holderOf(gil: Gil, nowNs: number, tid = gil.holderTid): Thread[] {
    if (tid === 0) return [];
    // a thread younger than the last listing (one started per request lives a few ms): its
    // hold is seen now, not left out of every number
    const holder = this.threads.get(tid) ?? (this.isTask(tid) ? this.adopt(tid, nowNs) : undefined);
    return holder && holder.when !== 'gone' ? [holder] : [];
  }

  /** Whether `tid` is a thread of this process now (its /proc entry is there). */
  private isTask(tid: number): boolean {
    return fs.existsSync(`/proc/${this.pid}/task/${tid}`);
  }

  /**
   * When a thread just looked at is to be looked at next. Not as a waiter, a thread found gone: it
   * took the GIL to finish, and must not come back.
   */
  private whenNext(thread: Thread): When {
    const state = thread.state!;
    const asleep = state.cpu === 's' || state.cpu === 'd';
    if (asleep && state.gil === 'w' && !thread.files.exited) return 'waiting';
    const after = thread.restedTicks >= this.looksIn(LONG_REST_MS) ? QUIET_AGAIN_AFTER_TICKS : Math.max(QUIET_AGAIN_AFTER_TICKS, this.looksIn(QUIET_AFTER_MS));
    if (asleep && thread.quietTicks >= after) return 'quiet';
    return 'every';
  }

  private placeThread(thread: Thread, when: When): void {
    if (when === 'quiet' && thread.when !== 'quiet') thread.quietSinceTick = this.ticks;
    if (when === 'gone') this.seenHolding.delete(thread);
    thread.group?.delete(thread);
    this.waiting.delete(thread);
    thread.when = when;
    thread.group = when === 'every' ? this.everyTick : when === 'quiet' ? this.quiet : when === 'waiting' ? this.waitersOf(thread.state!.gilIndex) : undefined;
    thread.group?.add(thread);
    if (when !== 'gone' && thread.state?.gil === 'w') this.waiting.add(thread);
  }

  private waitersOf(gilIndex: number): Set<Thread> {
    let waiters = this.asleepWaiting.get(gilIndex);
    if (!waiters) this.asleepWaiting.set(gilIndex, (waiters = new Set()));
    return waiters;
  }

  /**
   * The function a thread was started to run (`threading`'s target, or a Thread subclass's run),
   * read from its outermost frames: a name for the threads of processes that do not tell theirs
   * (attached ones). Looked for when the thread is first asked about, then again and again less
   * often (a thread just started may not have reached its target) for ENTRY_TRY_FOR_MS.
   */
  entryOf(tid: number, nowNs: number): string | undefined {
    if (!this.stacks) return undefined;
    let entry = this.entries.get(tid);
    if (!entry) this.entries.set(tid, (entry = { firstTryNs: nowNs, retryMs: ENTRY_FIRST_RETRY_MS, nextTryNs: nowNs }));
    if (entry.name !== undefined || nowNs < entry.nextTryNs || nowNs - entry.firstTryNs > ENTRY_TRY_FOR_MS * 1e6) return entry.name;
    entry.nextTryNs = nowNs + entry.retryMs * 1e6;
    entry.retryMs = Math.min(2 * entry.retryMs, ENTRY_RETRY_MS);
    const tstate = this.tstateOf(tid, nowNs);
    entry.name = tstate ? this.stacks.entryOf(tstate) : undefined;
    return entry.name;
  }

  /** Whether a thread was first seen in the last `ms`: the process is starting threads. */
  threadsStartedWithin(nowNs: number, ms: number): boolean {
    return nowNs - this.lastAdoptedNs < ms * 1e6;
  }

  close(): void {
    this.memory.close();
    for (const thread of this.threads.values()) {
      this.placeThread(thread, 'gone');
      thread.files.close();
    }
    this.threads.clear();
  }

  /**
   * Adopts the process's threads made since it was last asked, and does nothing else: between
   * samples, so that a thread of a few ms is seen and named before it ends. Each pid given out
   * since (LastPid) is looked for among the process's threads in /proc (one small call each):
   * listing them all instead costs ~170 µs for 100 threads here, ~2 ms for 1 000, and on a busy
   * machine pids are given out all the time. The list is read (when due: TASKS_EVERY_MS) when
   * more than PIDS_LOOKED_FOR were given out, the pids wrapped, or the last one is not known.
   * false when the process is gone.
   */
  refreshThreads(nowNs: number, pids: TickPids): boolean {
    const last = pids.last();
    const from = this.lastPidRefreshed;
    this.lastPidRefreshed = last;
    if (last === from) return true;
    if (!(last > from && last - from <= PIDS_LOOKED_FOR)) return !this.tasksDue(nowNs, pids) || this.readTasks(nowNs, pids);
    for (let tid = from + 1; tid <= last; tid++) if (!this.threads.has(tid) && this.isTask(tid)) this.adopt(tid, nowNs);
    return true;
  }

  /** Whether the thread list is to be read again (see TASKS_EVERY_MS). */
  private tasksDue(nowNs: number, pids: TickPids | undefined): boolean {
    if (nowNs - this.tasksCheckedAt < TASKS_EVERY_MS * 1e6) return false;
    this.tasksCheckedAt = nowNs;
    if (pids === undefined || nowNs - this.tasksAt >= TASKS_ANYWAY_MS * 1e6 || pids.last() !== this.lastPidAtTasks) return true;
    this.tasksWholeAt = nowNs;
    return false;
  }

  private readTasks(nowNs: number, pids?: TickPids): boolean {
    const wholeBefore = this.tasksWholeAt;
    // before the list: a thread made while it is read is listed next time
    const lastPid = pids?.last() ?? Number.NaN;
    const stoodStill = lastPid === this.lastPidAtTasks;
    this.lastPidAtTasks = lastPid;
    let tids: number[];
    try {
      tids = fs.readdirSync(`/proc/${this.pid}/task`).map(Number);
    } catch {
      return false;
    }
    this.tasksAt = nowNs;
    this.tasksWholeAt = nowNs;
    const live = new Set(tids);
    for (const [tid, thread] of this.threads) {
      if (!live.has(tid)) {
        // gone between two looks at it
        if (thread.when !== 'gone') this.goneNow.set(tid, nowNs - thread.lookedAtNs);
        this.placeThread(thread, 'gone');
        thread.files.close();
        this.threads.delete(tid);
        this.entries.delete(tid);
      }
    }
    for (const tid of tids) {
      if (this.threads.has(tid)) continue;
      this.adopt(tid, nowNs, wholeBefore);
      // made while the last pid stood still (a holder adopted since the last list is known)
      if (stoodStill) pids!.missed();
    }
    return true;
  }

  /** A thread of the process not known yet, looked at every tick from now on. */
  private adopt(tid: number, nowNs: number, absentAtNs = this.tasksWholeAt): Thread {
    const thread: Thread = {
      tid, files: new ThreadFiles(`/proc/${this.pid}/task/${tid}`, this.fileBuffer), runtime: 0, name: '', namedAt: -Infinity,
      runtimeAtGil: 0, heldAtGil: false, snapSyscallTick: 0, quietTicks: 0, restedTicks: 0, quietSinceTick: 0, waitFromNs: -Infinity, when: 'gone', lookedAt: 0, lookedAtNs: nowNs, absentAtNs, listedAtNs: nowNs,
    };
    this.threads.set(tid, thread);
    this.placeThread(thread, 'every');
    this.lastAdoptedNs = nowNs;
    return thread;
  }

  /** Every GIL read now (found again when due); false when the process is gone or exec'd. */
  private readGils(nowNs: number): boolean {
    // until the interpreter has made its GIL (a process found right after its exec), every tick
    if (this.gils.length === 0 || nowNs - this.gilsAt >= GILS_EVERY_MS * 1e6) {
      // the runtime unreadable: the process exec'd (its memory is another program's now) or is
      // going away; the session looks at the pid afresh
      if (this.memory.readU64(this.runtime.address) === undefined) return false;
      this.findGils(nowNs);
    }
    for (const gil of this.gils) if (!this.readGil(gil)) return false;
    return true;
  }

  /** The interpreters' GILs: one in the runtime before 3.12, one per interpreter after (shared or own). */
  private findGils(nowNs: number): void {
    this.gilsAt = nowNs;
    const { layout, address, staticGil } = this.runtime;
    const found: { place: GilPlace; interp: number }[] = [];
    if (staticGil) found.push({ place: staticGil, interp: 0 });
    else if (layout.runtimeGil !== undefined) found.push({ place: gilPlaceOfStruct(address + layout.runtimeGil), interp: 0 });
    else if (layout.interpreters) {
      let interp = this.memory.readU64(address + layout.interpreters.head) ?? 0;
      for (let n = 0; interp !== 0 && n < MAX_INTERPRETERS; n++) {
        const gil = this.memory.readU64(interp + layout.interpreters.gil);
        if (gil) found.push({ place: gilPlaceOfStruct(gil), interp });
        interp = this.memory.readU64(interp + layout.interpreters.next) ?? 0;
      }
    }
    for (const { place, interp } of found) {
      // a GIL shared by interpreters is the main one's, which the list has last
      const known = this.gils.find((g) => g.place.locked === place.locked);
      if (known) known.interp = interp;
      else {
        this.gils.push({
          place, interp, reads: gilReadsOf(place, this.condWaitersCounted === true), locked: false, holderTid: 0, holderTstate: 0, lastHolderTstate: 0, switches: -1, switchesBefore: -1,
          waitersBefore: 0, waiterTidsBefore: [], earliestWaitBefore: Infinity, intervalNs: 0, condWaiters: -1, snapHolderTid: 0, snapHolderTstate: 0, snapHolderAsleep: false,
        });
      }
    }
  }

  /**
   * False when the GIL cannot be read: its process exec'd or is going away. `again`: a second
   * read in the same tick (see threadState), which leaves the tick's `switchesBefore` as it was.
   */
  private readGil(gil: Gil, again = false): boolean {
    const { spans, fields } = gil.reads;
    for (const span of spans) if (!this.memory.readInto(span.address, span.bytes)) return false;
    const locked = spans[fields.locked.span].bytes.readInt32LE(fields.locked.offset);
    const interval = spans[fields.interval.span].bytes.readUInt32LE(fields.interval.offset);
    // -1: not made yet or destroyed; a set lock with no switch interval is not a GIL
    if (locked < -1 || locked > 1 || (locked === 1 && interval === 0)) {
      throw new GiltraceError(`its GIL state does not look like CPython 3.${this.runtime.minor}'s (locked ${locked}, interval ${interval}): an unusual build; use exact tracing`);
    }
    gil.locked = locked === 1;
    gil.intervalNs = interval * 1000;
    const holderBytes = spans[fields.lastHolder.span].bytes;
    const holder = u64At(holderBytes, fields.lastHolder.offset);
    if (!again) gil.switchesBefore = gil.switches;
    // the low 32 bits are enough to see it move between two ticks
    gil.switches = spans[fields.switchNumber.span].bytes.readUInt32LE(fields.switchNumber.offset);
    gil.lastHolderTstate = holder;
    const waiters = fields.condWaiters;
    gil.condWaiters = waiters ? spans[waiters.span].bytes.readUInt32LE(waiters.offset) >>> GLIBC_COND_WREFS_SHIFT : -1;
    gil.holderTstate = gil.locked ? holder : 0;
    gil.holderTid = gil.locked && holder !== 0 ? this.tidOf(holder) : 0;
    if (this.condWaitersCounted === undefined && interval > 0) this.countCondWaiters();
    return true;
  }

  /**
   * Whether the process's C library counts the waiters on the GILs' cond (cond-waiters.ts): asked
   * once its interpreter has set a GIL up (a process is found as soon as it maps its libpython,
   * which the dynamic loader may do before it maps libc). From then on each GIL read fetches it.
   */
  private countCondWaiters(): void {
    let mapped: string[] = [];
    try {
      mapped = fs.readFileSync(`/proc/${this.pid}/maps`, 'latin1').split('\n').map((line) => line.split(/\s+/)[5] ?? '');
    } catch {
      // gone: read as not counted
    }
    this.condWaitersCounted = libcCountsCondWaiters(mapped);
    if (this.condWaitersCounted) for (const gil of this.gils) gil.reads = gilReadsOf(gil.place, true);
  }

  /**
   * The PyThreadState of a thread: the interpreters' thread lists are walked again when a thread
   * is not in them (at most every THREAD_LIST_EVERY_MS).
   */
  private tstateOf(tid: number, nowNs: number): number | undefined {
    const known = this.tstateOfTid.get(tid);
    // (a thread listed since the last walk may be new to the lists too: a thread per request is
    // named by its stack before it ends, a few ms on)
    const newer = (this.threads.get(tid)?.listedAtNs ?? -Infinity) > this.threadListAt;
    if (known !== undefined || (!newer && nowNs - this.threadListAt < THREAD_LIST_EVERY_MS * 1e6)) return known;
    this.threadListAt = nowNs;
    this.tstateOfTid.clear();
    this.eachThreadState((tstate, id) => {
      const owner = this.tidOfId(id);
      if (owner !== 0) this.tstateOfTid.set(owner, tstate);
    });
    return this.tstateOfTid.get(tid);
  }

  /**
   * Whether a thread seen waiting at the last tick, on a CPU now without the GIL, took the GIL
   * since and gave it up again (C code, I/O): it was the one released last (last_holder, the GIL
   * free now), or the GIL changed hands at least twice since (switch_number moves only when
   * another thread than the last holder takes it) and the only threads that wanted it at the
   * last tick were this one and the holder now: the takes in between were this thread's.
   * Without this, such a thread counted as waiting until it had run RAN_WAITING_NS: a thread
   * hashing in C between short holds (hot_and_hasher.py) waited 0.43 of its life instead of 0.32.
   */
  private tookSinceLastTick(gil: Gil, tid: number, nowNs: number): boolean {
    if (!gil.locked && gil.lastHolderTstate !== 0 && gil.lastHolderTstate === this.tstateOf(tid, nowNs)) return true;
    const switched = gil.switchesBefore >= 0 && ((gil.switches - gil.switchesBefore) >>> 0) >= 2;
    const holder = gil.holderTid;
    return switched && holder !== 0 && holder !== tid && gil.waiterTidsBefore.every((w) => w === tid || w === holder);
  }

  /**
   * Whether glibc counts more threads inside take_gil's wait on this GIL (cond-waiters.ts) than
   * the threads seen waiting for it, `thread` left out: then `thread`, on a CPU or waiting for one
   * without the GIL, may be one (woken, not yet run: /proc says `running` for it as for a thread
   * running C code). Asked with the count read at the tick's start, and again with the count read
   * when the thread is looked at (the GIL was read a few hundred µs before a busy process's last
   * look). Without it, a thread that took and let go of the GIL between two ticks and asks for it
   * again counted as running without it (thread_per_task.py: the main thread, starting a thread
   * and joining it, waited 0.28 of its life sampled against 0.50 exactly; 224 of the 233 looks
   * that missed its wait found a waiter glibc counted and nobody was seen being, 3 of the 147
   * looks at it running without waiting did).
   */
  private uncountedWaiters(gilIndex: number, thread: Thread): boolean {
    const gil = this.gils[gilIndex];
    return gil.condWaiters > this.seenWaiting(gilIndex, thread);
  }

  /** Reads a GIL again in this tick (see readGil). */
  private readGilAgain(gilIndex: number): boolean {
    return this.readGil(this.gils[gilIndex], true);
  }

  /** The threads whose latest state is waiting for a GIL, other than `except`. */
  private seenWaiting(gilIndex: number, except: Thread): number {
    let n = 0;
    for (const t of this.waiting) if (t !== except && t.state!.gilIndex === gilIndex) n++;
    return n;
  }

  /**
   * Whether the thread seen holding this GIL at the last tick, on a CPU now without it, let go of
   * its own (C code, I/O) rather than being made to: a holder is made to let go only by a waiter
   * that has waited a whole switch interval, and none of the waiters at the last tick can have
   * waited that long by now (one that began since has waited less still). Then it does not want
   * the GIL back.
   */
  private releasedOfItsOwn(gil: Gil, nowNs: number): boolean {
    return gil.earliestWaitBefore > nowNs - gil.intervalNs;
  }

  /**
   * The OS thread id of a PyThreadState, read each time: nothing is kept by address. Thread
   * states are freed with their threads and the next thread's is made at the same address (a
   * thread per task: every one of them, 3.12), so a kept answer named a thread that was gone and
   * its holds went missing (a program starting a thread per task, one after another: its tasks
   * sampled holding 45 ms against 835 ms exactly). And up to 3.11 a new thread's state is made
   * by the thread that starts it, with that thread's ids, until it runs: a read in between names
   * the parent, and kept, gave it the new thread's holds for good.
   */
  private tidOf(tstate: number): number {
    return this.tidOfId(this.memory.readU64(tstate + this.runtime.layout.threadId.offset));
  }

  /** The OS thread id of the id a thread state holds (tidOf). */
  private tidOfId(id: number | undefined): number {
    if (id === undefined || id === 0) return 0;
    return this.runtime.layout.threadId.kind === 'native' ? id : this.tidInPthread(id);
  }

  /**
   * Before 3.11 a thread state knows only its pthread_t: libc's thread struct, which holds the
   * tid at an offset of libc's choosing. glibc's first; else the first 32-bit value in the struct
   * that is a live thread of the process, kept once found.
   */
  private tidInPthread(pthread: number): number {
    if (this.pthreadTidOffset !== undefined) {
      const tid = this.memory.readI32(pthread + this.pthreadTidOffset) ?? 0;
      if (tid > 0 && (this.threads.has(tid) || this.isTask(tid))) return tid;
    }
    const bytes = Buffer.alloc(PTHREAD_SEARCH_BYTES);
    if (!this.memory.readInto(pthread, bytes)) return 0;
    for (const offset of [GLIBC_PTHREAD_TID, ...Array.from({ length: PTHREAD_SEARCH_BYTES / 4 }, (_, i) => i * 4)]) {
      const tid = bytes.readInt32LE(offset);
      if (tid > 0 && this.threads.has(tid)) {
        this.pthreadTidOffset = offset;
        return tid;
      }
    }
    return 0;
  }

  private threadState(tid: number, thread: Thread, nowNs: number): ThreadState | undefined {
    const previous = thread.state;
    const switchInsBefore = thread.files.switchIns;
    const read = thread.files.readSchedstat();
    if (read === undefined) return undefined;
    const same = read === SCHEDSTAT_SAME;
    thread.quietTicks = same ? thread.quietTicks + 1 : 0;
    if (nowNs - thread.namedAt >= NAME_EVERY_MS * 1e6) {
      thread.name = thread.files.read('comm')?.trimEnd() ?? this.nameOfGone(thread);
      thread.namedAt = nowNs;
    }
    // Asleep at the last tick and not run since (same run time, same count of runs): nothing it
    // does changed. Not so for a thread that was on a CPU or waiting for one: a running thread's
    // run time is only brought up to date at scheduler ticks and switches.
    // (and holding a GIL now if and only if it was then: a thread the GIL reads name its holder is
    // one, however it was seen before; a look that missed that, a process's first, kept an
    // attached program's holder, asleep in a C call, idle for the rest of its hold: 1 attach in 15)
    const asleep = previous?.cpu === 's' || previous?.cpu === 'd';
    const holdsAsBefore = previous?.gil === 'h' ? this.gils[previous.gilIndex]?.snapHolderTid === tid : !this.gils.some((g) => g.snapHolderTid === tid);
    if (previous && asleep && holdsAsBefore && same && previous.name === thread.name) return previous;
    const runtime = same ? thread.runtime : read;
    thread.runtime = runtime;
    // On a CPU or waiting for one at the last look, and not switched since (leaving a CPU brings
    // the run time up to date, getting one counts a run): so it still is, as its syscall file would
    // say. A thread running Python reads so three looks in four (a scheduler tick brings a running
    // thread's run time up to date every 4 ms at 250 Hz).
    const stillOnCpu = same && previous?.cpu === 'r';
    // a holder's as the snapshot read it: what it was doing while it held (and a read fewer)
    const syscall = stillOnCpu ? RUNNING : thread.snapSyscallTick === this.ticks ? thread.snapSyscall : thread.files.readSyscall();
    if (syscall === undefined) this.syscallDenied ||= thread.files.denied;
    // /proc says `running` for a thread on a CPU or waiting for one
    const onCpu = syscall === undefined || syscall === RUNNING;
    // running or waiting to: how long it waited is told once it runs (queuedFor)
    let cpu: SampledCpu = onCpu ? 'r' : 's';
    let gil: SampledGil = 'n';
    let gilIndex = previous?.gilIndex ?? -1;
    // The tick's holder is the one its snapshot found (snapHolders), asleep holding then or on a
    // CPU, whatever this look finds: the GILs were read first thing, this thread's files up to
    // milliseconds later. (A look that read the GIL again for a holder asleep by then: the main
    // thread of a thread per task, holding for 85 µs at a time between its joins, was sampled
    // holding asleep 192 ms against 7 ms exactly; a holder's hold of a few µs, over by its look,
    // was lost.)
    const holding = this.gils.findIndex((g) => g.snapHolderTid === tid);
    let heldStack = previous?.heldStack;
    const ownState = holding >= 0 ? this.gils[holding].snapHolderTstate : 0;
    // asleep now, having let go since: where it will ask for the GIL back (a thread holding for
    // µs between C calls and sleeps is seldom seen holding otherwise)
    const letGoSince = holding >= 0 && !this.gils[holding].snapHolderAsleep && !onCpu;
    if (holding >= 0) cpu = this.gils[holding].snapHolderAsleep ? 's' : letGoSince ? 'r' : cpu;
    // On a CPU without the GIL while glibc counts more threads in take_gil's wait than are seen
    // waiting: one of them may be this thread (see uncountedWaiters). Read the GIL again, now: it
    // may hold it by now (a thread never seen holding or waiting wants the process's GIL, when
    // it has but one).
    const askedOf = gilIndex >= 0 ? gilIndex : this.gils.length === 1 ? 0 : -1;
    // Only a thread seen waiting, or asleep, at the last look: one seen running without the GIL
    // or holding it then is most likely running C code (pool_and_hasher.py: the hasher, hashing,
    // was taken for a waiter woken unseen in the pool, +0.12 over its exact wait against +0.07
    // without the count); one that has not left its CPU since (run time and runs as then) has
    // not slept in that wait.
    const mayWaitUncounted = previous !== undefined && (previous.gil === 'w' || (previous.gil === 'n' && asleep));
    const recounted = holding < 0 && onCpu && mayWaitUncounted && !stillOnCpu && askedOf >= 0 && this.uncountedWaiters(askedOf, thread) && this.readGilAgain(askedOf);
    // holding it now: it took the GIL since the snapshot, and waited for it then
    const tookSinceSnapshot = recounted && this.gils[askedOf].holderTid === tid;
    if (holding >= 0) {
      gil = 'h';
      gilIndex = holding;
      if (ownState) thread.tstate = ownState;
      // the stack of a hold: read when it begins and every few ticks on (where it was released is
      // what counts: the latest read stands for it)
      if (this.stacks && (previous?.gil !== 'h' || letGoSince || this.ticks % STACK_EVERY_TICKS === 0)) {
        heldStack = this.stacks.stackOf(ownState);
      }
    } else if (!onCpu) {
      const waitingFor = this.futexGil(syscall!);
      if (waitingFor >= 0) {
        gil = 'w';
        gilIndex = waitingFor;
      }
    } else if ((previous?.gil === 'w' || previous?.gil === 'h') && gilIndex >= 0) {
      // On a CPU (or waiting for one) without the GIL, right after holding or waiting for it:
      // inside take_gil (a woken waiter: only taking the GIL gets it out of there; a forced
      // switch: another thread holds the GIL now, or it is being handed to a waiter). A waiter
      // sleeps in the futex and barely runs, so one that has run for more than RAN_WAITING_NS
      // since it last held or slept there runs code that released the GIL (C, I/O), having
      // taken and given it up between two ticks. The GIL itself often says so sooner: see
      // tookSinceLastTick and releasedOfItsOwn. So does the number of times the thread was put
      // on a CPU (schedstat): a waiter woken finds the GIL free and takes it, or finds it taken
      // and sleeps again, so one put on a CPU since it was seen waiting and on one now without
      // the GIL took it and let go of it since; and a holder made to let go sleeps (on
      // switch_cond, then in take_gil) until the GIL is another's, so one on a CPU now that was
      // not put on one since it held never left it: it let go of its own, for C code. (A thread
      // hashing 4 MB buffers between short holds, beside a contended pool of four: waiting 0.82
      // of its life sampled against 0.55 exactly, without these two.)
      const wanted = this.gils[gilIndex];
      // put on a CPU since the last look or not (a kernel without scheduler statistics says 0)
      const switchIns = thread.files.switchIns;
      const putOnCpuSince = switchIns > 0 && switchIns !== switchInsBefore;
      const neverLeftCpu = switchIns > 0 && switchIns === switchInsBefore;
      const stillWanted =
        (previous.gil === 'w' && !putOnCpuSince && !this.tookSinceLastTick(wanted, tid, nowNs)) ||
        (previous.gil === 'h' && !neverLeftCpu && !this.releasedOfItsOwn(wanted, nowNs) && ((wanted.locked && wanted.holderTid !== tid) || (!wanted.locked && wanted.waitersBefore > 0)));
      // a holder's run time lags by up to a scheduler tick (it was running): allow for that
      const allowed = RAN_WAITING_NS + (thread.heldAtGil ? SCHEDULER_TICK_NS : 0);
      if (stillWanted && runtime - thread.runtimeAtGil < allowed) gil = 'w';
    }
    if (gil === 'n' && recounted && (tookSinceSnapshot || this.uncountedWaiters(askedOf, thread))) {
      gil = 'w';
      gilIndex = askedOf;
    }
    if (gil === 'h' || (gil === 'w' && !onCpu)) {
      thread.runtimeAtGil = runtime;
      thread.heldAtGil = gil === 'h';
    }
    if (gil === 'w' && previous?.gil !== 'w') thread.waitFromNs = this.lastTickNs;
    let waitStack = previous?.gil === 'w' ? previous.waitStack : undefined;
    if (gil === 'w' && previous?.gil !== 'w') {
      // Where it asks for the GIL: where it last let go of it, as exact tracing has it (a thread
      // asks for the GIL back where it gave it up), when that hold was seen (it held at the last
      // look); else its own stack now. A thread holding µs at a time between C calls is seldom
      // seen holding: its waits went to the last hold seen, long before (hot_and_hasher.py's
      // hasher: 62 of its 88 ms of waits on the thread's start, 1 run in 3). Its thread state is
      // known from a hold seen; the thread lists are walked for it only when it never held, as
      // before (walking them at each such wait was tried, 12-06: the hook test's new threads then
      // started a switch interval late in 2 runs of 7; why was not proven).
      const lastHoldSeen = heldStack !== undefined && previous?.gil === 'h';
      const tstate = lastHoldSeen || !this.stacks ? undefined : (thread.tstate ?? (heldStack ? undefined : this.tstateOf(tid, nowNs)));
      waitStack = (tstate ? this.stacks!.stackOf(tstate) : undefined) ?? heldStack;
    }
    // Where it let the GIL go: read as it lets go after holding or waiting (from a thread state a
    // hold told: the thread lists are not walked at a release, see above); and, without the GIL at
    // both looks, when it sleeps now in another call than at the last look and was switched since
    // (it took the GIL and let it go in between: a lock, then a sleep; the same call from the same
    // stack pointer is most likely a loop's same sleep: read anyway, 490 reads a second cost 98
    // sleepers' sampler a third of its ticks), or once when not known yet (never seen holding: a
    // thread running C code between holds of µs), its thread state from the lists as last walked.
    const movedWithout = gil === 'n' && previous?.gil === 'n' && ((!onCpu && !same && !thread.files.syscallSame) || !thread.releasedRead);
    if (gil !== 'n') thread.releasedRead = false;
    if (movedWithout && thread.tstate === undefined && this.stacks) thread.tstate = this.tstateOf(tid, nowNs);
    const letGo = gil === 'n' && (previous?.gil === 'h' || previous?.gil === 'w' || movedWithout) && this.stacks !== undefined && thread.tstate !== undefined;
    const releasedStack = letGo ? this.stacks!.stackOf(thread.tstate!) : undefined;
    if (releasedStack) thread.releasedRead = true;
    return {
      gil, cpu, gilIndex, name: thread.name,
      ...(heldStack ? { heldStack } : {}), ...(waitStack ? { waitStack } : {}), ...(releasedStack ? { releasedStack } : {}),
    };
  }

  /** Index of the GIL whose futexes a thread sleeping in `syscall` (ThreadFiles.readSyscall) waits on; -1 when none. */
  private futexGil(syscall: number): number {
    if (syscall < 0) return -1;
    const address = syscall;
    return this.gils.findIndex((g) => g.place.waits.some(([from, to]) => address >= from && address < to));
  }
}

/**
 * The name of a thread of a process that does not tell its threads' names (attached, or run
 * without giltrace's hook): the main thread is Python's MainThread, another is named by the
 * function it was started to run, after its OS name (`python3 (worker)`), once its stack says so
 * (undefined before).
 */
export function entryThreadName(sampler: ProcessSampler, pid: number, tid: number, osName: () => string, nowNs: number): string | undefined {
  if (tid === pid) return 'MainThread';
  const entry = sampler.entryOf(tid, nowNs);
  return entry === undefined ? undefined : `${osName()} (${entry})`;
}

function memoryAccessProblem(pid: number, error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') return `process ${pid} exited`;
  if (error.code === 'EACCES' || error.code === 'EPERM') {
    const scope = readPtraceScope();
    const why = scope !== undefined && scope >= 1
      ? `the kernel's Yama ptrace_scope is ${scope} (/proc/sys/kernel/yama/ptrace_scope): ${scope === 1 ? 'a user may read only the memory of its own descendants' : 'only root may'}`
      : 'it belongs to another user, or is not dumpable (setuid programs, prctl(PR_SET_DUMPABLE, 0))';
    return `cannot read process ${pid}'s memory: ${why}; run giltrace as root, or let it start the program (giltrace run --sample -- CMD)`;
  }
  return `cannot read process ${pid}'s memory (${error.code ?? error.message})`;
}

function readPtraceScope(): number | undefined {
  try {
    return Number(fs.readFileSync('/proc/sys/kernel/yama/ptrace_scope', 'latin1').trim());
  } catch {
    return undefined;
  }
}
