/**
 * Exact time sums over step tracks. Every boundary is rounded to an integer ns once, and a
 * duration is always a difference of rounded boundaries: sums then telescope, so per-state
 * totals add up to round(end) - round(start) exactly, which rounding each duration would not
 * guarantee. Interval lists are flat arrays [s0, e0, s1, e1, ...], sorted and disjoint.
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

/** The intervals where `matches(values[i])` holds, clipped to [start, end); first entry covers from `start`. */
export function intervalsWhere(
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  start: number,
  end: number,
  matches: (value: number) => boolean,
): number[] {
  const out: number[] = [];
  const n = times.length;
  const last = ns(end);
  let from = ns(start);
  for (let i = 0; i < n; i++) {
    const to = Math.min(i + 1 < n ? ns(times[i + 1]) : last, last);
    if (to <= from) continue;
    if (matches(values[i])) {
      if (out.length > 0 && out[out.length - 1] === from) out[out.length - 1] = to;
      else out.push(from, to);
    }
    from = to;
  }
  return out;
}

export function totalLength(intervals: readonly number[]): number {
  let total = 0;
  for (let i = 0; i < intervals.length; i += 2) total += intervals[i + 1] - intervals[i];
  return total;
}

/** Intersection of two sorted disjoint interval lists. */
export function intersect(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const from = Math.max(a[i], b[j]);
    const to = Math.min(a[i + 1], b[j + 1]);
    if (to > from) out.push(from, to);
    if (a[i + 1] < b[j + 1]) i += 2;
    else j += 2;
  }
  return out;
}

/** Union of several interval lists (each sorted and disjoint; they may overlap each other). */
export function union(lists: readonly (readonly number[])[]): number[] {
  if (lists.length === 1) return lists[0].slice();
  const pairs: [number, number][] = [];
  for (const list of lists) for (let i = 0; i < list.length; i += 2) pairs.push([list[i], list[i + 1]]);
  pairs.sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [from, to] of pairs) {
    if (out.length > 0 && from <= out[out.length - 1]) {
      if (to > out[out.length - 1]) out[out.length - 1] = to;
    } else out.push(from, to);
  }
  return out;
}
