/**
 * How long a process's run would have taken without the GIL, on the same CPUs: an estimate from
 * the measured per-thread GIL × CPU states, for the verdict to say what the GIL costs.
 *
 * The model, instant by instant: k threads want to run (waiting for the GIL, on a CPU or
 * runnable, or holding the GIL), r of them make progress (on a CPU without waiting for the GIL,
 * or holding it: a thread asleep with the GIL is doing its work, its sleep). Without the GIL,
 * min(k, CPUs) of them would progress, so that stretch of time shrinks by r / min(k, CPUs); time
 * when nobody wants to run (everybody sleeping in I/O or a join) stays as it is.
 * What it assumes: the threads' work is the same without the GIL (a free-threaded build runs
 * one thread's Python somewhat slower), no other lock would serialize them, and I/O would take
 * as long as it did. It is a bound on what removing the GIL can give, not a promise.
 */
import type { ProcessTimeline, StepTrack } from '../model/timeline.js';
import { CpuState, GilState } from '../model/timeline.js';
import { ns } from './intervals.js';

export interface NoGilEstimate {
  /** The process's duration as recorded (ns). */
  readonly measuredNs: number;
  /** Estimated duration without the GIL on `cpus` CPUs (ns). */
  readonly estimatedNs: number;
  readonly cpus: number;
  /** Average number of threads running Python (holding the GIL on a CPU) while another waited: at most 1 per GIL. */
  readonly pythonCpusWhileContended: number;
}

/**
 * A thread's two tracks, walked together: gi / ci index the entries in force at the sweep's time,
 * gNext / cNext are the rounded times of the entries after them (Infinity past the last): each
 * boundary is rounded once, not at every look.
 */
class Cursor {
  gi = 0;
  ci = 0;
  // Times are stored as doubles from the first (NaN) on: a field that first held a small integer
  // changes representation when ns values pass 2^31, and the code using it is thrown away.
  gNext = NaN;
  cNext = NaN;
  readonly start: number = NaN;
  readonly end: number = NaN;
  /** What this thread adds to the counts now (0 before its start and after its end). */
  wants = 0;
  progresses = 0;
  waiting = 0;
  runningPython = 0;

  constructor(
    readonly gil: StepTrack,
    readonly cpu: StepTrack,
    start: number,
    end: number,
  ) {
    this.start = start;
    this.end = end;
    this.gNext = gil.times.length > 1 ? ns(gil.times[1]) : Infinity;
    this.cNext = cpu.times.length > 1 ? ns(cpu.times[1]) : Infinity;
  }

  /** The next time this thread's state may change after `now`; Infinity when none. */
  nextChange(now: number): number {
    if (now < this.start) return this.start;
    if (now >= this.end) return Infinity;
    const next = this.gNext < this.cNext ? this.gNext : this.cNext;
    return next < this.end ? next : this.end;
  }

  /** Moves to the entries in force at `now` and recomputes what the thread adds to the counts. */
  moveTo(now: number): void {
    const gTimes = this.gil.times;
    const cTimes = this.cpu.times;
    while (this.gNext <= now) {
      this.gi++;
      this.gNext = this.gi + 1 < gTimes.length ? ns(gTimes[this.gi + 1]) : Infinity;
    }
    while (this.cNext <= now) {
      this.ci++;
      this.cNext = this.ci + 1 < cTimes.length ? ns(cTimes[this.ci + 1]) : Infinity;
    }
    const alive = now >= this.start && now < this.end;
    const gil = this.gil.states[this.gi];
    const cpu = this.cpu.states[this.ci];
    const onCpu = cpu === CpuState.running;
    const waiting = gil === GilState.waiting;
    const holding = gil === GilState.holding;
    // wants = holding, waiting, or on/for a CPU; progresses = holding, or on a CPU without waiting
    this.wants = alive && (waiting || holding || onCpu || cpu === CpuState.runnable) ? 1 : 0;
    this.progresses = alive && (holding || (onCpu && !waiting)) ? 1 : 0;
    this.waiting = alive && waiting ? 1 : 0;
    this.runningPython = alive && holding && onCpu ? 1 : 0;
  }
}

