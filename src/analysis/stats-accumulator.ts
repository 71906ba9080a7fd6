/**
 * The stats of a recording summed window by window: each window (a Timeline cut from the
 * previous cut to the next, ThreadTimeline.window saying how its parts meet the neighbours) is
 * added as it is made and then dropped, so what the analysis keeps is per thread and per
 * function (plus every wait's and hand-off's length, for exact percentiles), not the timeline:
 * memory stays bounded however long the recording. A whole timeline is one window
 * (accumulateWhole): computeStats is this with one `add`.
 *
 * What sums over windows: times by state (each window's tracks cover its own span), counts, the
 * no-GIL estimate's parts. What does not is carried: waits and holds that cross a cut
 * (thread-accumulator.ts), the hand-off in progress at a cut (HandoffScan), the stretch of
 * holding asleep a window ends in.
 */
import type { ProcessStats, ThreadStats } from '../contract/stats.js';
import { Anomaly } from '../model/anomalies.js';
import type { TimelineState } from '../model/growing-timeline.js';
import type { PyFunction, PyStack } from '../model/python-stacks.js';
import { holderSamplesKey, type HolderSamples } from '../model/holder-samples.js';
import { F64List } from '../model/step-builder.js';
import type { GilTimeline, ProcessTimeline, ThreadTimeline, Timeline } from '../model/timeline.js';
import { hasFunctionContext } from './function-stats.js';
import { FunctionTallies } from './function-tallies.js';
import { HandoffScan } from './handoffs.js';
import { intervalsNonZero, ns, timeNonZero, totalLength, union } from './intervals.js';
import { noGilParts, toNoGilEstimate, type NoGilEstimate, type NoGilParts } from './no-gil-estimate.js';
import type { OffCpuHold } from './off-cpu-holds.js';
import { UNKNOWN_PYTHON, type RecordingMeta } from './recording-meta.js';
import { summarizeDurations } from './summary.js';
import { computeThreadGroups } from './thread-groups.js';
import { ThreadAccumulator } from './thread-accumulator.js';

/** Anomaly counted here (not by the model): drops whose reason could not be told; they count as voluntary. */
export const DROP_REASON_UNKNOWN = 'drop_reason_unknown';

/** What the verdict asks of the timeline beyond the stats (verdict-facts.ts). */
export interface TimelineFacts {
  /** Every thread that held a GIL: how long it held it asleep or preempted. */
  readonly offCpuHolds: readonly OffCpuHold[];
  /** The process's run without the GIL (undefined without the CPU count, or for a process not seen). */
  withoutGil(pid: number): NoGilEstimate | undefined;
}

export interface AccumulatorOptions {
  /** CPUs of the recording machine: the no-GIL estimate needs them. */
  readonly cpus?: number;
  /** The recording's holder samples (exact or sampled): what ran during holds (held-attribution.ts). */
  readonly holderSamples?: HolderSamples;
}

export class StatsAccumulator {
  private readonly processes = new Map<number, ProcessAccumulator>();
  private start = Infinity;
  private end = -Infinity;
  private lostCount = 0;
  private functions: readonly PyFunction[] = [];
  private stacks: readonly PyStack[] = [];

  constructor(private readonly options: AccumulatorOptions = {}) {}

  /**
   * The next window, in time order; `last`: the recording's last (a wait or hold still open ends
   * in it). `anomalies`: the model's counts so far by pid, for processes the window does not have
   * (their threads all ended before it) but that an event after their end still counted against.
   */
  add(window: Timeline, last: boolean, anomalies?: TimelineState['anomalies']): void {
    if (window.start < this.start) this.start = window.start;
    if (window.end > this.end) this.end = window.end;
    if (window.lostEvents > this.lostCount) this.lostCount = window.lostEvents;
    // the stack table only grows: the latest has every id the windows used
    this.functions = window.functions;
    this.stacks = window.stacks;
    for (const process of window.processes) {
      let into = this.processes.get(process.pid);
      if (!into) this.processes.set(process.pid, (into = new ProcessAccumulator(process.pid, this.options.holderSamples)));
      into.add(process, window.stacks, last, this.options.cpus, window.start);
    }
    if (anomalies) for (const [pid, into] of this.processes) into.countedByModel(anomalies.get(pid));
  }

  /** Of the recording, from its first window's start to its last's end. */
  get durationNs(): number {
    return this.start <= this.end ? ns(this.end) - ns(this.start) : 0;
  }

