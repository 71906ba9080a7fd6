/**
 * The model's entry point: time-ordered TimelineEvents → a frozen Timeline of per-thread GIL and
 * CPU step tracks plus per-interpreter holder/waiter tracks.
 *
 * GIL state machine (per thread): take_enter → waiting, take_return → holding, drop → none.
 * A wait is in the stack its take_enter names, or else in its thread's last drop's (giltrace reads
 * stacks at drops only: a thread asks for the GIL back where it gave it up).
 * Holding is take_gil's return to drop_gil's entry. A forced drop (switch interval) → waiting: the
 * thread blocks inside drop_gil until another thread took the GIL and then calls take_gil, all of
 * it wanting the GIL back; the take_enter that follows continues that wait. Each interpreter has at
 * most one holder at any instant; events that contradict the machine are counted under the names
 * in anomalies.ts and the machine adopts the state the event implies. It never throws on input.
 *
 * CPU state machine: switch-in → running; switch-out → runnable / sleeping / blocked per the
 * kernel's prev_state ('dead' ends the thread); waking → runnable if sleeping or blocked.
 * A GIL event is a CPU fact too: a uprobe fires in the thread's own context, so the thread is
 * running at that instant (recordings do miss switch-ins: counted as gil_event_off_cpu), and so
 * is a waking that came in a thread's context (sched_waking's own tid: the waker, or the thread
 * a timer interrupted): a missed switch-in, counted as switch_mismatch.
 * Before a thread's first CPU fact its state is inferred from that fact: a switch-in means it
 * was runnable, a switch-out or GIL event that it was running, a waking that it was sleeping; a
 * new thread (thread_start) is runnable until first switched in, unless it is woken first: new
 * threads are not woken (sched_wakeup_new, not sched_waking), so that start record was perf's
 * note of a thread that already existed and was sleeping.
 *
 * Thread life: thread_start (or the first scheduler / GIL event) to thread_exit, a 'dead'
 * switch-out, or the end of the recording. Names do not start a life (perf writes them for
 * every thread of the system). Names: the latest 'python' name, else the latest OS name, else
 * the OS name of the process's main thread (clone() copies the comm).
 *
 * Inferred waits (scheduler-only recordings, see timeline-events.ts): inferred_wait_start → waiting, without a
 * CPU fact (the thread has just been switched out); inferred_wait_end → none. No acquisition,
 * hold or drop is invented: those recordings cannot see them. A thread already waiting or
 * holding by exact GIL events ignores inferred ones (the exact events win).
 *
 * Lost events (perf buffer overruns): the state is carried across the gap unchanged. The first
 * contradiction afterwards in each thread's GIL (or CPU) events, and in each GIL's holder, is
 * counted as `lost_events_resync` instead of its own name, because the loss explains it.
 *
 * Only processes with GIL events are kept: with `perf record -a` every other pid is noise.
 */
import { Anomaly, type AnomalyName } from './anomalies.js';
import { freezeTimeline, type FreezeOptions } from './freeze-timeline.js';
import { CPU_UNKNOWN, GrowingGil, GrowingThread, type TimelineState } from './growing-timeline.js';
import { CpuState, GilState, type Timeline } from './timeline.js';
import type { DropReason, SwitchOutState, TimelineEvent, TimelineSink } from './timeline-events.js';
import type { CpuAtAttach } from '../contract/recording-manifest.js';
import { NO_FRAME_STACK, UNKNOWN_STACK } from './python-stacks.js';

/** The recording's span, time base and stacks (a window, `from`, is for snapshots only). */
export type BuildTimelineOptions = Omit<FreezeOptions, 'from' | 'release' | 'collect'>;

export function buildTimeline(events: Iterable<TimelineEvent>, options: BuildTimelineOptions = {}): Timeline {
  const builder = new TimelineBuilder(options.start);
  for (const event of events) builder.add(event);
  return builder.finish(options);
}

/**
 * The mutable state of one build, fed one event at a time: `finish` freezes the whole of it,
 * `snapshot` any window of it while it grows (neither changes it), `forgetBefore` lets a live
 * view keep its memory bounded.
 */
