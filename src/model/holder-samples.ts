/**
 * An exact recording's holder samples (contract/sampled-recording.ts, header `holders`): at each
 * of HZ ticks a second, which thread held each GIL and the Python stack it ran. The probes say
 * where each hold ended; the samples say what ran during it (analysis/held-attribution.ts).
 * A sample without a stack (no Python frame, or none could be read) says the time was held but
 * not by what: it is kept as NO_STACK_SAMPLE, and its share goes where the holds ended.
 */
import { GiltraceError } from '../base/errors.js';
import { parseSampledHeader, internStackLine } from './sampled-recording.js';
import type { PythonStacks } from './python-stacks.js';

/** The stack of a sample that read none (its share of the held time goes where the holds ended). */
export const NO_STACK_SAMPLE = -1;

/** One thread's samples, in time order. */
export interface ThreadHolderSamples {
  /** ns after the timeline's time base. */
  readonly times: Float64Array;
  /** Stack ids in the recording's PythonStacks, or NO_STACK_SAMPLE. */
  readonly stacks: Int32Array;
  /** The time each stands for (ns): since the previous tick, at most MAX_WEIGHT_PERIODS periods. */
  readonly weights: Float64Array;
}

/**
 * A tick that came this many periods late or more stands for this many: a sampler kept off the
 * CPUs by busy threads samples busy moments less often, and the time since its previous tick
 * makes up for that, but not for a sampler that stalled (its thread descheduled for long).
 */
const MAX_WEIGHT_PERIODS = 4;

export interface HolderSamples {
  /** Ticks a second asked for. */
  readonly hz: number;
  /** By `${pid}/${tid}`. */
  readonly threads: ReadonlyMap<string, ThreadHolderSamples>;
  /** Samples, all threads. */
  readonly count: number;
  /** From the sampler's first tick to its last (ns after the time base): holds outside had no chance of a sample. */
  readonly ticked: { readonly from: number; readonly to: number };
}

export function holderSamplesKey(pid: number, tid: number): string {
  return `${pid}/${tid}`;
}

/**
 * The samples in `text`, their stacks interned in `stacks`, their times made relative to
 * `timeBaseNs` (absolute CLOCK_MONOTONIC ns of the timeline's time 0). `file` names it in errors.
 */
export function readHolderSamples(text: string, stacks: PythonStacks, timeBaseNs: bigint, file: string): HolderSamples {
  const lines = text.split('\n');
  const header = parseSampledHeader(lines, file);
  if (header.holders !== true) throw new GiltraceError('its holder samples are a sampled recording instead', { file });
  // exact in doubles: the offset between the two time bases is small next to 2^53 ns
  const shift = Number(BigInt(header.timeBaseNs) - timeBaseNs);
  const stackIds = new Map<number, number>([[0, NO_STACK_SAMPLE]]);
  const lists = new Map<string, { times: number[]; stacks: number[]; weights: number[] }>();
  const periodNs = 1e9 / header.hz;
  let count = 0;
  let from = Infinity;
  let to = -Infinity;
  for (let i = 2; i < lines.length; i++) {
    const line = lines[i];
    // every line but F has its time second: the ticks span them (a C line comes at the first)
    if (line.length > 0 && line[0] !== 'F') {
      const t = Number(line.slice(2, line.indexOf(' ', 2))) + shift;
      if (t < from) from = t;
      if (t > to) to = t;
    }
    if (line[0] === 'F') {
      const [fileId, stack] = internStackLine(line, stacks);
      stackIds.set(fileId, stack);
    } else if (line[0] === 'H') {
      const [, t, pid, tid, id, since] = line.split(' ');
      const stack = stackIds.get(Number(id));
      if (stack === undefined) continue;
      const key = holderSamplesKey(Number(pid), Number(tid));
      let list = lists.get(key);
      if (!list) lists.set(key, (list = { times: [], stacks: [], weights: [] }));
      list.times.push(Number(t) + shift);
      list.stacks.push(stack);
      const weight = Number(since);
      list.weights.push(weight > 0 ? Math.min(weight, MAX_WEIGHT_PERIODS * periodNs) : periodNs);
      count++;
    }
  }
  const threads = new Map<string, ThreadHolderSamples>();
  for (const [key, list] of lists) {
    threads.set(key, { times: Float64Array.from(list.times), stacks: Int32Array.from(list.stacks), weights: Float64Array.from(list.weights) });
  }
  return { hz: header.hz, threads, count, ticked: from <= to ? { from, to } : { from: 0, to: 0 } };
}
