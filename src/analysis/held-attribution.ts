/**
 * Which Python functions a thread's GIL holds are charged to: where each hold ended (the probes'
 * drop, exact), or, while holder samples were taken (model/holder-samples.ts), what the samples
 * saw running. A hold that ends in a blocking call (a socket write, a queue's wait) did its work
 * before, in code no probe sees: a sample taken inside a hold says what ran then.
 *
 * While the sampler ticked, the threads' held time (a process's together, or one thread's) is
 * shared among the stacks their samples inside holds saw, each sample weighing the time since the
 * sampler's previous tick (a hold shorter than a tick is sampled in proportion to its length), and
 * the functions' times add up to the threads' exact held time, each of its six parts (others
 * waited or not; the holder ran, slept, or waited for a CPU: see Parts) shared by the samples
 * taken in it. Holds before the first tick or after
 * the last (the sampler starts while the command does), and all of them when no sample came, are
 * charged where they ended. A recording without samples is charged exactly as before: every hold
 * where it ended. Each sample also says the line its stack's innermost frame ran (when the sampler
 * read it): the time is shared by (stack, line), and a hold charged where it ended has no line.
 */
import { NO_STACK_SAMPLE, type ThreadHolderSamples } from '../model/holder-samples.js';
import { CpuState, type StepTrack } from '../model/timeline.js';
import type { HoldCpuTimes } from './hold-cpu-sweep.js';
import { ASLEEP, PREEMPTED } from './off-cpu-holds.js';

export interface HeldTime {
  held: number;
  othersWaited: number;
}

/**
 * Held time in six parts, by whether another thread waited for the GIL and whether the holder ran,
 * slept (or was blocked) or waited for a CPU then: the exact times of each part are shared by the
 * samples taken in it. A sampler's ticks are not independent of what the program does: on busy
 * CPUs they come late while the holder computes and on time while it sleeps holding, so samples
 * pooled over all of it overweigh one or the other (two_lines.py's sleeping line came out
 * 0.003-0.094 off the exact holds' share in 8 runs beside 0-4 CPU burners; 0.004-0.026 by parts);
 * the holder's CPU states are known exactly from the scheduler, so only what ran within each part
 * is left to the samples.
 */
type Parts = Float64Array;
/** How long a hold's holder slept and waited for a CPU, each also while others waited. */
type HoldSleeps = Omit<HoldCpuTimes, 'runningOthersWaited'>;
const WAITED = 1;
const ASLEEP_PART = 2;
const PREEMPTED_PART = 4;
const PART_COUNT = 6;
const newParts = (): Parts => new Float64Array(PART_COUNT);

/** A hold's parts summed (they come window by window): while the sampler ticked, by part, and outside that. */
export interface HoldParts {
  readonly sampled: Parts;
  readonly unsampled: HeldTime;
}

