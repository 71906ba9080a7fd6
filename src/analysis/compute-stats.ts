/**
 * The analysis entry point: Timeline (or its windows, summed by stats-accumulator.ts) →
 * `giltrace.stats/1` numbers. All times are integer ns
 * built from rounded track boundaries (see intervals.ts), so within a thread
 * held + wait + no_gil == lifetime and running + runnable + sleeping + blocked == lifetime
 * hold exactly.
 */
import type { HolderSamples } from '../model/holder-samples.js';
import { STATS_SCHEMA, type SamplingStats, type StatsJson } from '../contract/stats.js';
import type { Timeline } from '../model/timeline.js';
import type { RecordingMeta } from './recording-meta.js';
import { accumulateWhole, type StatsAccumulator } from './stats-accumulator.js';

export { DROP_REASON_UNKNOWN } from './stats-accumulator.js';

/** @param holderSamples what the GIL holders ran, sampled (held-attribution.ts), when the recording has them */
export function computeStats(timeline: Timeline, meta: RecordingMeta, holderSamples?: HolderSamples): StatsJson {
  return statsOf(accumulateWhole(timeline, { cpus: meta.cpus, holderSamples }), meta);
}

/** The stats of the windows added to `accumulator` (stats-accumulator.ts). */
export function statsOf(accumulator: StatsAccumulator, meta: RecordingMeta): StatsJson {
  const sampling = samplingStats(meta, accumulator.durationNs);
  return {
    schema: STATS_SCHEMA,
    recording: {
      duration_ns: accumulator.durationNs,
      events: meta.events,
      lost_events: Math.max(accumulator.lostEvents, meta.lostEvents ?? 0),
      warnings: [...meta.warnings],
      ...(meta.cpus ? { cpus: meta.cpus } : {}),
      ...(meta.takesPlaced ? { takes_placed: { ...meta.takesPlaced } } : {}),
      ...(sampling ? { sampling } : {}),
      ...(accumulator.holderSampling ? { holder_samples: accumulator.holderSampling } : {}),
      ...(meta.range ? { range: { from_ns: meta.range.from, ...(Number.isFinite(meta.range.to) ? { to_ns: meta.range.to } : {}) } } : {}),
    },
    processes: accumulator.processStats(meta, sampling?.effective_hz),
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
    ...(given.cpuBudget !== undefined ? { cpu_budget: given.cpuBudget } : {}),
    ...(given.slowestHz !== undefined ? { slowest_hz: Math.round(given.slowestHz * 10) / 10 } : {}),
  };
}

/** Half-width of the 95 % interval of a share estimated from `samples` ticks, in the worst case (p = ½). */
export function shareError(samples: number): number {
  return samples > 0 ? Math.round((0.98 / Math.sqrt(samples)) * 1e4) / 1e4 : 1;
}

