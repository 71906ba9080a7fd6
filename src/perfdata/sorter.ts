import type { BlockPool } from './block-pool.js';

/**
 * Streaming time sorter, after perf's ordered_events: queued records (by reference into the
 * block pool: no byte copies) are released in time order when a FINISHED_ROUND says nothing older
 * can still come: each round releases everything up to the highest time seen before the previous
 * round. Memory is bounded by two rounds; when a recording has no rounds (or huge ones), the
 * queue is flushed by half its time span once it holds `maxBytes`, and anything arriving older
 * than what was already released is counted in `outOfOrder` (and still delivered).
 */

/** Queued records as parallel typed arrays (no object per record). */
export class EntryList {
  keys: Float64Array;
  blocks: Int32Array;
  offs: Int32Array;
  lens: Int32Array;
  attrs: Int32Array;
  fileOffs: Float64Array;
  count = 0;
  bytes = 0;

  constructor(entries: number) {
    this.keys = new Float64Array(entries);
    this.blocks = new Int32Array(entries);
    this.offs = new Int32Array(entries);
    this.lens = new Int32Array(entries);
    this.attrs = new Int32Array(entries);
    this.fileOffs = new Float64Array(entries);
  }

  push(key: number, block: number, off: number, len: number, attr: number, fileOff: number): void {
    const n = this.count;
    if (n === this.keys.length) this.grow(n + 1);
    this.keys[n] = key;
    this.blocks[n] = block;
    this.offs[n] = off;
    this.lens[n] = len;
    this.attrs[n] = attr;
    this.fileOffs[n] = fileOff;
    this.count = n + 1;
    this.bytes += len;
  }

  /** Makes room for `n` entries (contents kept). */
  reserve(n: number): void {
    if (this.keys.length < n) this.grow(n);
  }

  private grow(n: number): void {
    let cap = this.keys.length * 2;
    while (cap < n) cap *= 2;
    const k = new Float64Array(cap); k.set(this.keys); this.keys = k;
    const b = new Int32Array(cap); b.set(this.blocks); this.blocks = b;
    const o = new Int32Array(cap); o.set(this.offs); this.offs = o;
    const l = new Int32Array(cap); l.set(this.lens); this.lens = l;
    const a = new Int32Array(cap); a.set(this.attrs); this.attrs = a;
    const f = new Float64Array(cap); f.set(this.fileOffs); this.fileOffs = f;
  }
}

/** A chunk of the records released by one round, in time order; the reader consumes them front to back. */
export class Batch extends EntryList {
  next = 0;
  /** Smallest real time released or still queued (NaN if none): the time of leading records that have none. */
  leadKey = NaN;
}

/** The queue's memory bound when the caller sets none. */
export const DEFAULT_MAX_QUEUE_BYTES = 64 << 20;

/** Records go to the reader in chunks this size: the batch arrays stay in the CPU cache. */
const CHUNK = 8192;

/** Up to this many sorted runs are merged head to head as chunks are asked for; more are sorted first. */
const MAX_MERGE_WAYS = 8;

const enum ReleaseMode { SORTED, MERGE }

export class Sorter {
  /** Records waiting for their round to end (the record queue's run loop appends to it directly). */
  readonly pending: EntryList;
  /** The next chunk of released records, in time order; the reader drains it, then asks for the next. */
  readonly batch = new Batch(CHUNK);
  // the release being handed out: pending indices order[0..releaseCount), of keys <= releaseLimit
  private order: Int32Array;
  private tmp: Int32Array = new Int32Array(0);
  private runs: Int32Array;
  private releaseCount = 0;
  private releaseLimit = -Infinity;
  private handedOut = 0;
  private mode = ReleaseMode.SORTED;
  /** MERGE: run q is order[runs[q]..runs[q+1]); heads[q] is its next entry. */
  private runCount = 0;
  private readonly heads = new Int32Array(MAX_MERGE_WAYS);

  maxKey = -Infinity;
  private flushLimit = -Infinity;
  /** Highest time already released: later arrivals below it are out of order. */
  releasedUpTo = -Infinity;
  outOfOrder = 0;
  forcedFlushes = 0;
  private evacuateAt: number;
  private generation = 0;
  /** The last sweep kept the released records' blocks (still being consumed then). */
  private batchPinned = false;

  /**
   * `expectedRecords`: a guess at the most records queued at once. The arrays are sized for it up
   * front: fresh zeroed memory costs nothing until touched, while growing copies and re-faults.
   */
  constructor(private readonly pool: BlockPool, private readonly maxBytes = DEFAULT_MAX_QUEUE_BYTES, private readonly minEvacuateBlocks = 16, expectedRecords = 1024) {
    this.evacuateAt = minEvacuateBlocks;
    this.pending = new EntryList(expectedRecords);
    this.order = new Int32Array(expectedRecords);
    this.runs = new Int32Array(expectedRecords + 1);
  }

  /** Queues a record that lies in pool block `block` (the pool keeps the block alive). */
  add(block: number, off: number, len: number, key: number, attr: number, fileOff: number): void {
    if (key > this.maxKey) this.maxKey = key;
    else if (key < this.releasedUpTo) this.outOfOrder++;
    this.pending.push(key, block, off, len, attr, fileOff);
  }

