/**
 * The sorter's loops over many entries, on sort keys and entry indices only: small free
 * functions with one path per loop, so V8 optimizes them once and keeps them.
 */

/** The first index in [lo, hi) whose key is above limit (keys ascending there); hi if none. */
export function upperBound(keys: Float64Array, lo: number, hi: number, limit: number): number {
  // NaN limit (a flush of -Infinity keys): nothing is <= it, like the comparisons below
  if (lo === hi || !(keys[lo] <= limit)) return lo;
  if (keys[hi - 1] <= limit) return hi;
  // keys[lo] <= limit < keys[hi - 1]
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] <= limit) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * Writes the pending indices of the next k entries of the merge of the r sorted ranges
 * [heads[q], ends[q]) to out[0..k), advancing heads[q]: the smallest key goes first, ties to the
 * earlier range (ranges are in arrival order), so equal times keep arrival order.
 */
export function mergeChunk(keys: Float64Array, heads: Int32Array, ends: Int32Array, r: number, out: Int32Array, k: number): void {
  if (r === 1) {
    let h = heads[0];
    for (let w = 0; w < k; w++) out[w] = h++;
    heads[0] = h;
    return;
  }
  if (r === 2) {
    // the common case (one run per CPU of a two-CPU machine): one compare per record
    let h0 = heads[0];
    let h1 = heads[1];
    const e0 = ends[0];
    const e1 = ends[1];
    for (let w = 0; w < k; w++) {
      if (h1 >= e1 || (h0 < e0 && keys[h0] <= keys[h1])) out[w] = h0++;
      else out[w] = h1++;
    }
    heads[0] = h0;
    heads[1] = h1;
    return;
  }
  for (let w = 0; w < k; w++) {
    let best = -1;
    let bestKey = Infinity;
    for (let q = 0; q < r; q++) {
      const h = heads[q];
      if (h < ends[q]) {
        const key = keys[h];
        if (best < 0 || key < bestKey) { best = q; bestKey = key; }
      }
    }
    out[w] = heads[best]++;
  }
}

/**
 * Stable natural merge sort of order[0..n) by keys[order[i]]: arrival order is a few sorted runs
 * (one per CPU buffer per round), so finding the runs and merging them is close to linear.
 * `runs` needs n + 1 slots. Typed arrays only: no allocation, steady type feedback.
 */
export function sortByKey(order: Int32Array, tmp: Int32Array, n: number, keys: Float64Array, runs: Int32Array = new Int32Array(n + 1)): void {
  if (n < 2) return;
  let r = 1;
  runs[0] = 0;
  for (let i = 1; i < n; i++) if (keys[order[i]] < keys[order[i - 1]]) runs[r++] = i;
  if (r === 1) return;
  runs[r] = n;
  let a = order;
  let b = tmp;
  while (r > 1) {
    let w = 0;
    let q = 0;
    for (; q + 1 < r; q += 2) {
      merge(a, b, runs[q], runs[q + 1], runs[q + 2], keys);
      runs[w++] = runs[q];
    }
    if (q < r) {
      copyRange(a, b, runs[q], n); // odd run out: copy through
      runs[w++] = runs[q];
    }
    runs[w] = n;
    r = w;
    const t = a;
    a = b;
    b = t;
  }
  if (a !== order) copyRange(a, order, 0, n);
}

function copyRange(src: Int32Array, dst: Int32Array, from: number, to: number): void {
  for (let k = from; k < to; k++) dst[k] = src[k];
}

function merge(src: Int32Array, dst: Int32Array, lo: number, mid: number, hi: number, keys: Float64Array): void {
  // one loop with every case inside: separate tail loops left V8 without type feedback and
  // deoptimized this function over and over
  let i = lo;
  let j = mid;
  for (let k = lo; k < hi; k++) {
    if (j >= hi || (i < mid && keys[src[i]] <= keys[src[j]])) dst[k] = src[i++];
    else dst[k] = src[j++];
  }
}
