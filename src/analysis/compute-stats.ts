/**
 * The analysis entry point: Timeline → `giltrace.stats/1` numbers. All times are integer ns
 * built from rounded track boundaries (see intervals.ts), so within a thread
 * held + wait + no_gil == lifetime and running + runnable + sleeping + blocked == lifetime
 * hold exactly.
 */
import { STATS_SCHEMA, type DropCounts, type SamplingStats, type ProcessStats, type StatsJson, type ThreadStats } from '../contract/stats.js';
import { CpuState, GilState, type ProcessTimeline, type ThreadTimeline, type Timeline } from '../model/timeline.js';
import { computeFunctionStats, hasFunctionContext, topThreadFunctions } from './function-stats.js';
import { computeHandoffLatencies } from './handoffs.js';
import { computeInterpreterGils } from './interpreter-gils.js';
import { computeThreadGroups } from './thread-groups.js';
import { intervalsNonZero, ns, stateMask, timeNonZero, totalLength, union } from './intervals.js';
import { jointTime, threadStateTimes } from './thread-state-times.js';
import { UNKNOWN_PYTHON, type RecordingMeta } from './recording-meta.js';
import { summarizeDurations } from './summary.js';

/** Anomaly counted here (not by the model): drops whose reason could not be told; they count as voluntary. */
export const DROP_REASON_UNKNOWN = 'drop_reason_unknown';

export function computeStats(timeline: Timeline, meta: RecordingMeta): StatsJson {
  const context = hasFunctionContext(timeline) ? timeline : undefined;
  const sampling = samplingStats(meta, ns(timeline.end) - ns(timeline.start));
  return {
    schema: STATS_SCHEMA,
    recording: {
      duration_ns: ns(timeline.end) - ns(timeline.start),
      events: meta.events,
      lost_events: Math.max(timeline.lostEvents, meta.lostEvents ?? 0),
      warnings: [...meta.warnings],
      ...(meta.cpus ? { cpus: meta.cpus } : {}),
      ...(sampling ? { sampling } : {}),
    },
    processes: timeline.processes.map((process) => computeProcessStats(process, meta, context, sampling?.effective_hz)),
  };
}

/** A sampled recording's rates and error bound (contract/stats.ts SamplingStats). */
function samplingStats(meta: RecordingMeta, durationNs: number): SamplingStats | undefined {
  const given = meta.sampling;
  if (!given) return undefined;
  // over the span the sampler ticked (from before the program started), not the timeline's
  const spanNs = given.spanNs ?? durationNs;
  const effectiveHz = spanNs > 0 ? (given.ticks * 1e9) / spanNs : 0;
  return {
    hz: given.hz,
    ticks: given.ticks,
    late_ticks: given.lateTicks,
    effective_hz: Math.round(effectiveHz * 10) / 10,
    share_error_95: shareError(given.ticks),
    ...(given.samplerCpuNs !== undefined ? { sampler_cpu_ns: given.samplerCpuNs } : {}),
  };
}

/** Half-width of the 95 % interval of a share estimated from `samples` ticks, in the worst case (p = ½). */
export function shareError(samples: number): number {
  return samples > 0 ? Math.round((0.98 / Math.sqrt(samples)) * 1e4) / 1e4 : 1;
}

