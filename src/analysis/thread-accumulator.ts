/**
 * One thread's numbers summed over the windows of a recording (or its one whole timeline): time
 * by GIL × CPU state, acquisitions, drops, every wait's length, and GIL time per function. A
 * wait or hold that crosses a window's cut comes in parts (ThreadTimeline.window): the parts
 * are carried over and counted as the one wait or hold they are when its last part comes, so
 * lengths, counts, maxima and the function a hold is charged to (known at its release) come out
 * as from the whole timeline.
 */
import type { ThreadStats } from '../contract/stats.js';
import { F64List } from '../model/step-builder.js';
import { UNKNOWN_STACK, type PyFunction, type PyStack } from '../model/python-stacks.js';
import { CpuState, GilState, type ThreadTimeline, type ThreadWindow } from '../model/timeline.js';
import { forcedDropAt, holdStack, Sweep } from './function-stats.js';
import { HoldCpuSweep } from './hold-cpu-sweep.js';
import { FunctionTallies } from './function-tallies.js';
import { releasedStretches } from './released-time.js';
import { HeldAttribution, newHoldParts, type HoldParts } from './held-attribution.js';
import type { ThreadHolderSamples } from '../model/holder-samples.js';
import { ns, stateMask } from './intervals.js';
import type { OffCpuHold } from './off-cpu-holds.js';
import { ASLEEP, PREEMPTED } from './off-cpu-holds.js';
import { summarizeDurations } from './summary.js';
import { WaitJoiner } from './wait-joiner.js';
import { computeThreadStateTimes, jointTable, jointTime, withTotals, type ThreadStateTimes } from './thread-state-times.js';

/** A hold's parts so far: held, overlap with waiters, the holder's time on a CPU in that overlap, and the same by whether holder samples were taken. */
interface HoldPart {
  held: number;
  othersWaited: number;
  run: number;
  readonly sides: HoldParts;
}

export class ThreadAccumulator {
  /** As the latest window named it, and the names of its own it had then (windows only). */
  private name = '';
  private names: Pick<ThreadWindow, 'pythonName' | 'osName'> | undefined = undefined;
  private lifetime = 0;
  private readonly joint = jointTable();
  private longestHeldAsleep = 0;
  private heldAsleepAtEnd = 0;
  private asleepContended = 0;
  private preemptedContended = 0;
  private acquisitions = 0;
  private forcedDrops = 0;
  private drops = 0;
  /** Drops whose reason could not be told. */
  unknownDrops = 0;
  /** Every wait's length (ns, not rounded). */
  private readonly waits = new F64List(16);
  private readonly own = new FunctionTallies();
  /** No scheduler event for the thread, as its latest window said. */
  noScheduler = false;
  private readonly joiner = new WaitJoiner();
  private openHold: HoldPart | undefined = undefined;
  /** The stack of its last drop so far: a stretch without the GIL that goes on into the next window began there. */
  private releasedIn = UNKNOWN_STACK;
  /** Which functions its holds are charged to (the process's tallies ask it too). */
  readonly attribution: HeldAttribution;

  constructor(
    readonly tid: number,
    readonly pid: number,
    /** Its start in the first window it was in: threads are listed in that order, as in a timeline. */
    readonly start: number,
    /** The recording's holder samples of this thread, and while the sampler ticked. */
    samples?: { readonly thread: ThreadHolderSamples | undefined; readonly ticked: { readonly from: number; readonly to: number } },
  ) {
    this.attribution = new HeldAttribution(samples?.thread, samples?.ticked);
    this.own.addHeldSource(this.attribution);
  }

  /**
   * The thread's part of the next window. `contention`: its GIL's times with a waiter in the
   * window (undefined: it used no GIL); the process's function tallies get its holds, waits and
   * forced drops; `last`: the recording's last window (a wait or hold still open ends there).
   */
  add(thread: ThreadTimeline, contention: Float64Array | undefined, stacks: readonly PyStack[], tallies: FunctionTallies, last: boolean): void {
    this.name = thread.name;
    this.names = thread.window;
    this.noScheduler = thread.window?.noSchedulerEvents ?? false;
    const times = computeThreadStateTimes(thread, this.heldAsleepAtEnd);
    for (let i = 0; i < this.joint.length; i++) this.joint[i] += times.joint[i];
    if (times.longestHeldAsleep > this.longestHeldAsleep) this.longestHeldAsleep = times.longestHeldAsleep;
    this.heldAsleepAtEnd = times.heldAsleepAtEnd;
    this.lifetime += ns(thread.end) - ns(thread.start);
    this.acquisitions += thread.acquisitions;
    for (const drop of thread.drops) {
      this.drops++;
      if (drop.forced) {
        this.forcedDrops++;
        tallies.forcedDrop(drop.stack, stacks);
      }
      if (!drop.known) this.unknownDrops++;
    }
    this.addHolds(thread, contention, stacks, tallies, last);
    this.addWaits(thread, stacks, tallies, last);
    this.releasedIn = releasedStretches(thread, this.releasedIn, (stack, length, asleep) => tallies.released(stack, stacks, length, asleep));
  }