export class TimelineBuilder implements TimelineState, TimelineSink {
  /** Current incarnation of every tid seen (system-wide: pids are only known at the end). */
  readonly threads = new Map<number, GrowingThread>();
  /** Earlier incarnations of reused tids. */
  readonly retired: GrowingThread[] = [];
  readonly gils = new Map<string, GrowingGil>();
  private readonly lastGilOfPid = new Map<number, GrowingGil>();
  private gilCount = 0;
  readonly gilPids = new Set<number>();
  readonly anomalies = new Map<number, Record<string, number>>();
  lostEvents = 0;
  /** Any scheduler event in the recording: then a thread without one never ran. */
  sawScheduler = false;
  /** Incremented at every `lost` event; state confirmed in an older epoch is uncertain. */
  private lostEpoch = 0;
  firstTime = NaN;
  lastTime: number;

  /** Events before it are moved to it (BuildTimelineOptions.start). */
  private readonly floor: number;
  /** A recording analysed window by window (cutEvery): every so many events, and at given times. */
  private cuts:
    | { readonly every: number; count: number; readonly onCut: (time: number, forced: boolean) => boolean; readonly offsets: readonly number[]; at: number[] }
    | undefined;

  constructor(start?: number) {
    this.floor = start !== undefined && Number.isFinite(start) ? start : -Infinity;
    this.lastTime = this.floor;
  }

  add(event: TimelineEvent): void {
    switch (event.kind) {
      case 'take_enter':
        return this.takeEnter(event.time, event.pid, event.tid, event.gil, event.stack);
      case 'take_return':
        return this.takeReturn(event.time, event.pid, event.tid);
      case 'drop':
        return this.drop(event.time, event.pid, event.tid, event.reason, event.stack);
      case 'switch':
        return this.schedSwitch(event.time, event.cpu, event.prevTid, event.prevState, event.nextTid);
      case 'waking':
        return this.waking(event.time, event.tid, event.by);
      case 'inferred_wait_start':
        return this.inferredWaitStart(this.orderedTime(event.time, event.pid), event.pid, event.tid, event.gil, event.stack);
      case 'inferred_wait_end':
        return this.inferredWaitEnd(this.orderedTime(event.time, event.pid), event.tid);
      case 'thread_start':
        return this.threadStart(this.orderedTime(event.time, event.pid), event.pid, event.tid, event.existing === true, event.parentTid);
      case 'thread_exit':
        return this.threadExit(this.orderedTime(event.time, event.pid), event.pid, event.tid);
      case 'thread_name': {
        // Names are metadata: perf synthesizes them for every existing thread with arbitrary times,
        // so they neither order nor span the recording.
        const thread = this.thread(event.tid);
        if (event.pid > 0) thread.pid = event.pid;
        // (an empty name says nothing: the thread keeps the one it had, or takes its process's)
        if (event.name !== '') {
          if (event.source === 'python') thread.pythonName = event.name;
          else thread.osName = event.name;
        }
        if (event.exec) this.execed(thread, event.time, event.pid);
        return;
      }
      case 'cpu_at_attach':
        return this.cpuAtAttach(this.orderedTime(event.time, event.pid), event.tid, event.state);
      case 'stack_at_attach': {
        this.orderedTime(event.time, event.pid);
        const thread = this.thread(event.tid);
        if (thread.alive && thread.lastDropStack === UNKNOWN_STACK) thread.lastDropStack = event.stack;
        return;
      }
      case 'released_at': {
        const time = this.orderedTime(event.time, event.pid);
        const thread = this.thread(event.tid);
        if (!thread.alive || thread.gilState !== GilState.none) return;
        thread.releases.push({ time, stack: event.stack });
        // it let the GIL go there, so it took it before: a thread that holds it µs at a time may
        // never be seen holding, and counts as using the GIL all the same
        if (thread.acquisitions === 0) thread.acquisitions = 1;
        return;
      }
      case 'lost':
        this.orderedTime(event.time, -1);
        if (event.count > 0) this.lostEvents += event.count;
        this.lostEpoch++;
        return;
      default: {
        const unreachable: never = event;
        void unreachable; // a kind added upstream but unknown here: skipped, never a throw
      }
    }
  }

  // ---- the frequent events, as TimelineSink calls (no event object) ----

  takeEnter(time: number, pid: number, tid: number, gil: string, stack: number): void {
    this.enterGilWait(this.orderedTime(time, pid), pid, tid, gil, stack);
  }

