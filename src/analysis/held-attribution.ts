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
 * where it ended.
 */
import { NO_STACK_SAMPLE, type ThreadHolderSamples } from '../model/holder-samples.js';

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

export class HeldAttribution {
  /** Holds outside the sampler's ticks, and (the fallback) those inside, by where they ended. */
  private readonly unsampledByStack = new Map<number, HeldTime>();
  private readonly sampledByEnd = new Map<number, HeldTime>();
  /** The samples' weights by stack, and the exact times they share. */
  private readonly bySample = new Map<number, HeldTime>();
  private readonly sampledTotal: HeldTime = { held: 0, othersWaited: 0 };
  /** First sample not yet looked at (holds come in time order). */
  private next = 0;
  /** Samples that fell inside the holds given. */
  samplesInHolds = 0;

  constructor(private readonly samples: ThreadHolderSamples | undefined, private readonly ticked: { readonly from: number; readonly to: number } | undefined) {}

  /**
   * A hold's part [from, to) (ns, rounded as the hold's lengths are), `othersWaited` of it with
   * another thread waiting, added to `into`; its samples are weighed. `contention`: its GIL's
   * times with a waiter (sorted [start, end) pairs), undefined when it has none.
   */
  part(from: number, to: number, othersWaited: number, contention: Float64Array | undefined, into: HoldParts): void {
    const mid = (from + to) / 2;
    const sampled = this.ticked !== undefined && mid >= this.ticked.from && mid < this.ticked.to;
    const side = sampled ? into.sampled : into.unsampled;
    side.held += to - from;
    side.othersWaited += othersWaited;
    const samples = this.samples;
    if (!samples) return;
    const { times, stacks, weights } = samples;
    while (this.next < times.length && times[this.next] < from) this.next++;
    for (; this.next < times.length && times[this.next] < to; this.next++) {
      this.samplesInHolds++;
      const weight = weights[this.next];
      const at = this.at(this.bySample, stacks[this.next]);
      at.held += weight;
      if (contention !== undefined && within(contention, times[this.next])) at.othersWaited += weight;
    }
  }

  /** A whole hold, that ended in `stack`. */
  hold(stack: number, parts: HoldParts): void {
    add(this.at(this.unsampledByStack, stack), parts.unsampled);
    add(this.at(this.sampledByEnd, stack), parts.sampled);
    add(this.sampledTotal, parts.sampled);
  }

  private at(map: Map<number, HeldTime>, stack: number): HeldTime {
    return at(map, stack);
  }

  /**
   * Each stack's share of the held times of these threads (a process's, or one thread's), pooled:
   * a pool of 100 short threads (a server's, one a request) has a few samples each, but many
   * together, for the time they held together.
   */
  static charge(threads: readonly HeldAttribution[], charge: (stack: number, time: HeldTime) => void): void {
    const byStack = new Map<number, HeldTime>();
    const weighed: HeldTime = { held: 0, othersWaited: 0 };
    const total: HeldTime = { held: 0, othersWaited: 0 };
    for (const thread of threads) {
      for (const [stack, t] of thread.unsampledByStack) add(at(byStack, stack), t);
      for (const t of thread.bySample.values()) add(weighed, t);
      add(total, thread.sampledTotal);
    }
    // The time others waited is shared by the samples taken while they did, the rest of the held
    // time by the others (so no function held while others waited longer than it held); a part
    // no sample saw is charged where its holds ended.
    // Samples that read no stack stand for their time all the same; it goes where the holds
    // ended, in proportion (a thread whose stack cannot be read must not lend its time to the
    // others' functions).
    const alone = (t: HeldTime) => t.held - t.othersWaited;
    const contendedScale = weighed.othersWaited > 0 ? total.othersWaited / weighed.othersWaited : 0;
    const aloneScale = alone(weighed) > 0 ? alone(total) / alone(weighed) : 0;
    const byEnd = new Map<number, HeldTime>();
    for (const thread of threads) for (const [stack, t] of thread.sampledByEnd) add(at(byEnd, stack), t);
    const toEnds: HeldTime = {
      othersWaited: contendedScale > 0 ? sumOf(threads, (t) => t.bySample.get(NO_STACK_SAMPLE)?.othersWaited ?? 0) * contendedScale : total.othersWaited,
      held: aloneScale > 0 ? sumOf(threads, (t) => { const s = t.bySample.get(NO_STACK_SAMPLE); return s ? alone(s) : 0; }) * aloneScale : alone(total),
    };
    const ended: HeldTime = { held: 0, othersWaited: 0 };
    for (const t of byEnd.values()) add(ended, t);
    for (const thread of threads) {
      for (const [stack, t] of thread.bySample) {
        if (stack === NO_STACK_SAMPLE) continue;
        const into = at(byStack, stack);
        into.othersWaited += t.othersWaited * contendedScale;
        into.held += t.othersWaited * contendedScale + alone(t) * aloneScale;
      }
    }
    for (const [stack, t] of byEnd) {
      const into = at(byStack, stack);
      const waited = ended.othersWaited > 0 ? (t.othersWaited / ended.othersWaited) * toEnds.othersWaited : 0;
      into.othersWaited += waited;
      into.held += waited + (alone(ended) > 0 ? (alone(t) / alone(ended)) * toEnds.held : 0);
    }
    for (const [stack, t] of byStack) if (t.held > 0 || t.othersWaited > 0) charge(stack, t);
  }
}

function sumOf(threads: readonly HeldAttribution[], of: (thread: HeldAttribution) => number): number {
  return threads.reduce((n, thread) => n + of(thread), 0);
}

function at(map: Map<number, HeldTime>, stack: number): HeldTime {
  let t = map.get(stack);
  if (!t) map.set(stack, (t = { held: 0, othersWaited: 0 }));
  return t;
}

function add(into: HeldTime, t: HeldTime): void {
  into.held += t.held;
  into.othersWaited += t.othersWaited;
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
