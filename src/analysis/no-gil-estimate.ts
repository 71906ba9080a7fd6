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
 * The run's time by what the process did, instant by instant (ns; the rest: only threads
 * waiting for a CPU, or for a GIL nobody held yet): ProcessStats.time_split, made in the same
 * sweep as the estimate.
 */
export interface RunSplit {
  /** Some thread held the GIL. */
  heldNs: number;
  /** Nobody held it and a thread ran on a CPU without it: C code that releases the GIL (zlib, hashlib, numpy). */
  freeNs: number;
  /** Nobody wanted to run: every thread slept or was blocked (I/O, sleep, a lock, a join). */
  idleNs: number;
}

/**
 * What a thread adds to the counts, as bits of a code: it wants to run, makes progress, waits for
 * the GIL, runs Python, holds the GIL, runs on a CPU without it.
 */
const WANTS = 1;
const PROGRESSES = 2;
const WAITS = 4;
const PYTHON = 8;
const HOLDS = 16;
const FREE = 32;

function codeOf(gil: number, cpu: number): number {
  const onCpu = cpu === CpuState.running;
  const waiting = gil === GilState.waiting;
  const holding = gil === GilState.holding;
  // wants = holding, waiting, or on/for a CPU; progresses = holding, or on a CPU without waiting
  return (waiting || holding || onCpu || cpu === CpuState.runnable ? WANTS : 0) |
    (holding || (onCpu && !waiting) ? PROGRESSES : 0) |
    (waiting ? WAITS : 0) |
    (holding && onCpu ? PYTHON : 0) |
    (holding ? HOLDS : 0) |
    (gil === GilState.none && onCpu ? FREE : 0);
}

/** codeOf of every (GIL state, CPU state), at gil * 4 + cpu. */
const CODES = Uint8Array.from({ length: 3 * 4 }, (_, i) => codeOf(i >> 2, i & 3));

interface CodeTrack {
  readonly times: Float64Array;
  readonly codes: Uint8Array;
  readonly length: number;
}

/**
 * A thread's code as a step function from `from` (or its start) on: its GIL and CPU tracks
 * walked together once, times rounded to whole ns (of entries rounded alike, the later is in
 * force), an entry only where the code changes, and 0 (nothing) from its end on.
 */
function codeTrack(gilTrack: StepTrack, cpuTrack: StepTrack, startAt: number, endAt: number, from: number): CodeTrack {
  const gTimes = gilTrack.times;
  const cTimes = cpuTrack.times;
  const gStates = gilTrack.states;
  const cStates = cpuTrack.states;
  const times = new Float64Array(gTimes.length + cTimes.length + 2);
  const codes = new Uint8Array(times.length);
  let n = 0;
  let gi = 0;
  let ci = 0;
  let gNext = gTimes.length > 1 ? ns(gTimes[1]) : Infinity;
  let cNext = cTimes.length > 1 ? ns(cTimes[1]) : Infinity;
  let now = Math.max(from, startAt);
  while (now < endAt) {
    while (gNext <= now) {
      gi++;
      gNext = gi + 1 < gTimes.length ? ns(gTimes[gi + 1]) : Infinity;
    }
    while (cNext <= now) {
      ci++;
      cNext = ci + 1 < cTimes.length ? ns(cTimes[ci + 1]) : Infinity;
    }
    const code = CODES[(gStates[gi] << 2) | cStates[ci]];
    if (n === 0 || codes[n - 1] !== code) {
      times[n] = now;
      codes[n++] = code;
    }
    now = gNext < cNext ? gNext : cNext;
  }
  if (n > 0 && codes[n - 1] !== 0) {
    times[n] = endAt;
    codes[n++] = 0;
  }
  return { times, codes, length: n };
}