export function newHoldParts(): HoldParts {
  return { sampled: newParts(), unsampled: { held: 0, othersWaited: 0 } };
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
  /** Holds outside the sampler's ticks by where they ended (sampleKey, line 0). */
  private readonly unsampledByStack = new Map<number, HeldTime>();
  /** Holds inside the ticks by where they ended, by part (the fallback). */
  private readonly sampledByEnd = new Map<number, Parts>();
  /** The samples' weights by stack and line (sampleKey), by the part they were taken in. */
  private readonly bySample = new Map<number, Parts>();
  /** The exact held time inside the ticks, by part: what the samples share. */
  private readonly sampledTotal = newParts();
  /** First sample not yet looked at (holds come in time order). */
  private next = 0;
  /** Samples that fell inside the holds given. */
  samplesInHolds = 0;
  /** How many of them saw each stack and line (sampleKey). */
  private readonly countBySample = new Map<number, number>();

  constructor(private readonly samples: ThreadHolderSamples | undefined, private readonly ticked: { readonly from: number; readonly to: number } | undefined) {}

  /** Whether it has samples to share its held time by (without, a hold's sleeps need not be told). */
  get sampling(): boolean {
    return this.samples !== undefined;
  }

  /**
   * A hold's part [from, to) (ns, rounded as the hold's lengths are), `othersWaited` of it with
   * another thread waiting, added to `into`; its samples are weighed. `contention`: its GIL's
   * times with a waiter (sorted [start, end) pairs), undefined when it has none; `cpu`: the
   * holder's CPU track, to tell the CPU state of each sample, and `cpuParts` the part's times
   * in those states (none: it ran all along).
   */
  part(from: number, to: number, othersWaited: number, contention: Float64Array | undefined, into: HoldParts, cpu?: StepTrack, cpuParts?: HoldSleeps): void {
    const mid = (from + to) / 2;
    const sampled = this.ticked !== undefined && mid >= this.ticked.from && mid < this.ticked.to;
    if (!sampled) {
      into.unsampled.held += to - from;
      into.unsampled.othersWaited += othersWaited;
    } else {
      addHoldParts(into.sampled, to - from, othersWaited, cpuParts);
    }
    const samples = this.samples;
    if (!samples) return;
    const { times, stacks, weights, lines } = samples;
    while (this.next < times.length && times[this.next] < from) this.next++;
    for (; this.next < times.length && times[this.next] < to; this.next++) {
      this.samplesInHolds++;
      const t = times[this.next];
      const key = sampleKey(stacks[this.next], lines[this.next]);
      const part = (contention !== undefined && within(contention, t) ? WAITED : 0) | (cpu !== undefined ? cpuPartAt(cpu, t) : 0);
      partsAt(this.bySample, key)[part] += weights[this.next];
      this.countBySample.set(key, (this.countBySample.get(key) ?? 0) + 1);
    }
  }

  /** The stack and line most samples saw while the thread held the GIL asleep or blocked; undefined when none did. */
  asleepAt(): { stack: number; line: number } | undefined {
    let best: number | undefined;
    let most = 0;
    for (const [key, parts] of this.bySample) {
      const weight = parts[ASLEEP_PART] + parts[WAITED | ASLEEP_PART];
      if (key !== NO_STACK_KEY && weight > most) [best, most] = [key, weight];
    }
    return best === undefined ? undefined : { stack: stackOfKey(best), line: lineOfKey(best) };
  }

  /** A whole hold, that ended in `stack`. */
  hold(stack: number, parts: HoldParts): void {
    add(at(this.unsampledByStack, sampleKey(stack, 0)), parts.unsampled);
    addParts(partsAt(this.sampledByEnd, sampleKey(stack, 0)), parts.sampled);
    addParts(this.sampledTotal, parts.sampled);
  }

  /**
   * Each stack's share of the held times of these threads (a process's, or one thread's), pooled:
   * a pool of 100 short threads (a server's, one a request) has a few samples each, but many
   * together, for the time they held together. A stack's time comes in parts by the line its
   * samples ran (`line` 0: not known, or charged where its holds ended), with how many samples saw
   * that stack and line.
   */
  static charge(threads: readonly HeldAttribution[], charge: (stack: number, time: HeldTime, line: number, samples: number) => void): void {
    const byStack = new Map<number, HeldTime>();
    const counts = new Map<number, number>();
    const sampled = new Map<number, Parts>();
    const byEnd = new Map<number, Parts>();
    const total = newParts();
    for (const thread of threads) {
      for (const [stack, t] of thread.unsampledByStack) add(at(byStack, stack), t);
      for (const [stack, parts] of thread.bySample) addParts(partsAt(sampled, stack), parts);
      for (const [stack, parts] of thread.sampledByEnd) addParts(partsAt(byEnd, stack), parts);
      addParts(total, thread.sampledTotal);
      for (const [key, n] of thread.countBySample) counts.set(key, (counts.get(key) ?? 0) + n);
    }
    // Each part's exact time is shared by the samples taken in it; a part no sample fell in (a
    // few short sleeps) by the samples taken while others waited, or did not, as it did; and
    // the time others waited stays with the samples that saw them wait (so no function held
    // while others waited longer than it held).
    for (let part = 0; part < PART_COUNT; part++) {
      const waited = (part & WAITED) !== 0;
      const sameWaiting = (p: Parts) => p[part & WAITED] + p[(part & WAITED) | ASLEEP_PART] + p[(part & WAITED) | PREEMPTED_PART];
      const weighedIn = weighed(sampled, (p) => p[part]) > 0 ? (p: Parts) => p[part] : sameWaiting;
      shareOut(total[part], sampled, byEnd, weighedIn, (p) => p[part], (key, ns) => {
        const into = at(byStack, key);
        into.held += ns;
        if (waited) into.othersWaited += ns;
      });
    }
    for (const [key, t] of byStack) if (t.held > 0 || t.othersWaited > 0) charge(stackOfKey(key), t, lineOfKey(key), counts.get(key) ?? 0);
  }
}

