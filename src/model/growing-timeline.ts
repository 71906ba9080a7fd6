/**
 * Mutable per-thread and per-GIL state while the timeline is built. One object per thread
 * incarnation (a tid reused after exit gets a new one) and per interpreter: allocated once,
 * updated in place by every event.
 */
import { F64List, I32List, StepBuilder } from './step-builder.js';
import { UNKNOWN_STACK } from './python-stacks.js';
import { CpuState, GilState, type Drop, type Release } from './timeline.js';

/** What the builder knows so far: read (never changed) by freezeTimeline. */
export interface TimelineState {
  /** Current incarnation of every tid seen. */
  readonly threads: ReadonlyMap<number, GrowingThread>;
  /** Earlier incarnations of reused tids. */
  readonly retired: readonly GrowingThread[];
  readonly gils: ReadonlyMap<string, GrowingGil>;
  /** Processes with GIL events: only those are kept. */
  readonly gilPids: ReadonlySet<number>;
  readonly anomalies: ReadonlyMap<number, Readonly<Record<string, number>>>;
  readonly lostEvents: number;
  /** Any scheduler event in the recording: then a thread without one never ran. */
  readonly sawScheduler: boolean;
  /** Times of the first and latest event (NaN before any). */
  readonly firstTime: number;
  readonly lastTime: number;
}

/** CPU state before the thread's first scheduler fact: filled in by inference later. */
export const CPU_UNKNOWN = -1;

export class GrowingGil {
  readonly holders = new StepBuilder();
  readonly waiters = new StepBuilder();
  /** Current holder tid, 0 = nobody. */
  holder = 0;
  waiting = 0;
  /** The loss epoch this GIL's state was last confirmed in (see TimelineBuilder.lostEpoch). */
  epoch = 0;

  constructor(
    public key: string,
    readonly pid: number,
    /** Its place in the order GILs were first seen (GilTimeline.serial). */
    readonly serial: number,
    /**
     * Made up by a take_gil return whose entry (which names the interpreter) was not seen: a
     * recording that began mid-wait. The first interpreter named in the process takes it over.
     */
    public provisional = false,
  ) {}
}

export class GrowingThread {
  /** -1 until an event tells the thread group (sched events carry tids only). */
  pid = -1;
  /** Time of the first life event (start, scheduler or GIL event); NaN before any. */
  start = NaN;
  /** Time of thread_exit (or the final 'dead' switch-out); NaN while alive. */
  end = NaN;
  startSeen = false;
  /** Ended by a 'dead' switch-out before its exit record was seen. */
  endedBySwitch = false;
  /** Any scheduler event (switch, waking) seen for this thread. */
  schedSeen = false;
  /** When giltrace's look at attach saw it (its cpu_at_attach event): GIL events given at that time are not probe hits. */
  lookedAtAttach = NaN;
  wasSwitchedIn = false;
  /** A window cut forgot some of its CPU steps (forgetBefore). */
  private cpuStepsForgotten = false;
  osName: string | undefined = undefined;
  pythonName: string | undefined = undefined;

  gil: GrowingGil | undefined = undefined;
  gilState: GilState = GilState.none;
  readonly gilTrack = new StepBuilder();
  waitStart = 0;
  /** Waiting since a forced drop: the take_gil entry that follows continues this wait. */
  waitFromForcedDrop = false;
  /** The current wait is an inferred one (scheduler-only recording): only `inferred_wait_end` ends it. */
  inferredWait = false;
  readonly waits = new F64List(4);
  /** Start and Python stack of each wait, parallel to `waits`. */
  readonly waitStarts = new F64List(4);
  readonly waitStacks = new I32List(4);
  /** Stack of the current wait: where take_gil was entered, or the forced drop that began it. */
  waitStack = UNKNOWN_STACK;
  /** Stack of the thread's last drop: where it will ask for the GIL again (see takeEnter). */
  lastDropStack = UNKNOWN_STACK;
  /** Every hold: [start, end) and the stack it was released in (0 when it ended without a drop). */
  readonly holdStarts = new F64List(4);
  readonly holdEnds = new F64List(4);
  readonly holdStacks = new I32List(4);
  readonly holdAcquiredStacks = new I32List(4);
  /** Start of the current hold, and the stack that asked for it (valid while holding). */
  holdStart = 0;
  holdAcquiredIn = UNKNOWN_STACK;
  acquisitions = 0;
  readonly drops: Drop[] = [];
  readonly releases: Release[] = [];
  /** Loss epochs the GIL / CPU state was last confirmed in. */
  gilEpoch = 0;
  cpuEpoch = 0;

  cpuState: number = CPU_UNKNOWN;
  readonly cpuTrack = new StepBuilder(4);

  constructor(
    readonly tid: number,
    /** How many threads had this tid before (a tid reused after an exit is another thread). */
    readonly incarnation = 0,
  ) {}

  get alive(): boolean {
    return this.end !== this.end; // NaN: not ended
  }

  get started(): boolean {
    return this.start === this.start;
  }

  /** Starts the thread's life at `time` if not yet started (GIL state none from there). */
  touch(time: number): void {
    if (this.started) return;
    this.start = time;
    this.gilTrack.set(time, GilState.none);
  }

  setGil(time: number, state: GilState): void {
    this.gilState = state;
    this.gilTrack.set(time, state);
  }

  /** Forgets the waits, holds, drops and track entries over before `time` (see TimelineBuilder.forgetBefore). */
  forgetBefore(time: number): void {
    let waits = 0;
    while (waits < this.waits.length && this.waitStarts.at(waits) + this.waits.at(waits) < time) waits++;
    for (const list of [this.waits, this.waitStarts, this.waitStacks]) list.dropFirst(waits);
    let holds = 0;
    while (holds < this.holdEnds.length && this.holdEnds.at(holds) < time) holds++;
    for (const list of [this.holdStarts, this.holdEnds, this.holdStacks, this.holdAcquiredStacks]) list.dropFirst(holds);
    let drops = 0;
    while (drops < this.drops.length && this.drops[drops].time < time) drops++;
    this.drops.splice(0, drops);
    let releases = 0;
    while (releases < this.releases.length && this.releases[releases].time < time) releases++;
    this.releases.splice(0, releases);
    this.gilTrack.dropBefore(time);
    const cpuSteps = this.cpuTrack.length;
    this.cpuTrack.dropBefore(time);
    if (this.cpuTrack.length < cpuSteps) this.cpuStepsForgotten = true;
  }

  /**
   * Still in the runnable state a thread_start gave it (no CPU fact since): its one CPU step so
   * far is that one. Not told by the track's length alone: a window cut forgets the steps before
   * it (a thread woken, then cut, then woken again read as new again).
   */
  get runnableSinceStart(): boolean {
    return this.cpuState === CpuState.runnable && this.cpuTrack.length === 1 && !this.cpuStepsForgotten && this.startSeen && !this.wasSwitchedIn;
  }

  /** A scheduler fact: the thread is in `state` from `time`; `before` is what it was until then if unknown. */
  setCpu(time: number, state: CpuState, before: CpuState): void {
    if (this.cpuState === CPU_UNKNOWN) this.cpuTrack.set(this.start, before);
    this.cpuState = state;
    this.cpuTrack.set(time, state);
  }
}