  /** The holder samples the stats rest on (StatsJson `recording.holder_samples`), when the recording has them. */
  get holderSampling(): { hz: number; samples: number; in_holds: number } | undefined {
    const samples = this.options.holderSamples;
    if (!samples) return undefined;
    let inHolds = 0;
    for (const process of this.processes.values()) inHolds += process.holderSamplesInHolds();
    return { hz: samples.hz, samples: samples.count, in_holds: inHolds };
  }

  /** Lost events the model was told of. */
  get lostEvents(): number {
    return this.lostCount;
  }

  /** @param sampledHz ticks a second of a sampled recording: each thread then says how many fell in its life */
  processStats(meta: RecordingMeta, sampledHz?: number): ProcessStats[] {
    const functions = hasFunctionContext({ stacks: this.stacks }) ? this.functions : undefined;
    return this.ordered().map((p) => p.stats(meta, functions, this.stacks, sampledHz));
  }

  /** The processes seen, in the order the stats list them. */
  pids(): number[] {
    return this.ordered().map((p) => p.pid);
  }

  facts(): TimelineFacts {
    const processes = this.ordered();
    const cpus = this.options.cpus;
    return {
      offCpuHolds: processes.flatMap((p) => p.offCpuHolds(this.functions, this.stacks)),
      withoutGil: (pid) => (cpus ? this.processes.get(pid)?.withoutGil(cpus) : undefined),
    };
  }

  private ordered(): ProcessAccumulator[] {
    return [...this.processes.values()].sort((a, b) => a.start - b.start || a.pid - b.pid);
  }
}

/** A whole timeline as one window. */
export function accumulateWhole(timeline: Timeline, options: AccumulatorOptions = {}): StatsAccumulator {
  const accumulator = new StatsAccumulator(options);
  accumulator.add(timeline, true);
  return accumulator;
}

export function computeOffCpuHolds(timeline: Timeline): OffCpuHold[] {
  return [...accumulateWhole(timeline).facts().offCpuHolds];
}

class GilAccumulator {
  readonly tids = new Set<number>();
  /** First time a holders track of it began at (NaN: none yet). */
  first = NaN;
  held = 0;
  contended = 0;
  readonly scan = new HandoffScan();
  readonly handoffs = new F64List(16);
}

class ProcessAccumulator {
  start = Infinity;
  end = -Infinity;
  private readonly threads = new Map<string | ThreadTimeline, ThreadAccumulator>();
  private anomalies: Readonly<Record<string, number>> = {};
  /** Whether the anomalies come from windows (then threads without scheduler events are counted here). */
  private windowed = false;
  private held = 0;
  private contended = 0;
  /** By GilTimeline.serial (by key for a timeline without). */
  private readonly gils = new Map<number | string, GilAccumulator>();
  private readonly tallies = new FunctionTallies();
  /** Windows: the main thread's OS name, as the latest window that had one said; it stands in for threads without a name (as in freeze-timeline.ts). */
  private mainOsName: string | undefined = undefined;
  /** The no-GIL estimate's sums over the windows (their `measuredNs`: the time the windows swept). */
  private noGil: NoGilParts | undefined = undefined;

  constructor(readonly pid: number, private readonly holderSamples: HolderSamples | undefined) {}

  /** @param windowStart where the window begins: a process seen before is swept from there (its threads new in the window may begin earlier) */
  add(process: ProcessTimeline, stacks: readonly PyStack[], last: boolean, cpus: number | undefined, windowStart: number): void {
    const seen = this.start <= this.end;
    if (process.start < this.start) this.start = process.start;
    if (process.end > this.end) this.end = process.end;
    // the model counts as it goes: the latest window's counts are the recording's so far
    this.anomalies = process.anomalies;
    if (process.mainName !== undefined) this.mainOsName = process.mainName;
    const contention = this.addGils(process);
    for (const thread of process.threads) {
      // a whole timeline has each thread once (a reused tid too)
      const key = thread.window?.key ?? thread;
      let into = this.threads.get(key);
      if (!into) this.threads.set(key, (into = this.newThread(thread.tid, thread.start)));
      if (thread.window) this.windowed = true;
      const busy = thread.gil === undefined ? undefined : contention.get(thread.gil);
      into.add(thread, busy, stacks, this.tallies, last);
    }
    if (cpus) {
      const parts = noGilParts(process, cpus, seen ? windowStart : -Infinity);
      if (!this.noGil) this.noGil = parts;
      else {
        this.noGil.measuredNs += parts.measuredNs;
        this.noGil.estimatedNs += parts.estimatedNs;
        this.noGil.contendedNs += parts.contendedNs;
        this.noGil.pythonWhileContendedNs += parts.pythonWhileContendedNs;
        this.noGil.split.heldNs += parts.split.heldNs;
        this.noGil.split.freeNs += parts.split.freeNs;
        this.noGil.split.idleNs += parts.split.idleNs;
      }
    }
  }

