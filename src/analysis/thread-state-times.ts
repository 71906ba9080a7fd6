/**
 * Time a thread spent in each pair (GIL state, CPU state), from one joint sweep over its two
 * step tracks: every per-thread number the stats and the verdict take from the tracks (time by
 * state, held while off-CPU or asleep, active time, the longest hold asleep) is a sum over this
 * table. It is the same arithmetic as intervals.ts (boundaries rounded once to integer ns, each
 * track's first entry covering from the thread's start, nothing past its end), so every sum is
 * exactly what intersecting the interval lists gives; it just builds no interval list (those
 * were most of the analysis's time and memory on a busy thread's millions of entries).
 */
import { CpuState, GilState, type ThreadTimeline } from '../model/timeline.js';
import { ns } from './intervals.js';

const GIL_STATES = 3;
const CPU_STATES = 4;

export interface ThreadStateTimes {
  /** ns by GilState over the thread's life. */
  readonly gil: readonly number[];
  /** ns by CpuState over the thread's life. */
  readonly cpu: readonly number[];
  /** ns in GIL state g and CPU state c: joint[g * 4 + c]. */
  readonly joint: Float64Array;
  /** Longest unbroken stretch of holding the GIL while sleeping or blocked. */
  readonly longestHeldAsleep: number;
  /** The part of such a stretch that reaches the thread's end (0 when none does): a window's next may go on with it. */
  readonly heldAsleepAtEnd: number;
}

/** Per frozen thread: the stats and the verdict both ask. */
const cache = new WeakMap<ThreadTimeline, ThreadStateTimes>();

export function threadStateTimes(thread: ThreadTimeline): ThreadStateTimes {
  let times = cache.get(thread);
  if (times === undefined) cache.set(thread, (times = computeThreadStateTimes(thread)));
  return times;
}

/** ns in GIL state `gil` and any CPU state of `cpuMask` (bits by CpuState). */
export function jointTime(times: ThreadStateTimes, gil: number, cpuMask: number): number {
  let total = 0;
  for (let c = 0; c < CPU_STATES; c++) if ((cpuMask >>> c) & 1) total += times.joint[gil * CPU_STATES + c];
  return total;
}

/**
 * @param heldAsleepBefore in a window of a recording: the stretch of holding asleep the previous
 * window ended in (its heldAsleepAtEnd), which goes on if this one begins in it
 */
export function computeThreadStateTimes(thread: ThreadTimeline, heldAsleepBefore = 0): ThreadStateTimes {
  const joint = jointTable();
  const g = thread.gilTrack;
  const c = thread.cpuTrack;
  const last = ns(thread.end);
  let from = ns(thread.start);
  const gn = g.times.length;
  const cn = c.times.length;
  if (gn === 0 || cn === 0) {
    // one track empty: nothing joint; the other's times alone
    const gil = [0, 0, 0];
    const cpu = [0, 0, 0, 0];
    if (gn > 0) marginal(g.times, g.states, from, last, gil);
    if (cn > 0) marginal(c.times, c.states, from, last, cpu);
    return { gil, cpu, joint, longestHeldAsleep: 0, heldAsleepAtEnd: 0 };
  }
  // Entry i of a track covers up to `to` = its next entry's rounded time (the last: the end),
  // from where the previous covered entry stopped: both tracks cover [start, end) entirely.
  let gi = 0;
  let ci = 0;
  let gTo = Math.min(gn > 1 ? ns(g.times[1]) : last, last);
  let cTo = Math.min(cn > 1 ? ns(c.times[1]) : last, last);
  let run = heldAsleepBefore;
  let longest = 0;
  const asleep = (1 << CpuState.sleeping) | (1 << CpuState.blocked);
  while (from < last) {
    while (gTo <= from) {
      gi++;
      gTo = Math.min(gi + 1 < gn ? ns(g.times[gi + 1]) : last, last);
    }
    while (cTo <= from) {
      ci++;
      cTo = Math.min(ci + 1 < cn ? ns(c.times[ci + 1]) : last, last);
    }
    const to = gTo < cTo ? gTo : cTo;
    const gs = g.states[gi];
    const cs = c.states[ci];
    const length = to - from;
    joint[gs * CPU_STATES + cs] += length;
    if (gs === GilState.holding && ((asleep >>> cs) & 1) !== 0) {
      run += length;
      if (run > longest) longest = run;
    } else run = 0;
    from = to;
  }
  return withTotals(joint, longest, run);
}

/** A table for ThreadStateTimes.joint, all zero. */
export function jointTable(): Float64Array {
  return new Float64Array(GIL_STATES * CPU_STATES);
}

/** The times a joint table gives: its totals by GIL state and by CPU state beside it. */
export function withTotals(joint: Float64Array, longestHeldAsleep: number, heldAsleepAtEnd: number): ThreadStateTimes {
  const gil = [0, 0, 0];
  const cpu = [0, 0, 0, 0];
  for (let gs = 0; gs < GIL_STATES; gs++) {
    for (let cs = 0; cs < CPU_STATES; cs++) {
      gil[gs] += joint[gs * CPU_STATES + cs];
      cpu[cs] += joint[gs * CPU_STATES + cs];
    }
  }
  return { gil, cpu, joint, longestHeldAsleep, heldAsleepAtEnd };
}

/** intervals.ts' timeByState, for a thread with one empty track. */
function marginal(times: Float64Array, states: Uint8Array, from: number, last: number, totals: number[]): void {
  const n = times.length;
  for (let i = 0; i < n; i++) {
    const to = Math.min(i + 1 < n ? ns(times[i + 1]) : last, last);
    if (to > from) {
      totals[states[i]] += to - from;
      from = to;
    }
  }
}
