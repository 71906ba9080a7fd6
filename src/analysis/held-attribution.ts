/**
 * Which Python functions a thread's GIL holds are charged to: where each hold ended (the probes'
 * drop, exact), or, while holder samples were taken (model/holder-samples.ts), what the samples
 * saw running. A hold that ends in a blocking call (a socket write, a queue's wait) did its work
 * before, in code no probe sees: a sample taken inside a hold says what ran then.
 *
 * While the sampler ticked, the threads' held time (a process's together, or one thread's) is
 * shared among the stacks their samples inside holds saw, each sample weighing the time since the
 * sampler's previous tick: every moment of holding is as likely to be sampled, so each function's
 * share is unbiased (a hold shorter than a tick is sampled in proportion to its length), and the
 * functions' times add up to the threads' exact held time: the held-while-others-waited time by
 * the samples taken while another thread waited, the rest by the others. Holds before the first tick or after
 * the last (the sampler starts while the command does), and all of them when no sample came, are
 * charged where they ended. A recording without samples is charged exactly as before: every hold
 * where it ended. Each sample also says the line its stack's innermost frame ran (when the sampler
 * read it): the time is shared by (stack, line), and a hold charged where it ended has no line.
 */
import { NO_STACK_SAMPLE, type ThreadHolderSamples } from '../model/holder-samples.js';
import type { StepTrack } from '../model/timeline.js';
import { ASLEEP } from './off-cpu-holds.js';

export interface HeldTime {
  held: number;
  othersWaited: number;
}

/** A hold's parts summed (they come window by window): while the sampler ticked, and outside that. */
export interface HoldParts {
  readonly sampled: HeldTime;
  readonly unsampled: HeldTime;
}

export function newHoldParts(): HoldParts {
  return { sampled: { held: 0, othersWaited: 0 }, unsampled: { held: 0, othersWaited: 0 } };
}

/**
 * A stack and a line as one number (a Map key): stack ids stay far below 2^21, lines below 2^31;
 * NO_STACK_SAMPLE (-1) has no line.
 */
const LINE_SPAN = 2 ** 32;
const sampleKey = (stack: number, line: number): number => stack * LINE_SPAN + (stack === NO_STACK_SAMPLE ? 0 : line);
const stackOfKey = (key: number): number => Math.floor(key / LINE_SPAN);
const lineOfKey = (key: number): number => key - stackOfKey(key) * LINE_SPAN;
const NO_STACK_KEY = sampleKey(NO_STACK_SAMPLE, 0);

export class HeldAttribution {
  /** Holds outside the sampler's ticks, and (the fallback) those inside, by where they ended (sampleKey, line 0). */
  private readonly unsampledByStack = new Map<number, HeldTime>();
  private readonly sampledByEnd = new Map<number, HeldTime>();
  /** The samples' weights by stack and line (sampleKey), and the exact times they share. */
  private readonly bySample = new Map<number, HeldTime>();
  private readonly sampledTotal: HeldTime = { held: 0, othersWaited: 0 };
  /** First sample not yet looked at (holds come in time order). */
  private next = 0;
  /** Weights of the samples taken while the holder slept or was blocked (its CPU track said so), by sampleKey. */
  private readonly asleepBySample = new Map<number, number>();
  /** Samples that fell inside the holds given. */
  samplesInHolds = 0;

  constructor(private readonly samples: ThreadHolderSamples | undefined, private readonly ticked: { readonly from: number; readonly to: number } | undefined) {}

  /**
   * A hold's part [from, to) (ns, rounded as the hold's lengths are), `othersWaited` of it with
   * another thread waiting, added to `into`; its samples are weighed. `contention`: its GIL's
   * times with a waiter (sorted [start, end) pairs), undefined when it has none; `cpu`: the
   * holder's CPU track, to tell the samples taken while it slept.
   */
  part(from: number, to: number, othersWaited: number, contention: Float64Array | undefined, into: HoldParts, cpu?: StepTrack): void {
    const mid = (from + to) / 2;
    const sampled = this.ticked !== undefined && mid >= this.ticked.from && mid < this.ticked.to;
    const side = sampled ? into.sampled : into.unsampled;
    side.held += to - from;
    side.othersWaited += othersWaited;
    const samples = this.samples;
    if (!samples) return;
    const { times, stacks, weights, lines } = samples;
    while (this.next < times.length && times[this.next] < from) this.next++;
    for (; this.next < times.length && times[this.next] < to; this.next++) {
      this.samplesInHolds++;
      const weight = weights[this.next];
      const key = sampleKey(stacks[this.next], lines[this.next]);
      const into = at(this.bySample, key);
      into.held += weight;
      if (contention !== undefined && within(contention, times[this.next])) into.othersWaited += weight;
      if (cpu !== undefined && key !== NO_STACK_KEY && isAsleep(cpu, times[this.next])) this.asleepBySample.set(key, (this.asleepBySample.get(key) ?? 0) + weight);
    }
  }

