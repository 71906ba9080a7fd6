/**
 * A thread's holds, given in time order, measured against its CPU track and its GIL's times with
 * a waiter in one walk of each: the time each hold's holder ran while another thread waited (what
 * a waiter was kept from), and the time it slept (or was blocked) and waited for a CPU, each also
 * while another thread waited (the parts holder samples share: held-attribution.ts). The track is
 * walked in place (its interval lists were the analysis's largest allocation). An entry of the
 * track covers [its predecessor's rounded end, the next entry's rounded time), cut to the thread's
 * [start, end), as in intervals.ts.
 */
import { CpuState, type ThreadTimeline } from '../model/timeline.js';
import { ns } from './intervals.js';
import { ASLEEP, PREEMPTED } from './off-cpu-holds.js';

/** A hold's part measured (ns). */
export interface HoldCpuTimes {
  /** On a CPU while another thread waited for the GIL. */
  runningOthersWaited: number;
  asleep: number;
  asleepOthersWaited: number;
  /** Waiting for a CPU (runnable). */
  preempted: number;
  preemptedOthersWaited: number;
}

export class HoldCpuSweep {
  /** First CPU entry whose cover may reach past the latest `from`. */
  private k = 0;
  /** First pair of `contention` that may end after the latest time measured. */
  private j = 0;
  private readonly times: Float64Array;
  private readonly states: Uint8Array;
  private readonly first: number;
  private readonly last: number;
  /** Reused for each hold: read it before the next. */
  private readonly out: HoldCpuTimes = { runningOthersWaited: 0, asleep: 0, asleepOthersWaited: 0, preempted: 0, preemptedOthersWaited: 0 };

  /** `contention`: the GIL's times with a waiter (sorted [start, end) pairs; none: it had none). */
  constructor(thread: ThreadTimeline, private readonly contention: Float64Array | undefined) {
    this.times = thread.cpuTrack.times;
    this.states = thread.cpuTrack.states;
    this.first = ns(thread.start);
    this.last = ns(thread.end);
  }

  /** Rounded end of CPU entry i's cover. */
  private coverEnd(i: number): number {
    return Math.min(i + 1 < this.times.length ? ns(this.times[i + 1]) : this.last, this.last);
  }

  /** [from, to) measured (after the previous one measured, or where it ends). */
  measure(from: number, to: number): HoldCpuTimes {
    const out = this.out;
    out.runningOthersWaited = out.asleep = out.asleepOthersWaited = out.preempted = out.preemptedOthersWaited = 0;
    const n = this.times.length;
    const lo = Math.max(from, this.first);
    const hi = Math.min(to, this.last);
    if (n === 0 || hi <= lo) return out;
    while (this.k < n - 1 && this.coverEnd(this.k) <= lo) this.k++;
    // entries k, k+1, ... cover [lo, hi) in turn
    let at = lo;
    for (let i = this.k; i < n && at < hi; i++) {
      const end = Math.min(this.coverEnd(i), hi);
      if (end <= at) continue;
      const state = 1 << this.states[i];
      if (state === 1 << CpuState.running) out.runningOthersWaited += this.waited(at, end);
      else if ((state & ASLEEP) !== 0) {
        out.asleep += end - at;
        out.asleepOthersWaited += this.waited(at, end);
      } else if ((state & PREEMPTED) !== 0) {
        out.preempted += end - at;
        out.preemptedOthersWaited += this.waited(at, end);
      }
      at = end;
    }
    return out;
  }

  /** Overlap of [from, to) with the contention pairs (asked in time order). */
  private waited(from: number, to: number): number {
    const list = this.contention;
    if (!list) return 0;
    while (this.j < list.length && list[this.j + 1] <= from) this.j += 2;
    let total = 0;
    for (let b = this.j; b < list.length && list[b] < to; b += 2) total += Math.min(to, list[b + 1]) - Math.max(from, list[b]);
    return total;
  }
}