/** The sums an estimate is made of: they add up over windows of a recording (see noGilParts). */
export interface NoGilParts {
  measuredNs: number;
  /** Not rounded: a sum of windows' parts is rounded once. */
  estimatedNs: number;
  contendedNs: number;
  /** ns × threads running Python while another waited. */
  pythonWhileContendedNs: number;
  split: RunSplit;
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

// hot path: one step per change of a thread's code; the running totals are plain locals
// (a closure updating them kept them in a context object)
/** @param from where the sweep starts when after the process's start (a window's part of a process it had before) */
export function noGilParts(process: ProcessTimeline, cpus: number, from = -Infinity): NoGilParts {
  const start = Math.max(ns(process.start), ns(from));
  const end = ns(process.end);
  const tracks = process.threads
    .filter((t) => t.gilTrack.times.length > 0 && t.cpuTrack.times.length > 0)
    .map((t) => codeTrack(t.gilTrack, t.cpuTrack, ns(t.start), ns(t.end), start));
  // each thread's next entry, and its code in force
  const next = new Int32Array(tracks.length);
  const inForce = new Uint8Array(tracks.length);
  const queue = new ChangeQueue(tracks.length);
  for (let i = 0; i < tracks.length; i++) if (tracks[i].length > 0) queue.push(i, tracks[i].times[0]);
  // running totals over every thread, updated only for the threads whose code changes
  let wanting = 0;
  let progressing = 0;
  let waiting = 0;
  let python = 0;
  let holding = 0;
  let free = 0;
  // The time when fewer threads progress than could run at once, by how many of each: whole
  // ns summed exactly and weighed once at the end (summing dt × ratio at every step made the
  // estimate depend on where the steps fall). No more can run at once than there are threads.
  const width = Math.min(cpus, tracks.length) + 1;
  const slowed = new Float64Array(width * width);
  let unslowed = 0;
  let contended = 0;
  let pythonWhileContended = 0;
  let held = 0;
  let freeRunning = 0;
  let idle = 0;
  let now = start;
  while (now < end) {
    const until = Math.min(queue.peekTime(), end);
    const dt = until - now;
    if (dt > 0) {
      const parallel = wanting < cpus ? wanting : cpus;
      if (progressing >= parallel) unslowed += dt;
      else slowed[progressing * width + parallel] += dt;
      if (waiting > 0) {
        contended += dt;
        pythonWhileContended += dt * python;
      }
      if (holding > 0) held += dt;
      else if (free > 0) freeRunning += dt;
      if (wanting === 0) idle += dt;
    }
    now = until;
    // every thread whose code changes now
    while (queue.size > 0 && queue.peekTime() <= now) {
      const i = queue.top();
      const track = tracks[i];
      const before = inForce[i];
      const code = track.codes[next[i]++];
      inForce[i] = code;
      wanting += (code & WANTS) - (before & WANTS);
      progressing += ((code & PROGRESSES) - (before & PROGRESSES)) >> 1;
      waiting += ((code & WAITS) - (before & WAITS)) >> 2;
      python += ((code & PYTHON) - (before & PYTHON)) >> 3;
      holding += ((code & HOLDS) - (before & HOLDS)) >> 4;
      free += ((code & FREE) - (before & FREE)) >> 5;
      // back in with its next change (always later than now): one sift instead of a pop and a push
      if (next[i] < track.length) queue.replaceTop(track.times[next[i]]);
      else queue.pop();
    }
  }
  let estimated = unslowed;
  for (let parallel = 1; parallel < width; parallel++) {
    for (let progress = 0; progress < parallel; progress++) estimated += (slowed[progress * width + parallel] * progress) / parallel;
  }
  return {
    measuredNs: end - start,
    estimatedNs: estimated,
    contendedNs: contended,
    pythonWhileContendedNs: pythonWhileContended,
    split: { heldNs: held, freeNs: freeRunning, idleNs: idle },
  };
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

  /** The top item leaves. */
  pop(): void {
    this.size--;
    if (this.size === 0) return;
    const item = this.items[this.size];
    const time = this.times[this.size];
    this.items[0] = item;
    this.replaceTop(time);
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