function weighed(sampled: Map<number, Parts>, of: (p: Parts) => number): number {
  let sum = 0;
  for (const p of sampled.values()) sum += of(p);
  return sum;
}

/**
 * `amount` shared by the samples' weights (`weightOf` each); what samples that read no stack
 * stand for, and all of it when no sample saw any, by where the holds ended (`endOf` each), in
 * proportion (a thread whose stack cannot be read must not lend its time to the others' functions).
 */
function shareOut(amount: number, sampled: Map<number, Parts>, byEnd: Map<number, Parts>, weightOf: (p: Parts) => number, endOf: (p: Parts) => number, give: (key: number, ns: number) => void): void {
  if (amount <= 0) return;
  const total = weighed(sampled, weightOf);
  const noStack = sampled.get(NO_STACK_KEY);
  const toEnds = total > 0 ? (noStack ? (weightOf(noStack) / total) * amount : 0) : amount;
  if (total > 0) for (const [key, p] of sampled) if (key !== NO_STACK_KEY && weightOf(p) > 0) give(key, (weightOf(p) / total) * amount);
  const ended = weighed(byEnd, endOf);
  if (toEnds > 0 && ended > 0) for (const [key, p] of byEnd) if (endOf(p) > 0) give(key, (endOf(p) / ended) * toEnds);
}

function at(map: Map<number, HeldTime>, key: number): HeldTime {
  let t = map.get(key);
  if (!t) map.set(key, (t = { held: 0, othersWaited: 0 }));
  return t;
}

function partsAt(map: Map<number, Parts>, key: number): Parts {
  let p = map.get(key);
  if (!p) map.set(key, (p = newParts()));
  return p;
}

function add(into: HeldTime, t: HeldTime): void {
  into.held += t.held;
  into.othersWaited += t.othersWaited;
}

function addParts(into: Parts, parts: Parts): void {
  for (let i = 0; i < PART_COUNT; i++) into[i] += parts[i];
}

/**
 * A hold's part of `held` ns into `parts`: `othersWaited` of it with a waiter, `cpu` its times
 * asleep and preempted. Rounded lengths may disagree by a ns or so: each part stays within the others.
 */
function addHoldParts(parts: Parts, held: number, othersWaited: number, cpu: HoldSleeps | undefined): void {
  let waitedLeft = othersWaited;
  let left = held;
  const add = (cpuPart: number, time: number, waited: number) => {
    const w = Math.max(0, Math.min(waited, time, waitedLeft));
    const alone = Math.max(0, Math.min(time - w, left - waitedLeft));
    parts[cpuPart | WAITED] += w;
    parts[cpuPart] += alone;
    waitedLeft -= w;
    left -= w + alone;
  };
  if (cpu) {
    add(ASLEEP_PART, cpu.asleep, cpu.asleepOthersWaited);
    add(PREEMPTED_PART, cpu.preempted, cpu.preemptedOthersWaited);
  }
  add(0, Math.max(0, left), waitedLeft);
}

/**
 * A holder preempted (running before) this little before a sample was most likely preempted by
 * the sampler's tick itself (on a busy CPU it takes the holder's place): it was running when the
 * tick came. (Beside 4 CPU burners, 18 of 68 samples of holders waiting for a CPU came within
 * 30 µs of the wait's start, most of the rest a millisecond or more after it.)
 */
const TICK_PREEMPTION_NS = 50_000;

/** The part of a sample's CPU state at `t` (the state of the track's last step at or before t). */
function cpuPartAt(cpu: StepTrack, t: number): number {
  let lo = 0;
  let hi = cpu.times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cpu.times[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  if (lo === 0) return 0;
  const state = 1 << cpu.states[lo - 1];
  if ((ASLEEP & state) !== 0) return ASLEEP_PART;
  if ((PREEMPTED & state) === 0) return 0;
  const byTick = lo > 1 && cpu.states[lo - 2] === CpuState.running && t - cpu.times[lo - 1] < TICK_PREEMPTION_NS;
  return byTick ? 0 : PREEMPTED_PART;
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