  /** Queues a record from a transient buffer (decompressed data): its bytes are copied. */
  addCopy(src: Uint8Array, pos: number, len: number, key: number, attr: number, fileOff: number): void {
    this.pool.copyIn(src, pos, len);
    this.add(this.pool.outBlock, this.pool.outOff, len, key, attr, fileOff);
  }

  /** The last release has been handed out and read entirely. */
  get readyConsumed(): boolean {
    return this.batch.next >= this.batch.count && this.handedOut >= this.releaseCount;
  }

  /** Bytes that may be queued before a flush is forced. */
  get budget(): number {
    return this.maxBytes;
  }

  /** Queued bytes over the bound: the reader then calls `forceFlush`. */
  get overBudget(): boolean {
    return this.pending.bytes > this.maxBytes;
  }

  /**
   * Few queued records can pin many blocks (a straggler per block): move the queued bytes into
   * dense copy blocks so the rest can be recycled. Rare; checked by the reader after each add.
   */
  maybeEvacuate(): void {
    const pool = this.pool;
    if (pool.live < this.evacuateAt) return;
    if (this.batchPinned) {
      // the consumed release still pins its blocks: let them go first (once per release)
      this.pinAndSweep();
      this.batchPinned = false;
      if (pool.live < this.evacuateAt) return;
    }
    const p = this.pending;
    // blocks mostly full of queued records (big rounds): moving them would gain nothing
    if (2 * p.bytes > pool.live * pool.blockSize) return;
    for (let i = 0; i < p.count; i++) {
      pool.copyIn(pool.blocks[p.blocks[i]], p.offs[i], p.lens[i]);
      p.blocks[i] = pool.outBlock;
      p.offs[i] = pool.outOff;
    }
    this.pinAndSweep(); // the release is consumed: only pending records count
    this.batchPinned = false;
    this.evacuateAt = Math.max(this.minEvacuateBlocks, 2 * pool.live);
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
    if (this.releaseCount === 0) this.release(Infinity); // all at one time: nothing else to do
  }

  finish(): void {
    this.release(Infinity);
  }

  /** The consumer stopped: nothing more is handed out. */
  discard(): void {
    this.batch.next = this.batch.count;
    this.handedOut = this.releaseCount;
  }

  /**
   * Puts the next chunk of the current release into `batch` (false when all of it was handed
   * out). Once the last chunk is out, the released entries leave the queue.
   */
  nextChunk(): boolean {
    const total = this.releaseCount;
    const from = this.handedOut;
    if (from >= total) return false;
    const batch = this.batch;
    const k = Math.min(CHUNK, total - from);
    const p = this.pending;
    if (this.mode === ReleaseMode.MERGE) mergeChunk(p, this.order, this.runs, this.heads, this.runCount, batch, k);
    else gatherChunk(p, this.order, from, k, batch);
    batch.count = k;
    batch.next = 0;
    this.handedOut = from + k;
    if (this.handedOut === total) {
      if (total < p.count) compactAbove(p, this.releaseLimit);
      else { p.count = 0; p.bytes = 0; }
    }
    return true;
  }

  /** Picks the pending entries with key <= limit for handing out in time order (by nextChunk); keeps the rest. */
  private release(limit: number): void {
    if (!this.readyConsumed) throw new Error('internal error: release before the last one was consumed');
    const p = this.pending;
    const n = p.count;
    if (this.order.length < n) {
      this.order = new Int32Array(n * 2);
      this.runs = new Int32Array(n * 2 + 1);
    }
    const order = this.order;
    const keys = p.keys;
    const m = selectUpTo(keys, n, limit, order);
    this.releaseCount = m;
    this.releaseLimit = limit;
    this.handedOut = 0;
    const r = findRuns(order, m, keys, this.runs);
    // each run is sorted: the release's highest time ends one of them, its lowest starts one
    let highest = -Infinity;
    let untimed = false;
    for (let q = 0; q < r; q++) {
      const last = keys[order[this.runs[q + 1] - 1]];
      if (last > highest) highest = last;
      if (keys[order[this.runs[q]]] === -Infinity) untimed = true;
    }
    if (highest > this.releasedUpTo) this.releasedUpTo = highest;
    this.batch.leadKey = untimed ? earliestTime(p) : NaN;
    if (r >= 2 && r <= MAX_MERGE_WAYS) {
      this.mode = ReleaseMode.MERGE;
      this.runCount = r;
      for (let q = 0; q < r; q++) this.heads[q] = this.runs[q];
    } else {
      this.mode = ReleaseMode.SORTED;
      if (r > 2) {
        if (this.tmp.length < m) this.tmp = new Int32Array(order.length);
        sortByKey(order, this.tmp, m, keys, this.runs);
      }
    }
    // every pending entry is pinned, the released ones included: the chunks point into their blocks
    this.pinAndSweep();
    this.batchPinned = true;
  }

