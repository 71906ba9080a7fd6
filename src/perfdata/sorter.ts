/**
 * Streaming time sorter, after perf's ordered_events: records are queued (their bytes copied into
 * an arena) and released in time order when a FINISHED_ROUND says nothing older can still come:
 * each round releases everything up to the highest time seen before the previous round. Memory
 * is bounded by two rounds; when a recording has no rounds (or huge ones), the queue is flushed
 * by half its time span once it holds `maxBytes`, and anything arriving older than what was
 * already released is counted in `outOfOrder` (and still delivered).
 */

class Batch {
  arena: Uint8Array;
  dv: DataView;
  used = 0;
  keys: Float64Array;
  offs: Int32Array;
  lens: Int32Array;
  attrs: Int32Array;
  fileOffs: Float64Array;
  count = 0;

  constructor(arenaBytes: number, entries: number) {
    this.arena = new Uint8Array(arenaBytes);
    this.dv = new DataView(this.arena.buffer);
    this.keys = new Float64Array(entries);
    this.offs = new Int32Array(entries);
    this.lens = new Int32Array(entries);
    this.attrs = new Int32Array(entries);
    this.fileOffs = new Float64Array(entries);
  }

  push(src: Uint8Array, pos: number, size: number, key: number, attr: number, fileOff: number): void {
    const n = this.count;
    if (n === this.keys.length) this.growEntries();
    if (this.used + size > this.arena.length) this.growArena(size);
    const arena = this.arena;
    const used = this.used;
    // hot path: records are small; a byte loop beats allocating a subarray per record
    if (size <= 256) {
      for (let i = 0; i < size; i++) arena[used + i] = src[pos + i];
    } else {
      arena.set(src.subarray(pos, pos + size), used);
    }
    this.keys[n] = key;
    this.offs[n] = used;
    this.lens[n] = size;
    this.attrs[n] = attr;
    this.fileOffs[n] = fileOff;
    this.used = used + size;
    this.count = n + 1;
  }

  private growEntries(): void {
    const cap = this.keys.length * 2;
    const k = new Float64Array(cap); k.set(this.keys); this.keys = k;
    const o = new Int32Array(cap); o.set(this.offs); this.offs = o;
    const l = new Int32Array(cap); l.set(this.lens); this.lens = l;
    const a = new Int32Array(cap); a.set(this.attrs); this.attrs = a;
    const f = new Float64Array(cap); f.set(this.fileOffs); this.fileOffs = f;
  }

  private growArena(size: number): void {
    const grown = new Uint8Array(Math.max(this.arena.length * 2, this.used + size));
    grown.set(this.arena.subarray(0, this.used));
    this.arena = grown;
    this.dv = new DataView(grown.buffer);
  }

  clear(): void {
    this.used = 0;
    this.count = 0;
  }
}

export class Sorter {
  /** Records waiting for their round to end. */
  private pending: Batch;
  /** Records released and sorted; `order` lists their entry indices in time order. */
  ready: Batch;
  order: Int32Array = new Int32Array(1024);
  readyCount = 0;
  readyNext = 0;
  /** Smallest real time in the ready batch (NaN if none): the time of leading records that have none. */
  leadKey = NaN;
  private tmp: Int32Array = new Int32Array(1024);

  private maxKey = -Infinity;
  private flushLimit = -Infinity;
  /** Highest time already released: later arrivals below it are out of order. */
  releasedUpTo = -Infinity;
  outOfOrder = 0;
  forcedFlushes = 0;

  constructor(private readonly maxBytes = 64 << 20) {
    this.pending = new Batch(64 << 10, 1024);
    this.ready = new Batch(64 << 10, 1024);
  }

  get pendingCount(): number {
    return this.pending.count;
  }

  add(src: Uint8Array, pos: number, size: number, key: number, attr: number, fileOff: number): void {
    if (key > this.maxKey) this.maxKey = key;
    else if (key < this.releasedUpTo) this.outOfOrder++;
    this.pending.push(src, pos, size, key, attr, fileOff);
  }

  /** Arena bytes held by the pending queue; the reader calls `forceFlush` when this is too much. */
  get overBudget(): boolean {
    return this.pending.used > this.maxBytes;
  }