  /** The stack and line most samples saw while the thread held the GIL asleep or blocked; undefined when none did. */
  asleepAt(): { stack: number; line: number } | undefined {
    let best: number | undefined;
    for (const [key, weight] of this.asleepBySample) if (best === undefined || weight > this.asleepBySample.get(best)!) best = key;
    return best === undefined ? undefined : { stack: stackOfKey(best), line: lineOfKey(best) };
  }

  /** A whole hold, that ended in `stack`. */
  hold(stack: number, parts: HoldParts): void {
    add(at(this.unsampledByStack, sampleKey(stack, 0)), parts.unsampled);
    add(at(this.sampledByEnd, sampleKey(stack, 0)), parts.sampled);
    add(this.sampledTotal, parts.sampled);
  }

  /**
   * Each stack's share of the held times of these threads (a process's, or one thread's), pooled:
   * a pool of 100 short threads (a server's, one a request) has a few samples each, but many
   * together, for the time they held together. A stack's time comes in parts by the line its
   * samples ran (`line` 0: not known, or charged where its holds ended).
   */
  static charge(threads: readonly HeldAttribution[], charge: (stack: number, time: HeldTime, line: number) => void): void {
    const byStack = new Map<number, HeldTime>();
    const sampled = new Map<number, HeldTime>();
    const byEnd = new Map<number, HeldTime>();
    const total: HeldTime = { held: 0, othersWaited: 0 };
    for (const thread of threads) {
      for (const [stack, t] of thread.unsampledByStack) add(at(byStack, stack), t);
      for (const [stack, t] of thread.bySample) add(at(sampled, stack), t);
      for (const [stack, t] of thread.sampledByEnd) add(at(byEnd, stack), t);
      add(total, thread.sampledTotal);
    }
    // The time others waited is shared by the samples taken while they did, the rest of the held
    // time by the others (so no function held while others waited longer than it held).
    const alone = (t: HeldTime) => t.held - t.othersWaited;
    shareOut(total.othersWaited, sampled, byEnd, (t) => t.othersWaited, (key, ns) => {
      const into = at(byStack, key);
      into.othersWaited += ns;
      into.held += ns;
    });
    shareOut(alone(total), sampled, byEnd, alone, (key, ns) => (at(byStack, key).held += ns));
    for (const [key, t] of byStack) if (t.held > 0 || t.othersWaited > 0) charge(stackOfKey(key), t, lineOfKey(key));
  }
}

/**
 * `amount` shared by the samples' weights (`of` each); what samples that read no stack stand for,
 * and all of it when no sample saw any, by where the holds ended, in proportion (a thread whose
 * stack cannot be read must not lend its time to the others' functions).
 */
function shareOut(amount: number, sampled: Map<number, HeldTime>, byEnd: Map<number, HeldTime>, of: (t: HeldTime) => number, give: (key: number, ns: number) => void): void {
  if (amount <= 0) return;
  let weighed = 0;
  for (const t of sampled.values()) weighed += of(t);
  const noStack = sampled.get(NO_STACK_KEY);
  const toEnds = weighed > 0 ? (noStack ? (of(noStack) / weighed) * amount : 0) : amount;
  if (weighed > 0) for (const [key, t] of sampled) if (key !== NO_STACK_KEY && of(t) > 0) give(key, (of(t) / weighed) * amount);
  let ended = 0;
  for (const t of byEnd.values()) ended += of(t);
  if (toEnds > 0 && ended > 0) for (const [key, t] of byEnd) if (of(t) > 0) give(key, (of(t) / ended) * toEnds);
}

function at(map: Map<number, HeldTime>, key: number): HeldTime {
  let t = map.get(key);
  if (!t) map.set(key, (t = { held: 0, othersWaited: 0 }));
  return t;
}

function add(into: HeldTime, t: HeldTime): void {
  into.held += t.held;
  into.othersWaited += t.othersWaited;
}

/** Whether the CPU track says sleeping or blocked at `t` (the state of its last step at or before t). */
function isAsleep(cpu: StepTrack, t: number): boolean {
  let lo = 0;
  let hi = cpu.times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cpu.times[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && (ASLEEP & (1 << cpu.states[lo - 1])) !== 0;
}

/** Whether `t` lies in one of the sorted [start, end) pairs. */
function within(pairs: Float64Array, t: number): boolean {
  let lo = 0;
  let hi = pairs.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pairs[2 * mid + 1] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo < pairs.length >> 1 && pairs[2 * lo] <= t;
}