  holderSamplesInHolds(): number {
    let n = 0;
    for (const thread of this.threads.values()) n += thread.attribution.samplesInHolds;
    return n;
  }

  private newThread(tid: number, start: number): ThreadAccumulator {
    const samples = this.holderSamples;
    const thread = new ThreadAccumulator(tid, this.pid, start, samples && { thread: samples.threads.get(holderSamplesKey(this.pid, tid)), ticked: samples.ticked });
    this.tallies.addHeldSource(thread.attribution);
    return thread;
  }

  /** The model's latest counts (a window's lack those it counts per thread: noSchedulerEvents). */
  countedByModel(anomalies: Readonly<Record<string, number>> | undefined): void {
    if (!anomalies) return;
    this.anomalies = { ...anomalies, ...(this.anomalies[Anomaly.noSchedulerEvents] !== undefined ? { [Anomaly.noSchedulerEvents]: this.anomalies[Anomaly.noSchedulerEvents] } : {}) };
  }

  /** Sums the window's GIL tracks; returns each GIL's times with a waiter (the function stats' "while others wait"). */
  private addGils(process: ProcessTimeline): Map<string, Float64Array> {
    const contention = new Map<string, Float64Array>();
    let held = 0;
    let contended = 0;
    for (const gil of process.gils) {
      const into = this.gilAccumulator(gil);
      const { times, tids } = gil.holders;
      // a holder for no whole ns (two events a hair apart) held it not at all: listed or not, the
      // whole timeline and its windows would disagree (a window keeps an entry at its end that
      // the whole folds away)
      for (let i = 0; i < tids.length; i++) {
        if (tids[i] !== 0 && ns(i + 1 < times.length ? times[i + 1] : process.end) > ns(times[i])) into.tids.add(tids[i]);
      }
      if (times.length > 0 && !(into.first <= times[0])) into.first = times[0];
      // GIL tracks begin at their first event: before it nobody held or waited
      const gilHeld = timeNonZero(times, tids, firstTime(times), process.end);
      const gilContended = timeNonZero(gil.waiters.times, gil.waiters.counts, firstTime(gil.waiters.times), process.end);
      into.held += gilHeld;
      into.contended += gilContended;
      held += gilHeld;
      contended += gilContended;
      into.scan.scan(gil, process.end, (latency) => into.handoffs.push(latency));
      contention.set(gil.key, intervalsNonZero(gil.waiters.times, gil.waiters.counts, firstTime(gil.waiters.times), process.end));
    }
    if (process.gils.length > 1) {
      // several GILs: the process's numbers are their union
      const any = (tracks: (readonly [Float64Array, ArrayLike<number>])[]) =>
        totalLength(union(tracks.map(([times, values]) => intervalsNonZero(times, values, firstTime(times), process.end))));
      held = any(process.gils.map((g) => [g.holders.times, g.holders.tids]));
      contended = totalLength(union([...contention.values()]));
    }
    this.held += held;
    this.contended += contended;
    return contention;
  }

  private gilAccumulator(gil: GilTimeline): GilAccumulator {
    const key = gil.serial ?? gil.key;
    let into = this.gils.get(key);
    if (!into) this.gils.set(key, (into = new GilAccumulator()));
    return into;
  }