  /** FINISHED_ROUND: release up to the previous round's highest time. */
  finishedRound(): void {
    this.release(this.flushLimit);
    this.flushLimit = this.maxKey;
  }

  /** Memory bound reached without a usable round: release the older half of the queued time span. */
  forceFlush(): void {
    const p = this.pending;
    let min = Infinity;
    for (let i = 0; i < p.count; i++) if (p.keys[i] < min) min = p.keys[i];
    const limit = Math.max(this.flushLimit, min + (this.maxKey - min) / 2);
    this.forcedFlushes++;
    this.release(limit);
    if (this.readyCount === 0) this.release(Infinity); // all at one time: nothing else to do
  }

  finish(): void {
    this.release(Infinity);
  }

  /** Moves pending entries with key <= limit into `ready`, sorted; keeps the rest pending. */
  private release(limit: number): void {
    if (this.readyNext < this.readyCount) throw new Error('internal error: release before the ready batch was consumed');
    const src = this.pending;
    const keep = this.ready; // consumed: reuse as the new pending batch
    keep.clear();
    const n = src.count;
    if (this.order.length < n) {
      this.order = new Int32Array(n * 2);
      this.tmp = new Int32Array(n * 2);
    }
    const order = this.order;
    let m = 0;
    const keys = src.keys;
    for (let i = 0; i < n; i++) {
      if (keys[i] <= limit) order[m++] = i;
      else keep.push(src.arena, src.offs[i], src.lens[i], keys[i], src.attrs[i], src.fileOffs[i]);
    }
    sortByKey(order, this.tmp, m, keys);
    if (m > 0 && keys[order[m - 1]] > this.releasedUpTo) this.releasedUpTo = keys[order[m - 1]];
    this.leadKey = NaN;
    if (m > 0 && keys[order[0]] === -Infinity) {
      // records from before the first timestamp: give them the earliest time known so far
      let lead = Infinity;
      for (let i = 0; i < m; i++) {
        if (keys[order[i]] !== -Infinity) { lead = keys[order[i]]; break; }
      }
      for (let i = 0; i < keep.count; i++) if (keep.keys[i] < lead) lead = keep.keys[i];
      if (lead !== Infinity) this.leadKey = lead;
    }
    this.ready = src;
    this.pending = keep;
    this.readyCount = m;
    this.readyNext = 0;
  }
}

/**
 * Stable natural merge sort of order[0..n) by keys[order[i]]: arrival order is a few sorted runs
 * (one per CPU buffer per round), so finding the runs and merging them is close to linear.
 */
export function sortByKey(order: Int32Array, tmp: Int32Array, n: number, keys: Float64Array): void {
  if (n < 2) return;
  // run starts
  const runs: number[] = [0];
  for (let i = 1; i < n; i++) if (keys[order[i]] < keys[order[i - 1]]) runs.push(i);
  if (runs.length === 1) return;
  runs.push(n);
  let a = order;
  let b = tmp;
  while (runs.length > 2) {
    const next: number[] = [];
    let r = 0;
    for (; r + 2 < runs.length; r += 2) {
      merge(a, b, runs[r], runs[r + 1], runs[r + 2], keys);
      next.push(runs[r]);
    }
    if (r + 1 < runs.length) {
      // odd run out: copy through
      b.set(a.subarray(runs[r], runs[r + 1]), runs[r]);
      next.push(runs[r]);
    }
    next.push(n);
    runs.length = 0;
    for (const x of next) runs.push(x);
    const t = a; a = b; b = t;
  }
  if (a !== order) order.set(a.subarray(0, n));
}

function merge(src: Int32Array, dst: Int32Array, lo: number, mid: number, hi: number, keys: Float64Array): void {
  let i = lo;
  let j = mid;
  let k = lo;
  while (i < mid && j < hi) {
    if (keys[src[j]] < keys[src[i]]) dst[k++] = src[j++];
    else dst[k++] = src[i++];
  }
  while (i < mid) dst[k++] = src[i++];
  while (j < hi) dst[k++] = src[j++];
}