  takeReturn(time: number, pid: number, tid: number): void {
    this.acquire(this.orderedTime(time, pid), pid, tid);
  }

  drop(time: number, pid: number, tid: number, reason: DropReason, stack: number): void {
    this.dropGil(this.orderedTime(time, pid), pid, tid, reason, stack);
  }

  schedSwitch(time: number, _cpu: number, prevTid: number, prevState: SwitchOutState, nextTid: number): void {
    const at = this.orderedTime(time, -1);
    if (prevTid > 0) this.switchOut(at, prevTid, prevState);
    if (nextTid > 0) this.switchIn(at, nextTid);
  }

  waking(time: number, tid: number, by = 0): void {
    const at = this.orderedTime(time, -1);
    if (by > 0) this.onCpuNow(at, by);
    this.wake(at, tid);
  }

  finish(options: BuildTimelineOptions): Timeline {
    return freezeTimeline(this, options);
  }

  /**
   * finish, emptying the builder on the way: each track's memory is given back once copied
   * (`collect` lets it be reused at once), so the timeline does not come on top of the whole
   * builder. The builder is of no use afterwards.
   */
  consume(options: BuildTimelineOptions & Pick<FreezeOptions, 'collect'>): Timeline {
    return freezeTimeline(this, { ...options, release: true });
  }

  /** The timeline so far (from `options.from` on, when given); the builder goes on growing. */
  snapshot(options: FreezeOptions): Timeline {
    return freezeTimeline(this, options);
  }

  /**
   * Forgets intervals that ended before `time` and threads that ended before it, keeping every
   * current state: snapshots from `time` on stay exact, earlier ones are no longer possible.
   * Threads of processes without GIL events so far keep what came from `othersFrom` on: no
   * snapshot had them, and their process's first GIL event may still come (a scheduler-only
   * recording's first inferred wait); a snapshot then has them from there (FreezeOptions.knownThreads).
   */
  forgetBefore(time: number, othersFrom = time): void {
    const from = (thread: GrowingThread) => (this.gilPids.has(thread.pid) ? time : Math.min(time, othersFrom));
    for (let i = this.retired.length - 1; i >= 0; i--) if (this.retired[i].end < from(this.retired[i])) this.retired.splice(i, 1);
    for (const thread of this.threads.values()) thread.forgetBefore(from(thread));
    for (const thread of this.retired) thread.forgetBefore(from(thread));
    for (const gil of this.gils.values()) {
      gil.holders.dropBefore(time);
      gil.waiters.dropBefore(time);
    }
  }

  /**
   * Has `onCut(time)` called once `events` events came since the last cut, before the first
   * event later than all before it: the builder then has every event before `time` and none at
   * or after it, so a snapshot from the last cut to `time` is a window the next events cannot
   * change (and forgetBefore(time) may follow). When it returns false (no cut made), it is asked
   * again an eighth of `events` later. Also at each of `offsets` (ns after the first event; a
   * range of the recording), before the first event at or after it (`forced`: a cut there is
   * not to be put off).
   */
  cutEvery(events: number, onCut: (time: number, forced: boolean) => boolean, offsets: readonly number[] = []): void {
    this.cuts = { every: Math.max(1, events), count: 0, onCut, offsets: [...offsets].sort((a, b) => a - b), at: [] };
  }

  /**
   * Whether a thread of a Python process may still have its CPU state at its start changed:
   * before its first scheduler fact (or, new, before it first ran) the model learns what it was
   * doing since it began only from that fact, so a window cut now would say otherwise.
   */
  cpuUnsettled(): boolean {
    for (const thread of this.threads.values()) {
      if (!thread.alive || !thread.started || !this.gilPids.has(thread.pid)) continue;
      if (thread.cpuState === CPU_UNKNOWN) return true;
      if (thread.runnableSinceStart) return true;
    }
    return false;
  }