/** @param context the timeline's functions and stacks, when the recording read Python stacks */
/** @param sampledHz ticks a second of a sampled recording: each thread then says how many fell in its life */
export function computeProcessStats(process: ProcessTimeline, meta: RecordingMeta, context?: FunctionContext, sampledHz?: number): ProcessStats {
  const threads = process.threads.map((thread) => {
    const stats = computeThreadStats(thread, context);
    return sampledHz === undefined ? stats : { ...stats, samples: Math.round((stats.lifetime_ns * sampledHz) / 1e9) };
  });
  const known = meta.processes.get(process.pid);
  const mainThread = process.threads.find((t) => t.tid === process.pid);
  const held = timeInAny(process.gils.map((g) => [g.holders.times, g.holders.tids]), process.end);
  const contended = timeInAny(process.gils.map((g) => [g.waiters.times, g.waiters.counts]), process.end);
  const handoffs = process.gils.flatMap((g) => computeHandoffLatencies(g, process.end));
  let forced = 0;
  let voluntary = 0;
  let unknown = 0;
  for (const thread of process.threads) {
    for (const drop of thread.drops) {
      if (drop.forced) forced++;
      else voluntary++;
      if (!drop.known) unknown++;
    }
  }
  const anomalies: Record<string, number> = { ...process.anomalies };
  const interpreters = computeInterpreterGils(process);
  // a sampled recording never knows why a hold ended: not an anomaly there
  if (unknown > 0 && sampledHz === undefined) anomalies[DROP_REASON_UNKNOWN] = unknown;
  return {
    pid: process.pid,
    ...(known?.namespacePid !== undefined ? { pid_in_namespace: known.namespacePid } : {}),
    command: known?.command || mainThread?.name || '',
    python: known?.python ?? UNKNOWN_PYTHON,
    duration_ns: ns(process.end) - ns(process.start),
    gil: {
      held_ns: held,
      contended_ns: contended,
      handoff: summarizeDurations(handoffs),
      drops: { forced, voluntary },
    },
    threads,
    anomalies: sortedKeys(anomalies),
    ...(context ? { functions: computeFunctionStats(process, context) } : {}),
    thread_groups: computeThreadGroups(threads, process.pid),
    ...(known?.nsPerGilCycle !== undefined ? { tracing_cost: tracingCost(threads, known.nsPerGilCycle) } : {}),
    ...(interpreters ? { interpreters } : {}),
  };
}

function tracingCost(threads: readonly ThreadStats[], nsPerGilCycle: number): NonNullable<ProcessStats['tracing_cost']> {
  const cycles = threads.reduce((sum, t) => sum + t.acquisitions, 0);
  return { ns_per_gil_cycle: nsPerGilCycle, gil_cycles: cycles, added_ns: Math.round(cycles * nsPerGilCycle) };
}

type FunctionContext = Pick<Timeline, 'functions' | 'stacks'>;

export function computeThreadStats(thread: ThreadTimeline, context?: FunctionContext): ThreadStats {
  const { start, end } = thread;
  const times = threadStateTimes(thread);
  const { gil, cpu } = times;
  const offCpu = stateMask(CpuState.runnable, CpuState.sleeping, CpuState.blocked);
  return {
    tid: thread.tid,
    name: thread.name,
    lifetime_ns: ns(end) - ns(start),
    held_ns: gil[GilState.holding],
    wait_ns: gil[GilState.waiting],
    no_gil_ns: gil[GilState.none],
    held_off_cpu_ns: jointTime(times, GilState.holding, offCpu),
    held_asleep_ns: jointTime(times, GilState.holding, stateMask(CpuState.sleeping, CpuState.blocked)),
    running_ns: cpu[CpuState.running],
    runnable_ns: cpu[CpuState.runnable],
    sleeping_ns: cpu[CpuState.sleeping],
    blocked_ns: cpu[CpuState.blocked],
    active_ns: gil[GilState.holding] + gil[GilState.waiting] + jointTime(times, GilState.none, stateMask(CpuState.running, CpuState.runnable)),
    acquisitions: thread.acquisitions,
    wait: summarizeDurations(thread.waits),
    drops: countDrops(thread),
    ...(context ? { top_functions: topThreadFunctions(thread, context) } : {}),
  };
}

function countDrops(thread: ThreadTimeline): DropCounts {
  let forced = 0;
  for (const drop of thread.drops) if (drop.forced) forced++;
  return { forced, voluntary: thread.drops.length - forced };
}

/**
 * Time during which any of the GIL tracks is non-zero (someone holds it, someone waits); with one
 * GIL (the usual case) without building its interval list.
 */
function timeInAny(tracks: readonly (readonly [Float64Array, ArrayLike<number>])[], end: number): number {
  if (tracks.length === 1) return timeNonZero(tracks[0][0], tracks[0][1], firstTime(tracks[0][0]), end);
  return totalLength(union(tracks.map(([times, values]) => intervalsNonZero(times, values, firstTime(times), end))));
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