/** The sums an estimate is made of: they add up over windows of a recording (see noGilParts). */
export interface NoGilParts {
  measuredNs: number;
  /** Not rounded: a sum of windows' parts is rounded once. */
  estimatedNs: number;
  contendedNs: number;
  /** ns × threads running Python while another waited. */
  pythonWhileContendedNs: number;
}

export function estimateWithoutGil(process: ProcessTimeline, cpus: number): NoGilEstimate {
  return toNoGilEstimate(noGilParts(process, cpus), cpus);
}

export function toNoGilEstimate(parts: NoGilParts, cpus: number): NoGilEstimate {
  return {
    measuredNs: parts.measuredNs,
    estimatedNs: Math.round(parts.estimatedNs),
    cpus,
    pythonCpusWhileContended: parts.contendedNs > 0 ? parts.pythonWhileContendedNs / parts.contendedNs : 0,
  };
}

// hot path: one step per boundary of every thread's tracks; the running totals are plain locals
// (a closure updating them kept them in a context object)
/** @param from where the sweep starts when after the process's start (a window's part of a process it had before) */
export function noGilParts(process: ProcessTimeline, cpus: number, from = -Infinity): NoGilParts {
  const start = Math.max(ns(process.start), ns(from));
  const end = ns(process.end);
  const cursors = process.threads
    .filter((t) => t.gilTrack.times.length > 0 && t.cpuTrack.times.length > 0)
    .map((t) => new Cursor(t.gilTrack, t.cpuTrack, ns(t.start), ns(t.end)));
  // running totals over every thread, updated only for the threads whose state changes
  let wanting = 0;
  let progressing = 0;
  let waiting = 0;
  let python = 0;
  const queue = new ChangeQueue(cursors.length);
  for (let i = 0; i < cursors.length; i++) {
    const c = cursors[i];
    c.moveTo(start);
    wanting += c.wants;
    progressing += c.progresses;
    waiting += c.waiting;
    python += c.runningPython;
    queue.push(i, c.nextChange(start));
  }
  let estimated = 0;
  let contended = 0;
  let pythonWhileContended = 0;
  let now = start;
  while (now < end) {
    const next = Math.min(queue.peekTime(), end);
    const dt = next - now;
    if (dt > 0) {
      const parallel = Math.min(wanting, cpus);
      estimated += wanting === 0 ? dt : dt * Math.min(1, progressing / parallel);
      if (waiting > 0) {
        contended += dt;
        pythonWhileContended += dt * python;
      }
    }
    now = next;
    // every thread whose state may change now
    while (queue.size > 0 && queue.peekTime() <= now) {
      const i = queue.top();
      const c = cursors[i];
      wanting -= c.wants;
      progressing -= c.progresses;
      waiting -= c.waiting;
      python -= c.runningPython;
      c.moveTo(now);
      wanting += c.wants;
      progressing += c.progresses;
      waiting += c.waiting;
      python += c.runningPython;
      // back in with its next change (always later than now): one sift instead of a pop and a push
      queue.replaceTop(c.nextChange(now));
    }
  }
  return { measuredNs: end - start, estimatedNs: estimated, contendedNs: contended, pythonWhileContendedNs: pythonWhileContended };
}

/** A binary min-heap of thread indices by the time of their next change. */
class ChangeQueue {
  private readonly items: Int32Array;
  private readonly times: Float64Array;
  size = 0;

  constructor(capacity: number) {
    this.items = new Int32Array(capacity);
    this.times = new Float64Array(capacity);
  }

  peekTime(): number {
    return this.size > 0 ? this.times[0] : Infinity;
  }

  push(item: number, time: number): void {
    let k = this.size++;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (this.times[parent] <= time) break;
      this.items[k] = this.items[parent];
      this.times[k] = this.times[parent];
      k = parent;
    }
    this.items[k] = item;
    this.times[k] = time;
  }

  top(): number {
    return this.items[0];
  }

  /** The top item gets a later time and sinks to its place. */
  replaceTop(time: number): void {
    const item = this.items[0];
    let k = 0;
    for (;;) {
      let child = 2 * k + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && this.times[child + 1] < this.times[child]) child++;
      if (this.times[child] >= time) break;
      this.items[k] = this.items[child];
      this.times[k] = this.times[child];
      k = child;
    }
    this.items[k] = item;
    this.times[k] = time;
  }

}