  /** Events must come in time order; a late one is moved up to the latest time seen (pid -1: none). */
  private orderedTime(time: number, pid: number): number {
    if (!(time >= this.lastTime) || !Number.isFinite(time)) {
      const beforeStart = time < this.floor && this.lastTime === this.floor;
      time = Number.isFinite(this.lastTime) ? this.lastTime : 0;
      if (pid > 0 && !beforeStart) this.count(pid, Anomaly.outOfOrderEvents);
    }
    const cuts = this.cuts;
    if (cuts !== undefined) {
      cuts.count++;
      if (time > this.lastTime && this.firstTime === this.firstTime) {
        // a cut at a given time once the events before it are in (none at it yet: time > lastTime)
        while (cuts.at.length > 0 && cuts.at[0] <= time) {
          const at = cuts.at.shift()!;
          if (at > this.lastTime && cuts.onCut(at, true)) cuts.count = 0;
        }
        if (cuts.count >= cuts.every) cuts.count = cuts.onCut(time, false) ? 0 : cuts.every - Math.ceil(cuts.every / 8);
      }
    }
    if (this.firstTime !== this.firstTime) {
      this.firstTime = time;
      if (cuts !== undefined) cuts.at = cuts.offsets.map((offset) => time + offset);
    }
    this.lastTime = time;
    return time;
  }

  // ---- GIL events ----

  private enterGilWait(time: number, pid: number, tid: number, key: string, stack: number): void {
    const thread = this.gilThread(time, pid, tid);
    if (!thread) return;
    const gil = this.gil(key, pid);
    if (thread.waitFromForcedDrop && thread.gilState === GilState.waiting && thread.gil === gil) {
      thread.waitFromForcedDrop = false; // the same wait goes on, now inside take_gil
      return;
    }
    thread.waitFromForcedDrop = false;
    if (thread.gilState === GilState.holding) {
      this.gilAnomaly(thread, Anomaly.takeEnterWhileHolding);
      this.release(thread, time, UNKNOWN_STACK);
    } else if (thread.gilState === GilState.waiting) {
      this.gilAnomaly(thread, Anomaly.takeEnterWhileWaiting);
      this.endWait(thread, time);
    }
    thread.gil = gil;
    gil.waiting++;
    gil.waiters.set(time, gil.waiting);
    thread.waitStart = time;
    // giltrace reads stacks at drops only: a thread asks for the GIL back where it gave it up; a
    // thread whose start was seen and that dropped nothing yet has no Python frame at all
    thread.waitStack = stack !== UNKNOWN_STACK ? stack : thread.lastDropStack !== UNKNOWN_STACK || !thread.startSeen ? thread.lastDropStack : NO_FRAME_STACK;
    thread.setGil(time, GilState.waiting);
  }

  private acquire(time: number, pid: number, tid: number): void {
    const thread = this.gilThread(time, pid, tid);
    if (!thread) return;
    if (thread.gilState === GilState.holding) {
      this.gilAnomaly(thread, Anomaly.takeReturnWhileHolding);
      return;
    }
    const gil = thread.gil ?? this.lastGilOfPid.get(pid) ?? this.gil(`${pid}`, pid, true);
    const waited = thread.gilState === GilState.waiting;
    thread.holdAcquiredIn = waited ? thread.waitStack : UNKNOWN_STACK;
    if (waited) this.endWait(thread, time);
    else this.gilAnomaly(thread, Anomaly.takeReturnWithoutEnter);
    thread.waitFromForcedDrop = false;
    thread.gil = gil;
    if (gil.holder !== 0 && gil.holder !== tid) {
      this.count(pid, gil.epoch < this.lostEpoch ? Anomaly.lostEventsResync : Anomaly.secondHolder);
      const previous = this.threads.get(gil.holder);
      if (previous && previous.gil === gil && previous.gilState === GilState.holding) {
        this.endHold(previous, time, UNKNOWN_STACK);
        previous.setGil(time, GilState.none);
      }
    }
    gil.holder = tid;
    gil.holders.set(time, tid);
    gil.epoch = this.lostEpoch;
    thread.acquisitions++;
    thread.holdStart = time;
    thread.setGil(time, GilState.holding);
  }

