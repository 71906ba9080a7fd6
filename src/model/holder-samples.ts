/**
 * Holder samples (contract/sampled-recording.ts, H lines): at each of HZ ticks a second, which
 * thread held each GIL and the Python stack it ran; an exact recording's (header `holders`, read
 * here) or a sampled one's (its reader builds them with HolderSamplesBuilder). The probes, or
 * the states sampled, say where each hold ended; the samples say what ran during it
 * (analysis/held-attribution.ts).
 * A sample without a stack (no Python frame, or none could be read) says the time was held but
 * not by what: it is kept as NO_STACK_SAMPLE, and its share goes where the holds ended.
 */
import { GiltraceError } from '../base/errors.js';
import { parseSampledHeader, internStackLine, readSourceLine, readInstructionLines } from './sampled-lines.js';
import type { PythonStacks } from './python-stacks.js';
import { CodeNames } from './code-names.js';

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
  /** The line its stack's innermost frame ran (0: not known; files before 12-06 have none). */
  readonly lines: Int32Array;
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
  /** What the drop probe's code addresses are (O lines; recordings since 12-07), when it read addresses. */
  readonly codes?: CodeNames;
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
  const samples = new HolderSamplesBuilder(header.hz);
  for (let i = 2; i < lines.length; i++) readHolderSampleLine(lines[i], shift, stacks, stackIds, samples);
  return samples.finish();
}

/**
 * One line of holder samples after the header into `samples` (here, and a live view's as they
 * come): F lines intern their stacks in `stacks` (`stackIds`: the file's ids → theirs), every
 * other line has its time second (the ticks span them; a C line comes at the first), `shift`
 * ns added to it.
 */
export function readHolderSampleLine(line: string, shift: number, stacks: PythonStacks, stackIds: Map<number, number>, samples: HolderSamplesBuilder): void {
  if (line.length === 0) return;
  if (line[0] === 'F') {
    const [fileId, stack] = internStackLine(line, stacks);
    stackIds.set(fileId, stack);
    return;
  }
  if (line[0] === 'L') {
    readSourceLine(line, stacks, stackIds);
    return;
  }
  if (line[0] === 'B') {
    readInstructionLines(line, stacks, stackIds);
    return;
  }
  if (line[0] === 'D') return; // how far a live view may read (live-holder-samples.ts)
  const fields = line.split(' ');
  if (line[0] === 'O') {
    // O <t> <pid> <code hex> <stack> <file hex> <name bytes hex>
    const stack = stackIds.get(Number(fields[4]));
    if (stack !== undefined && stack !== NO_STACK_SAMPLE) samples.codes.add(Number(fields[2]), parseInt(fields[3], 16), Number(fields[1]) + shift, stack, parseInt(fields[5], 16), fields[6]);
    return;
  }
  const t = Number(fields[1]) + shift;
  samples.tick(t);
  const stack = line[0] === 'H' ? stackIds.get(Number(fields[4])) : undefined;
  if (stack !== undefined) samples.sample(t, Number(fields[2]), Number(fields[3]), stack, Number(fields[5]), Number(fields[6] ?? 0));
  else if (line[0] === 'R') samples.setPeriod(Number(fields[2]));
}

/** Holder samples as they are read (H lines: here, and in a sampled recording's reader). */
export class HolderSamplesBuilder {
  private readonly lists = new Map<string, { times: number[]; stacks: number[]; weights: number[]; lines: number[] }>();
  private periodNs: number;
  /** Samples so far (not given by take). */
  count = 0;
  private from = Infinity;
  private to = -Infinity;
  /** Up to where take() gave the samples: the ticks after it are the rest's. */
  private takenTo = -Infinity;

  /** `codes`: where O lines' namings go (a live view shares it with its adapter, which names drops as they come). */
  constructor(private readonly hz: number, readonly codes = new CodeNames()) {
    this.periodNs = 1e9 / hz;
  }

  /** From now on a sample is due every `ns` (an R line: the sampler slowed to keep within its CPU budget, or sped up again). */
  setPeriod(ns: number): void {
    this.periodNs = ns;
  }

  /** The sampler ticked at `t` (ns after the time base). */
  tick(t: number): void {
    if (t < this.from) this.from = t;
    if (t > this.to) this.to = t;
  }

  /** `since`: ns since the sampler's previous look at the holder (the time it stands for); `at`: the line it ran (0: not known). */
  sample(t: number, pid: number, tid: number, stack: number, since: number, at = 0): void {
    const key = holderSamplesKey(pid, tid);
    let list = this.lists.get(key);
    if (!list) this.lists.set(key, (list = { times: [], stacks: [], weights: [], lines: [] }));
    list.times.push(t);
    list.stacks.push(stack);
    list.lines.push(Number.isInteger(at) && at > 0 ? at : 0);
    list.weights.push(since > 0 ? Math.min(since, MAX_WEIGHT_PERIODS * this.periodNs) : this.periodNs);
    this.count++;
  }

  /** The latest tick so far (-Infinity before any). */
  get latest(): number {
    return this.to;
  }

  finish(): HolderSamples {
    return { ...this.take(Infinity), ...(this.codes.size > 0 ? { codes: this.codes } : {}) };
  }

  /**
   * The samples up to `upTo` not given before, and the ticks they span (a live view's window):
   * they are forgotten here.
   */
  take(upTo: number): HolderSamples {
    const threads = new Map<string, ThreadHolderSamples>();
    let count = 0;
    for (const [key, list] of this.lists) {
      let n = 0;
      while (n < list.times.length && list.times[n] <= upTo) n++;
      if (n === 0) continue;
      threads.set(key, {
        times: Float64Array.from(list.times.slice(0, n)), stacks: Int32Array.from(list.stacks.slice(0, n)),
        weights: Float64Array.from(list.weights.slice(0, n)), lines: Int32Array.from(list.lines.slice(0, n)),
      });
      list.times.splice(0, n);
      list.stacks.splice(0, n);
      list.weights.splice(0, n);
      list.lines.splice(0, n);
      count += n;
    }
    this.count -= count;
    const from = Math.max(this.from, this.takenTo);
    const to = Math.min(this.to, upTo);
    if (to >= from) this.takenTo = to;
    return { hz: this.hz, threads, count, ticked: from <= to ? { from, to } : { from: 0, to: 0 } };
  }
}