  private addHolds(thread: ThreadTimeline, contention: Float64Array | undefined, stacks: readonly PyStack[], tallies: FunctionTallies, last: boolean): void {
    const { starts, ends } = thread.holds;
    const n = starts.length;
    const window = thread.window;
    const forcedEnd = contention ? forcedDropAt(thread.drops) : undefined;
    // holds are in time order, so one sweep over each interval list serves them all
    const busy = contention ? new Sweep(contention) : undefined;
    // the holder's CPU states also part the held time holder samples share (held-attribution.ts)
    const sampling = this.attribution.sampling;
    const cpu = contention || sampling ? new HoldCpuSweep(thread, contention) : undefined;
    for (let i = 0; i < n; i++) {
      const from = ns(starts[i]);
      const to = ns(ends[i]);
      const continued = i === 0 && window?.holdContinues ? this.openHold : undefined;
      const part: HoldPart = { held: 0, othersWaited: 0, run: 0, sides: continued?.sides ?? newHoldParts() };
      if (to > from) {
        part.held = to - from;
        const times = cpu?.measure(from, to);
        if (busy && times) {
          part.othersWaited = busy.overlap(from, to);
          part.run = times.runningOthersWaited;
          this.asleepContended += times.asleepOthersWaited;
          this.preemptedContended += times.preemptedOthersWaited;
        }
        this.attribution.part(from, to, part.othersWaited, contention, part.sides, thread.cpuTrack, sampling ? times : undefined);
      }
      if (continued) {
        part.held += continued.held;
        part.othersWaited += continued.othersWaited;
        part.run += continued.run;
        this.openHold = undefined;
      }
      if (i === n - 1 && window?.holdOpen && !last) {
        this.openHold = part;
        continue;
      }
      if (part.held <= 0) continue;
      const stack = holdStack(thread, i, stacks);
      this.attribution.hold(stack, part.sides);
      tallies.hold(stack, stacks, part.held, part.othersWaited, forcedEnd !== undefined && forcedEnd(ends[i]), part.run);
      this.own.hold(stack, stacks, part.held, 0, false, 0);
    }
  }

  private addWaits(thread: ThreadTimeline, stacks: readonly PyStack[], tallies: FunctionTallies, last: boolean): void {
    this.joiner.add(thread, last, (length, i) => {
      this.waits.push(length);
      const rounded = Math.max(0, Math.round(length));
      tallies.wait(thread.waitStacks[i], stacks, rounded);
      this.own.wait(thread.waitStacks[i], stacks, rounded);
    });
  }

  /**
   * @param functions the recording's functions, when it read Python stacks (top functions then)
   * @param mainName the process's main thread's OS name, when known (a window's threads without a
   * name of their own took the one it had then)
   */
  stats(functions: readonly PyFunction[] | undefined, stacks: readonly PyStack[], mainName: string | undefined): ThreadStats {
    const times = this.stateTimes();
    const { gil, cpu } = times;
    const offCpu = stateMask(CpuState.runnable, CpuState.sleeping, CpuState.blocked);
    return {
      tid: this.tid,
      name: this.nameWith(mainName),
      lifetime_ns: this.lifetime,
      held_ns: gil[GilState.holding],
      wait_ns: gil[GilState.waiting],
      no_gil_ns: gil[GilState.none],
      held_off_cpu_ns: jointTime(times, GilState.holding, offCpu),
      held_asleep_ns: jointTime(times, GilState.holding, ASLEEP),
      running_ns: cpu[CpuState.running],
      runnable_ns: cpu[CpuState.runnable],
      sleeping_ns: cpu[CpuState.sleeping],
      blocked_ns: cpu[CpuState.blocked],
      active_ns: gil[GilState.holding] + gil[GilState.waiting] + jointTime(times, GilState.none, stateMask(CpuState.running, CpuState.runnable)),
      acquisitions: this.acquisitions,
      wait: summarizeDurations(this.waits.copy()),
      drops: { forced: this.forcedDrops, voluntary: this.drops - this.forcedDrops },
      ...(functions ? { top_functions: this.own.topFunctions(functions, stacks) } : {}),
    };
  }

  /**
   * Why it held the GIL off a CPU (off-cpu-holds.ts), and where holder samples saw it asleep
   * holding (`functions`, `stacks`: the recording's); undefined when it never held it.
   */
  offCpuHold(mainName: string | undefined, functions: readonly PyFunction[], stacks: readonly PyStack[]): OffCpuHold | undefined {
    const times = this.stateTimes();
    if (times.gil[GilState.holding] === 0) return undefined;
    const asleepAt = this.attribution.asleepAt();
    const asleepFn = asleepAt && functions[stacks[asleepAt.stack]?.leaf ?? -1];
    return {
      ...(asleepFn && asleepFn.file !== '' ? { asleepIn: { fn: asleepFn, line: asleepAt.line } } : {}),
      pid: this.pid,
      tid: this.tid,
      name: this.nameWith(mainName),
      asleepNs: jointTime(times, GilState.holding, ASLEEP),
      asleepContendedNs: this.asleepContended,
      longestAsleepNs: this.longestHeldAsleep,
      preemptedNs: jointTime(times, GilState.holding, PREEMPTED),
      preemptedContendedNs: this.preemptedContended,
    };
  }

  private nameWith(mainName: string | undefined): string {
    return this.names ? this.names.pythonName ?? this.names.osName ?? mainName ?? `thread ${this.tid}` : this.name;
  }

  private stateTimes(): ThreadStateTimes {
    return withTotals(this.joint, this.longestHeldAsleep, this.heldAsleepAtEnd);
  }
}