  private dropGil(time: number, pid: number, tid: number, reason: DropReason, stack: number): void {
    const thread = this.gilThread(time, pid, tid);
    if (!thread) return;
    if (stack !== UNKNOWN_STACK) thread.lastDropStack = stack;
    if (thread.gilState === GilState.none) {
      this.gilAnomaly(thread, Anomaly.dropWhileNotHolding);
      return;
    }
    const wasHolding = thread.gilState === GilState.holding;
    if (wasHolding) this.release(thread, time, stack);
    else {
      this.gilAnomaly(thread, Anomaly.dropWhileWaiting);
      this.endWait(thread, time);
    }
    thread.waitFromForcedDrop = false;
    thread.drops.push({ time, tid, forced: reason === 'forced', known: reason !== 'unknown', stack });
    if (reason === 'forced' && wasHolding && thread.gil) {
      // A forced drop is the eval loop yielding to a waiter: the thread still wants the GIL and
      // (FORCE_SWITCHING) blocks in drop_gil until the waiter has it, then calls take_gil. All of
      // that is waiting for the GIL, not time without it.
      const gil = thread.gil;
      gil.waiting++;
      gil.waiters.set(time, gil.waiting);
      thread.waitStart = time;
      // the function caught holding is the one that wants to go on: the wait is its
      thread.waitStack = stack;
      thread.waitFromForcedDrop = true;
      thread.setGil(time, GilState.waiting);
      return;
    }
    thread.setGil(time, GilState.none);
  }

  private inferredWaitStart(time: number, pid: number, tid: number, key: string, stack: number | undefined): void {
    const thread = this.thread(tid);
    thread.pid = pid;
    this.gilPids.add(pid);
    if (!thread.alive) {
      this.count(pid, Anomaly.eventsAfterExit);
      return;
    }
    thread.touch(time);
    if (thread.gilState !== GilState.none) return;
    const gil = this.gil(key, pid);
    thread.gil = gil;
    gil.waiting++;
    gil.waiters.set(time, gil.waiting);
    thread.waitStart = time;
    // where it waits when known, else where it last gave the GIL up (sampled recordings' drops say)
    thread.waitStack = stack !== undefined && stack !== UNKNOWN_STACK ? stack : thread.lastDropStack;
    thread.inferredWait = true;
    thread.setGil(time, GilState.waiting);
  }

  private inferredWaitEnd(time: number, tid: number): void {
    const thread = this.threads.get(tid);
    if (!thread || !thread.alive || !thread.inferredWait || thread.gilState !== GilState.waiting) return;
    this.endWait(thread, time);
    thread.setGil(time, GilState.none);
  }

  /** The thread a GIL event belongs to, started; undefined (counted) if it already exited. */
  private gilThread(time: number, pid: number, tid: number): GrowingThread | undefined {
    const thread = this.thread(tid);
    thread.pid = pid;
    this.gilPids.add(pid);
    if (!thread.alive) {
      this.count(pid, Anomaly.eventsAfterExit);
      return undefined;
    }
    thread.touch(time);
    if (thread.cpuState !== CpuState.running && time !== thread.lookedAtAttach) {
      // A probe hit runs in the thread's context: it is on a CPU now, whatever we missed.
      if (thread.cpuState !== CPU_UNKNOWN) this.cpuAnomaly(thread, Anomaly.gilEventOffCpu);
      thread.setCpu(time, CpuState.running, CpuState.running);
    }
    return thread;
  }

  /** The thread stops holding its GIL at `time`, in `stack` (its own track is updated by the caller). */
  private release(thread: GrowingThread, time: number, stack: number): void {
    this.endHold(thread, time, stack);
    const gil = thread.gil;
    if (gil && gil.holder === thread.tid) {
      gil.holder = 0;
      gil.holders.set(time, 0);
      gil.epoch = this.lostEpoch;
    }
  }

  private endHold(thread: GrowingThread, time: number, stack: number): void {
    thread.holdStarts.push(thread.holdStart);
    thread.holdEnds.push(time);
    thread.holdStacks.push(stack);
    thread.holdAcquiredStacks.push(thread.holdAcquiredIn);
  }

  /** The thread's current wait ends at `time` (taken, cut off or abandoned). */
  private endWait(thread: GrowingThread, time: number): void {
    thread.inferredWait = false;
    thread.waits.push(time - thread.waitStart);
    thread.waitStarts.push(thread.waitStart);
    thread.waitStacks.push(thread.waitStack);
    const gil = thread.gil;
    if (gil && gil.waiting > 0) {
      gil.waiting--;
      gil.waiters.set(time, gil.waiting);
    }
  }

  private gilAnomaly(thread: GrowingThread, name: AnomalyName): void {
    this.count(thread.pid, thread.gilEpoch < this.lostEpoch ? Anomaly.lostEventsResync : name);
    thread.gilEpoch = this.lostEpoch;
  }