  stats(meta: RecordingMeta, functions: readonly PyFunction[] | undefined, stacks: readonly PyStack[], sampledHz: number | undefined): ProcessStats {
    const ordered = this.ordered();
    const threads: ThreadStats[] = ordered.map((thread) => {
      const stats = thread.stats(functions, stacks, this.mainOsName);
      return sampledHz === undefined ? stats : { ...stats, samples: Math.round((stats.lifetime_ns * sampledHz) / 1e9) };
    });
    const known = meta.processes.get(this.pid);
    const mainThread = threads.find((t) => t.tid === this.pid);
    let forced = 0;
    let voluntary = 0;
    let unknown = 0;
    for (const thread of threads) {
      forced += thread.drops.forced;
      voluntary += thread.drops.voluntary;
    }
    for (const thread of ordered) unknown += thread.unknownDrops;
    const anomalies: Record<string, number> = { ...this.anomalies };
    if (this.windowed) {
      // threads the latest window did not see were counted by the windows they were in
      delete anomalies[Anomaly.noSchedulerEvents];
      const without = ordered.filter((t) => t.noScheduler).length;
      if (without > 0) anomalies[Anomaly.noSchedulerEvents] = without;
    }
    // a sampled recording never knows why a hold ended: not an anomaly there
    if (unknown > 0 && sampledHz === undefined) anomalies[DROP_REASON_UNKNOWN] = unknown;
    const gils = [...this.gils.values()];
    const handoffs = gils.flatMap((g) => Array.from(g.handoffs.copy()));
    const interpreters = this.interpreters();
    return {
      pid: this.pid,
      ...(known?.namespacePid !== undefined ? { pid_in_namespace: known.namespacePid } : {}),
      command: known?.command || mainThread?.name || '',
      python: known?.python ?? UNKNOWN_PYTHON,
      duration_ns: ns(this.end) - ns(this.start),
      gil: {
        held_ns: this.held,
        contended_ns: this.contended,
        handoff: summarizeDurations(handoffs),
        drops: { forced, voluntary },
      },
      threads,
      anomalies: sortedKeys(anomalies),
      ...(functions ? { functions: this.tallies.functionStats(functions, stacks) } : {}),
      thread_groups: computeThreadGroups(threads, this.pid),
      ...(known?.nsPerGilCycle !== undefined ? { tracing_cost: tracingCost(threads, known.nsPerGilCycle) } : {}),
      ...(this.noGil ? { time_split: this.timeSplit(this.noGil) } : {}),
      ...(interpreters ? { interpreters } : {}),
    };
  }

  /**
   * One entry per GIL when the process has several (subinterpreters with their own, 3.12+), in
   * order of first use: a process starts in its main interpreter, whose main thread creates the
   * others (holding each new GIL a moment to initialise it). Undefined for one GIL.
   */
  private interpreters(): ProcessStats['interpreters'] {
    if (this.gils.size < 2) return undefined;
    const gils = [...this.gils.values()].map((g) => ({ g, first: g.first === g.first ? g.first : 0 }));
    gils.sort((a, b) => a.first - b.first);
    return gils.map(({ g }, i) => {
      const tids = [...g.tids].sort((a, b) => a - b);
      return {
        index: i + 1,
        main: i === 0 && tids.includes(this.pid),
        tids,
        held_ns: g.held,
        contended_ns: g.contended,
        handoff: summarizeDurations(g.handoffs.copy()),
      };
    });
  }

  /** The run's split (ProcessStats.time_split): between the windows (no thread of it alive) nobody wanted to run. */
  private timeSplit(parts: NoGilParts): NonNullable<ProcessStats['time_split']> {
    const between = ns(this.end) - ns(this.start) - parts.measuredNs;
    const { heldNs, freeNs, idleNs } = parts.split;
    return { held_ns: heldNs, free_ns: freeNs, idle_ns: idleNs + between, handover_ns: Math.max(0, parts.measuredNs - heldNs - freeNs - idleNs) };
  }

  /** What the run would take without the GIL on `cpus` CPUs (undefined: the CPU count was not known while adding). */
  withoutGil(cpus: number): NoGilEstimate | undefined {
    const parts = this.noGil;
    if (!parts) return undefined;
    // Its span, not the windows' spans summed: between those (no thread of it alive) nobody
    // wanted to run, which the estimate keeps as it was.
    const measuredNs = ns(this.end) - ns(this.start);
    return toNoGilEstimate({ ...parts, measuredNs, estimatedNs: parts.estimatedNs + measuredNs - parts.measuredNs }, cpus);
  }

  offCpuHolds(functions: readonly PyFunction[], stacks: readonly PyStack[]): OffCpuHold[] {
    return this.ordered().flatMap((t) => t.offCpuHold(this.mainOsName, functions, stacks) ?? []);
  }

  private ordered(): ThreadAccumulator[] {
    return [...this.threads.values()].sort((a, b) => a.start - b.start || a.tid - b.tid);
  }
}

function tracingCost(threads: readonly ThreadStats[], nsPerGilCycle: number): NonNullable<ProcessStats['tracing_cost']> {
  const cycles = threads.reduce((sum, t) => sum + t.acquisitions, 0);
  return { ns_per_gil_cycle: nsPerGilCycle, gil_cycles: cycles, added_ns: Math.round(cycles * nsPerGilCycle) };
}

/** GIL tracks begin at their first event: before it nobody held or waited. */
function firstTime(times: Float64Array): number {
  return times.length > 0 ? times[0] : 0;
}

function sortedKeys(counts: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(counts).sort()) out[key] = counts[key];
  return out;
}