  /** Pins the blocks of every pending entry, then recycles the rest. */
  private pinAndSweep(): void {
    const gen = ++this.generation;
    pinBlocks(this.pool.pinned, this.pending.blocks, this.pending.count, gen);
    this.pool.sweep(gen);
  }
}

/** Records from before the first timestamp get the earliest time known so far (NaN if none). */
function earliestTime(p: EntryList): number {
  let lead = Infinity;
  for (let i = 0; i < p.count; i++) {
    const key = p.keys[i];
    if (key !== -Infinity && key < lead) lead = key;
  }
  return lead === Infinity ? NaN : lead;
}

// The helpers below each run one long loop per round over hundreds of thousands of entries: they
// are small, free functions with one path per loop, so V8 optimizes them once and keeps them.

/** order[0..m) = indices of keys <= limit, in arrival order; returns m. */
function selectUpTo(keys: Float64Array, n: number, limit: number, order: Int32Array): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (keys[i] <= limit) order[m++] = i;
  }
  return m;
}

/** Splits order[0..m) into runs of non-decreasing keys: runs[0..r] are their bounds (runs[r] = m). Returns r. */
function findRuns(order: Int32Array, m: number, keys: Float64Array, runs: Int32Array): number {
  runs[0] = 0;
  if (m === 0) return 0;
  let r = 1;
  let last = keys[order[0]];
  for (let k = 1; k < m; k++) {
    const key = keys[order[k]];
    if (key < last) runs[r++] = k;
    last = key;
  }
  runs[r] = m;
  return r;
}

/**
 * Writes the next k entries of the merge of the r sorted runs order[runs[q]..runs[q+1]) to
 * dst[0..k), advancing heads[q]: the smallest head goes first, ties to the earlier run, so equal
 * times keep arrival order.
 */
function mergeChunk(src: EntryList, order: Int32Array, runs: Int32Array, heads: Int32Array, r: number, dst: EntryList, k: number): void {
  const sk = src.keys;
  for (let w = 0; w < k; w++) {
    let best = -1;
    let bestKey = Infinity;
    for (let q = 0; q < r; q++) {
      const h = heads[q];
      if (h < runs[q + 1]) {
        const key = sk[order[h]];
        if (best < 0 || key < bestKey) { best = q; bestKey = key; }
      }
    }
    copyEntry(src, order[heads[best]++], dst, w);
  }
}

/** Copies the entries order[from..from+k) of `src` to dst[0..k). */
function gatherChunk(src: EntryList, order: Int32Array, from: number, k: number, dst: EntryList): void {
  for (let w = 0; w < k; w++) copyEntry(src, order[from + w], dst, w);
}

/** dst's entry w = src's entry i (small enough to be inlined into the loops above). */
function copyEntry(src: EntryList, i: number, dst: EntryList, w: number): void {
  dst.keys[w] = src.keys[i];
  dst.blocks[w] = src.blocks[i];
  dst.offs[w] = src.offs[i];
  dst.lens[w] = src.lens[i];
  dst.attrs[w] = src.attrs[i];
  dst.fileOffs[w] = src.fileOffs[i];
}

/** Keeps only the entries with key > limit, moved to the front in arrival order. */
function compactAbove(p: EntryList, limit: number): void {
  const keys = p.keys;
  const n = p.count;
  let w = 0;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    if (keys[i] <= limit) continue;
    copyEntry(p, i, p, w);
    bytes += p.lens[w];
    w++;
  }
  p.count = w;
  p.bytes = bytes;
}

/** Marks the blocks of blocks[0..n) with `gen`; neighbouring entries share blocks, so repeats are skipped. */
function pinBlocks(pinned: Int32Array, blocks: Int32Array, n: number, gen: number): void {
  let last = -1;
  for (let i = 0; i < n; i++) {
    const b = blocks[i];
    if (b !== last) { pinned[b] = gen; last = b; }
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

// Prime the type feedback of every path through the sort and the release loops before the first
// real round: a path first taken inside an optimized call deoptimizes it, and the rest of that
// call — hundreds of thousands of entries — would run in the interpreter. Each runs a few dozen
// times: V8 collects no feedback for a function's first few calls.
for (let round = 0; round < 8; round++) for (const values of [[1, 2, 3], [2, 1], [3, 2, 1], [4, 3, 2, 1, 0], [-Infinity, 5, 1, 7]]) {
  const n = values.length;
  const list = new EntryList(n);
  for (let i = 0; i < n; i++) list.push(values[i], 0, 8 * i, 8, 0, 8 * i);
  const order = new Int32Array(n);
  const m = selectUpTo(list.keys, n, 2, order);
  const runs = new Int32Array(n + 1);
  const r = findRuns(order, m, list.keys, runs);
  const heads = runs.slice(0, MAX_MERGE_WAYS);
  mergeChunk(list, order, runs, heads, r, new EntryList(n), m);
  sortByKey(order, new Int32Array(n), m, list.keys, runs);
  gatherChunk(list, order, 0, m, new EntryList(n));
  compactAbove(list, 2);
  pinBlocks(new Int32Array(1), list.blocks, list.count, 1);
}