  private gil(key: string, pid: number, provisional = false): GrowingGil {
    let gil = this.gils.get(key);
    const guessed = this.lastGilOfPid.get(pid);
    if (!gil && guessed?.provisional) {
      // the interpreter's name at last: the GIL made up for the process is this one
      this.gils.delete(guessed.key);
      guessed.key = key;
      guessed.provisional = false;
      gil = guessed;
      this.gils.set(key, gil);
    }
    if (!gil) {
      gil = new GrowingGil(key, pid, this.gilCount++, provisional);
      this.gils.set(key, gil);
    }
    this.lastGilOfPid.set(pid, gil);
    return gil;
  }

  // ---- scheduler events ----

  private switchOut(time: number, tid: number, prevState: SwitchOutState): void {
    this.sawScheduler = true;
    const thread = this.thread(tid);
    if (!thread.alive) return; // still scheduled between its exit and its final switch: expected
    thread.touch(time);
    thread.schedSeen = true;
    if (prevState === 'dead') {
      this.endThread(thread, time);
      thread.endedBySwitch = true;
      return;
    }
    if (thread.cpuState !== CpuState.running && thread.cpuState !== CPU_UNKNOWN) {
      this.cpuAnomaly(thread, Anomaly.switchMismatch);
    }
    const state = prevState === 'runnable' ? CpuState.runnable : prevState === 'blocked' ? CpuState.blocked : CpuState.sleeping;
    thread.setCpu(time, state, CpuState.running);
  }

  /**
   * A thread's CPU state when giltrace attached, for one no scheduler event has spoken of yet: the
   * state since its start in the recording (the GIL event injected with it counted it running).
   */
  private cpuAtAttach(time: number, tid: number, state: CpuAtAttach): void {
    const thread = this.thread(tid);
    if (!thread.alive) return;
    thread.touch(time);
    // the GIL events giltrace gives it with this look are no probe hits: they say nothing of its CPU
    thread.lookedAtAttach = time;
    if (thread.schedSeen || thread.cpuState !== CPU_UNKNOWN) return;
    thread.schedSeen = true;
    const cpu = state === 'running' ? CpuState.running : state === 'runnable' ? CpuState.runnable : state === 'blocked' ? CpuState.blocked : CpuState.sleeping;
    thread.setCpu(time, cpu, cpu);
  }

  private switchIn(time: number, tid: number): void {
    this.sawScheduler = true;
    const thread = this.thread(tid);
    if (!thread.alive) return;
    thread.touch(time);
    thread.schedSeen = true;
    if (thread.cpuState === CpuState.running) this.cpuAnomaly(thread, Anomaly.switchMismatch);
    thread.wasSwitchedIn = true;
    thread.setCpu(time, CpuState.running, CpuState.runnable);
  }

  /**
   * An event came in `tid`'s context (it woke another thread): it is on a CPU now, whatever switch
   * went missing. Events in some threads' context never reach perf (this VM's agent's): a thread
   * switched out to one of them and back read as runnable until its next switch or GIL event, a
   * spinner 110 ms in a 1.5 s run (0.092 of its life against 0.017 sampled; CI, 12-06), and a
   * waking in its context (a timer's, every few ms) says it ran. Counted as the switch that was
   * missed; a thread not seen by the scheduler yet is left to its first switch.
   */
  private onCpuNow(time: number, tid: number): void {
    const thread = this.threads.get(tid);
    if (!thread || !thread.alive || thread.cpuState === CpuState.running || thread.cpuState === CPU_UNKNOWN) return;
    this.cpuAnomaly(thread, Anomaly.switchMismatch);
    thread.touch(time);
    thread.setCpu(time, CpuState.running, CpuState.running);
  }

  private wake(time: number, tid: number): void {
    this.sawScheduler = true;
    const thread = this.thread(tid);
    if (!thread.alive) return;
    thread.touch(time);
    thread.schedSeen = true;
    if (thread.runnableSinceStart) {
      // A new thread is made runnable without a waking (sched_wakeup_new): this one was sleeping,
      // its start record was perf's note that it already existed.
      thread.cpuTrack.replaceLast(CpuState.sleeping);
      thread.cpuState = CpuState.sleeping;
    }
    if (thread.cpuState === CPU_UNKNOWN || thread.cpuState === CpuState.sleeping || thread.cpuState === CpuState.blocked) {
      thread.setCpu(time, CpuState.runnable, CpuState.sleeping);
    }
    // Waking a running or runnable thread is a normal race in the kernel: nothing changes.
  }

