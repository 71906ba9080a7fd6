/**
 * A sampled recording (giltrace record --sample) → timeline → stats + verdict: the same
 * analysis as an exact recording's, from the states the ticks saw (model/sampled-recording.ts),
 * with the stats saying how it was sampled and how far to trust each share.
 */
import { readFileSync } from 'node:fs';
import { accumulateWhole, computeVerdict, statsOf, type ProcessMeta, type RecordingMeta } from '../analysis/index.js';
import { buildTimeline } from '../model/build-timeline.js';
import { readSampledRecording, type SampledRecording } from '../model/sampled-recording.js';
import { formatDuration } from '../base/time.js';
import { GiltraceError } from '../base/errors.js';
import type { Analysis } from './analysis.js';
import { toVerdictText } from './verdict-text.js';

/**
 * What the stats say of each sampled process: its command line (as attached, else as it was
 * first sampled; the command giltrace ran for the first), and its Python.
 */
export function sampledProcessMeta(recording: Pick<SampledRecording, 'header' | 'processes'>): Map<number, ProcessMeta> {
  const attached = new Map((recording.header.attached ?? []).map((a) => [a.pid, a.command]));
  const first = recording.processes[0]?.pid;
  return new Map(recording.processes.map((p) => [p.pid, {
    command: (attached.get(p.pid) ?? p.command ?? (p.pid === first ? recording.header.command : [])).join(' '),
    python: { executable: p.file, version: `3.${p.minor}`, gil: 'enabled' as const },
  }]));
}

/** @param ranged a range of it was asked for: not for a sampled recording (its estimates are over its ticks, all of them) */
export function analyzeSampledRecording(path: string, ranged = false): Analysis {
  if (ranged) throw new GiltraceError(`${path} is a sampled recording: --from/--to cut exact recordings only (a sampled one is read whole)`);
  const recording = readSampledRecording(readFileSync(path, 'latin1'), path);
  const { header } = recording;
  const timeline = buildTimeline(recording.events, { timeBaseNs: BigInt(header.timeBaseNs), end: recording.endTime, stacks: recording.stacks });
  const warnings: string[] = [];
  if (recording.cutShort) warnings.push(`the recording was cut short (giltrace stopped before it ended it): it ends at ${formatDuration(recording.endTime)}`);
  const taken = recording.ticks + recording.lateTicks;
  if (recording.lateTicks > 0.1 * taken) {
    warnings.push(`${recording.lateTicks} of ${taken} ticks were skipped (the sampler came late on a busy machine): fewer samples, wider error`);
  }
  for (const { pid, why, untilExec } of recording.notSampled) warnings.push(`process ${pid} was not sampled${untilExec ? " until it exec'd" : ''}: ${why}`);
  warnings.push(...recording.warnings);
  const meta: RecordingMeta = {
    events: recording.events.length,
    warnings,
    cpus: header.cpus,
    sampling: {
      hz: header.hz,
      ticks: recording.ticks,
      lateTicks: recording.lateTicks,
      spanNs: recording.endTime,
      ...(recording.samplerCpuNs !== undefined ? { samplerCpuNs: recording.samplerCpuNs } : {}),
      ...(header.cpuBudget !== undefined ? { cpuBudget: header.cpuBudget } : {}),
      ...(recording.slowestPeriodNs !== undefined ? { slowestHz: 1e9 / recording.slowestPeriodNs } : {}),
    },
    processes: sampledProcessMeta(recording),
  };
  // one pass serves the stats and the verdict's facts (where holder samples saw a thread asleep holding, too)
  const accumulator = accumulateWhole(timeline, { cpus: meta.cpus, holderSamples: recording.holderSamples });
  const numbers = statsOf(accumulator, meta);
  const verdict = toVerdictText(computeVerdict(numbers, accumulator.facts(), 'gil-probes'), true);
  const boottime = header.boottimeMinusMonotonicNs;
  return { timeline, stats: { ...numbers, verdict }, verdict, ...(boottime !== undefined ? { boottimeMinusMonotonicNs: BigInt(boottime) } : {}) };
}
