/**
 * Exact time sums over step tracks. Every boundary is rounded to an integer ns once, and a
 * duration is always a difference of rounded boundaries: sums then telescope, so per-state
 * totals add up to round(end) - round(start) exactly, which rounding each duration would not
 * guarantee. Interval lists are flat arrays [s0, e0, s1, e1, ...] (Float64Array), sorted and disjoint.
 */

/** Integer ns of a boundary. */
export function ns(time: number): number {
  // `+ 0` turns -0 into 0: JSON and strict equality should never see a negative zero.
  return Math.round(time) + 0;
}

/**
 * Time spent in each state over [start, end). The first entry's state also covers
 * [start, times[0]) (a thread's tracks begin at its start); entries past `end` count nothing.
 */
export function timeByState(times: ArrayLike<number>, states: ArrayLike<number>, start: number, end: number, stateCount: number): number[] {
  const totals = new Array<number>(stateCount).fill(0);
  const n = times.length;
  if (n === 0) return totals;
  const last = ns(end);
  let from = ns(start);
  for (let i = 0; i < n; i++) {
    const to = Math.min(i + 1 < n ? ns(times[i + 1]) : last, last);
    if (to > from) {
      totals[states[i]] += to - from;
      from = to;
    }
  }
  return totals;
}

/** Bit mask of small state numbers (GilState, CpuState), for intervalsInStates. */
export function stateMask(...states: number[]): number {
  let mask = 0;
  for (const s of states) mask |= 1 << s;
  return mask;
}

/** The intervals where values[i] is one of the states in `mask`, clipped to [start, end); first entry covers from `start`. */
export function intervalsInStates(times: ArrayLike<number>, values: ArrayLike<number>, start: number, end: number, mask: number): Float64Array {
  return intervalsWhere(times, values, start, end, mask, false);
}

/** The intervals where values[i] is not 0 (a holder's tid, a waiter count), clipped like intervalsInStates. */
export function intervalsNonZero(times: ArrayLike<number>, values: ArrayLike<number>, start: number, end: number): Float64Array {
  return intervalsWhere(times, values, start, end, 0, true);
}

/** totalLength(intervalsNonZero(...)) without the list. */
export function timeNonZero(times: ArrayLike<number>, values: ArrayLike<number>, start: number, end: number): number {
  const n = times.length;
  const last = ns(end);
  let from = ns(start);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const to = Math.min(i + 1 < n ? ns(times[i + 1]) : last, last);
    if (to <= from) continue;
    if (values[i] !== 0) total += to - from;
    from = to;
  }
  return total;
}

/**
 * Builds an interval list in a growing Float64Array (a number[] of millions of boundaries grew
 * far slower); touching intervals are merged as they come.
 */
class IntervalWriter {
  private out: Float64Array;
  private k = 0;
  constructor(capacity: number) {
    this.out = new Float64Array(Math.max(16, capacity));
  }
  add(from: number, to: number): void {
    const k = this.k;
    if (k > 0 && this.out[k - 1] === from) {
      this.out[k - 1] = to;
      return;
    }
    if (k + 2 > this.out.length) {
      const grown = new Float64Array(this.out.length * 2);
      grown.set(this.out);
      this.out = grown;
    }
    this.out[k] = from;
    this.out[k + 1] = to;
    this.k = k + 2;
  }
  done(): Float64Array {
    return this.out.slice(0, this.k);
  }
}

// One loop for both kinds of test, with no callback: this runs over every entry of every track.
function intervalsWhere(times: ArrayLike<number>, values: ArrayLike<number>, start: number, end: number, mask: number, nonZero: boolean): Float64Array {
  const n = times.length;
  const out = new IntervalWriter(n >>> 2);
  const last = ns(end);
  let from = ns(start);
  for (let i = 0; i < n; i++) {
    const to = Math.min(i + 1 < n ? ns(times[i + 1]) : last, last);
    if (to <= from) continue;
    const v = values[i];
    if (nonZero ? v !== 0 : v >= 0 && v < 31 && ((mask >>> v) & 1) !== 0) out.add(from, to);
    from = to;
  }
  return out.done();
}

export function totalLength(intervals: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < intervals.length; i += 2) total += intervals[i + 1] - intervals[i];
  return total;
}

/** Intersection of two sorted disjoint interval lists. */
export function intersect(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new IntervalWriter(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const from = Math.max(a[i], b[j]);
    const to = Math.min(a[i + 1], b[j + 1]);
    if (to > from) out.add(from, to);
    if (a[i + 1] < b[j + 1]) i += 2;
    else j += 2;
  }
  return out.done();
}

/** Union of several interval lists (each sorted and disjoint; they may overlap each other). */
export function union(lists: readonly ArrayLike<number>[]): Float64Array {
  if (lists.length === 1) return Float64Array.from(lists[0]);
  const pairs: [number, number][] = [];
  for (const list of lists) for (let i = 0; i < list.length; i += 2) pairs.push([list[i], list[i + 1]]);
  pairs.sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [from, to] of pairs) {
    if (out.length > 0 && from <= out[out.length - 1]) {
      if (to > out[out.length - 1]) out[out.length - 1] = to;
    } else out.push(from, to);
  }
  return Float64Array.from(out);
}