  private cpuAnomaly(thread: GrowingThread, name: AnomalyName): void {
    if (thread.pid > 0) this.count(thread.pid, thread.cpuEpoch < this.lostEpoch ? Anomaly.lostEventsResync : name);
    thread.cpuEpoch = this.lostEpoch;
  }

  // ---- thread life ----

  /** `forkedBy`: the thread whose fork made this new process (it goes on as that thread, names and all). */
  private threadStart(time: number, pid: number, tid: number, existing: boolean, forkedBy?: number): void {
    let thread = this.thread(tid);
    if (!thread.alive) {
      // tid reused after an exit: a new thread.
      this.retired.push(thread);
      thread = new GrowingThread(tid, thread.incarnation + 1);
      this.threads.set(tid, thread);
    }
    if (pid > 0) thread.pid = pid;
    const parent = forkedBy !== undefined && !existing ? this.threads.get(forkedBy) : undefined;
    if (parent && parent !== thread) {
      thread.osName ??= parent.osName;
      thread.pythonName ??= parent.pythonName;
    }
    if (thread.started) {
      // (an `existing` start only says the thread is there: perf says so of a thread it finds as it
      // begins, and again with the fork of one made while it began)
      if (thread.startSeen && !existing) this.count(thread.pid, Anomaly.duplicateThreadStart);
      thread.startSeen = true;
      return;
    }
    thread.touch(time);
    if (existing) return; // already running or asleep: the first CPU fact will tell
    thread.startSeen = true;
    thread.setCpu(time, CpuState.runnable, CpuState.runnable);
  }

  private threadExit(time: number, pid: number, tid: number): void {
    const thread = this.thread(tid);
    if (pid > 0) thread.pid = pid;
    if (!thread.alive) {
      // The exit record after the final 'dead' switch-out that already ended the thread is expected.
      if (!thread.endedBySwitch && thread.pid > 0) this.count(thread.pid, Anomaly.eventsAfterExit);
      thread.endedBySwitch = false;
      return;
    }
    thread.touch(time);
    this.endThread(thread, time);
  }

  /** The thread's life ends at `time`; a wait or hold still open ends with it. */
  /**
   * The thread's process runs another program from `time` (exec): what it held or waited for was
   * the old program's GIL (an interpreter that execs itself, os.execv, does so holding it), and
   * its Python name the old program's.
   */
  private execed(thread: GrowingThread, at: number, pid: number): void {
    thread.pythonName = undefined;
    if (!thread.alive || thread.gilState === GilState.none) return;
    // (only then is the name's time a time of the recording's: see thread_name)
    const time = this.orderedTime(at, pid);
    if (thread.gilState === GilState.holding) this.release(thread, time, UNKNOWN_STACK);
    else this.endWait(thread, time);
    thread.waitFromForcedDrop = false;
    thread.setGil(time, GilState.none);
  }

  private endThread(thread: GrowingThread, time: number): void {
    if (thread.gilState === GilState.waiting) {
      this.count(thread.pid, Anomaly.exitWhileWaiting);
      this.endWait(thread, time);
    } else if (thread.gilState === GilState.holding) {
      // The main thread finalizes the interpreter and exits the process holding the GIL: normal.
      if (thread.tid !== thread.pid) this.count(thread.pid, Anomaly.exitWhileHolding);
      this.release(thread, time, UNKNOWN_STACK);
    }
    thread.gilState = GilState.none; // not put on the track: the track ends at `end` anyway
    thread.end = time;
  }

  private thread(tid: number): GrowingThread {
    let thread = this.threads.get(tid);
    if (!thread) {
      thread = new GrowingThread(tid);
      this.threads.set(tid, thread);
    }
    return thread;
  }

  private count(pid: number, name: string): void {
    if (!(pid > 0)) return; // unknown process: filtered out at the end anyway
    let counts = this.anomalies.get(pid);
    if (!counts) this.anomalies.set(pid, (counts = {}));
    counts[name] = (counts[name] ?? 0) + 1;
  }
}
