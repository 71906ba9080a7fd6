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

/** Records released by one round, in time order; the reader consumes them front to back. */
export class Batch extends EntryList {
  next = 0;
  /** Smallest real time in the batch or still queued (NaN if none): the time of leading records that have none. */
  leadKey = NaN;
}

export class Sorter {
  /** Records waiting for their round to end (the record queue's run loop appends to it directly). */
  readonly pending: EntryList;
  /** The records released last; the reader drains it before anything else is released. */
  readonly batch: Batch;
  private order: Int32Array;
  private tmp: Int32Array = new Int32Array(0);
  private runs: Int32Array;
  private readonly heads = new Int32Array(MAX_MERGE_WAYS);

  maxKey = -Infinity;
  private flushLimit = -Infinity;
  /** Highest time already released: later arrivals below it are out of order. */
  releasedUpTo = -Infinity;
  outOfOrder = 0;
  forcedFlushes = 0;
  private evacuateAt: number;
  private generation = 0;
  /** The last sweep kept the batch's blocks (still being consumed then). */
  private batchPinned = false;

  /**
   * `expectedRecords`: a guess at the most records queued at once. The arrays are sized for it up
   * front: fresh zeroed memory costs nothing until touched, while growing copies and re-faults.
   */
  constructor(private readonly pool: BlockPool, private readonly maxBytes = 64 << 20, private readonly minEvacuateBlocks = 16, expectedRecords = 1024) {
    this.evacuateAt = minEvacuateBlocks;
    this.pending = new EntryList(expectedRecords);
    this.batch = new Batch(expectedRecords);
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

  get readyConsumed(): boolean {
    return this.batch.next >= this.batch.count;
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
      // the consumed batch still pins its blocks: let them go first (once per batch)
      this.batchPinned = false;
      this.pinAndSweep(false);
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
    this.pinAndSweep(false); // the batch is consumed: only pending records count
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
    if (this.batch.count === 0) this.release(Infinity); // all at one time: nothing else to do
  }

  finish(): void {
    this.release(Infinity);
  }

  /** Moves pending entries with key <= limit into the batch, in time order; keeps the rest pending. */
  private release(limit: number): void {
    const batch = this.batch;
    if (batch.next < batch.count) throw new Error('internal error: release before the batch was consumed');
    const p = this.pending;
    const n = p.count;
    if (this.order.length < n) {
      this.order = new Int32Array(n * 2);
      this.runs = new Int32Array(n * 2 + 1);
    }
    const m = selectUpTo(p.keys, n, limit, this.order);
    batch.reserve(m);
    const r = findRuns(this.order, m, p.keys, this.runs);
    if (r <= MAX_MERGE_WAYS) {
      mergeRuns(p, this.order, this.runs, r, batch, this.heads);
    } else {
      if (this.tmp.length < m) this.tmp = new Int32Array(this.order.length);
      sortByKey(this.order, this.tmp, m, p.keys, this.runs);
      gather(p, this.order, m, batch);
    }
    batch.count = m;
    batch.next = 0;
    if (m < n) compactAbove(p, limit);
    else { p.count = 0; p.bytes = 0; }
    if (m > 0 && batch.keys[m - 1] > this.releasedUpTo) this.releasedUpTo = batch.keys[m - 1];
    batch.leadKey = m > 0 && batch.keys[0] === -Infinity ? this.leadKey(batch, p) : NaN;
    this.pinAndSweep(true);
  }

  /** Records from before the first timestamp get the earliest time known so far. */
  private leadKey(batch: Batch, p: EntryList): number {
    let lead = Infinity;
    for (let i = 0; i < batch.count; i++) {
      if (batch.keys[i] !== -Infinity) { lead = batch.keys[i]; break; }
    }
    for (let i = 0; i < p.count; i++) if (p.keys[i] < lead) lead = p.keys[i];
    return lead === Infinity ? NaN : lead;
  }

  /** Pins the blocks of the batch (when not yet consumed) and of everything pending, then recycles the rest. */
  private pinAndSweep(withBatch: boolean): void {
    const gen = ++this.generation;
    const pinned = this.pool.pinned;
    if (withBatch) pinBlocks(pinned, this.batch.blocks, this.batch.count, gen);
    this.batchPinned = withBatch;
    pinBlocks(pinned, this.pending.blocks, this.pending.count, gen);
    this.pool.sweep(gen);
  }
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

/** Up to this many sorted runs (one per CPU buffer and round, typically) are merged head to head. */
const MAX_MERGE_WAYS = 8;

/**
 * Splits order[0..m) into runs of non-decreasing keys: runs[0..r] are their bounds (runs[r] = m).
 * Returns r, or MAX_MERGE_WAYS + 1 as soon as there are more runs than that.
 */
function findRuns(order: Int32Array, m: number, keys: Float64Array, runs: Int32Array): number {
  runs[0] = 0;
  if (m === 0) return 0;
  let r = 1;
  let last = keys[order[0]];
  for (let k = 1; k < m; k++) {
    const key = keys[order[k]];
    if (key < last) {
      if (r === MAX_MERGE_WAYS) return MAX_MERGE_WAYS + 1;
      runs[r++] = k;
    }
    last = key;
  }
  runs[r] = m;
  return r;
}

/**
 * Merges the r sorted runs of order[] (bounds in runs[0..r]) straight into dst, picking the
 * smallest head each time; ties go to the earlier run, so equal times keep arrival order.
 */
function mergeRuns(src: EntryList, order: Int32Array, runs: Int32Array, r: number, dst: EntryList, heads: Int32Array): void {
  if (r === 2) {
    mergeTwo(src, order, runs[1], runs[2], dst);
    return;
  }
  const sk = src.keys, sb = src.blocks, so = src.offs, sl = src.lens, sa = src.attrs, sf = src.fileOffs;
  const dk = dst.keys, db = dst.blocks, dof = dst.offs, dl = dst.lens, da = dst.attrs, df = dst.fileOffs;
  for (let q = 0; q < r; q++) heads[q] = runs[q];
  const m = runs[r];
  let bytes = 0;
  for (let k = 0; k < m; k++) {
    let best = -1;
    let bestKey = Infinity;
    for (let q = 0; q < r; q++) {
      const h = heads[q];
      if (h < runs[q + 1]) {
        const key = sk[order[h]];
        if (best < 0 || key < bestKey) { best = q; bestKey = key; }
      }
    }
    const i = order[heads[best]++];
    dk[k] = sk[i];
    db[k] = sb[i];
    dof[k] = so[i];
    dl[k] = sl[i];
    da[k] = sa[i];
    df[k] = sf[i];
    bytes += sl[i];
  }
  dst.bytes = bytes;
}

/** mergeRuns for the common case of two runs, order[0..mid) and order[mid..m): one comparison per entry. */
function mergeTwo(src: EntryList, order: Int32Array, mid: number, m: number, dst: EntryList): void {
  const sk = src.keys, sb = src.blocks, so = src.offs, sl = src.lens, sa = src.attrs, sf = src.fileOffs;
  const dk = dst.keys, db = dst.blocks, dof = dst.offs, dl = dst.lens, da = dst.attrs, df = dst.fileOffs;
  let a = 0;
  let b = mid;
  let bytes = 0;
  for (let k = 0; k < m; k++) {
    // ties take the first run: equal times keep arrival order
    const i = b >= m || (a < mid && sk[order[a]] <= sk[order[b]]) ? order[a++] : order[b++];
    dk[k] = sk[i];
    db[k] = sb[i];
    dof[k] = so[i];
    dl[k] = sl[i];
    da[k] = sa[i];
    df[k] = sf[i];
    bytes += sl[i];
  }
  dst.bytes = bytes;
}

/** Copies the entries order[0..m) of `src` to `dst[0..m)` (capacity reserved by the caller). */
function gather(src: EntryList, order: Int32Array, m: number, dst: EntryList): void {
  const sk = src.keys, sb = src.blocks, so = src.offs, sl = src.lens, sa = src.attrs, sf = src.fileOffs;
  const dk = dst.keys, db = dst.blocks, dof = dst.offs, dl = dst.lens, da = dst.attrs, df = dst.fileOffs;
  let bytes = 0;
  for (let k = 0; k < m; k++) {
    const i = order[k];
    dk[k] = sk[i];
    db[k] = sb[i];
    dof[k] = so[i];
    dl[k] = sl[i];
    da[k] = sa[i];
    df[k] = sf[i];
    bytes += sl[i];
  }
  dst.bytes = bytes;
}

/** Keeps only the entries with key > limit, moved to the front in arrival order. */
function compactAbove(p: EntryList, limit: number): void {
  const k = p.keys, b = p.blocks, o = p.offs, l = p.lens, a = p.attrs, f = p.fileOffs;
  const n = p.count;
  let w = 0;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    if (k[i] <= limit) continue;
    k[w] = k[i];
    b[w] = b[i];
    o[w] = o[i];
    l[w] = l[i];
    a[w] = a[i];
    f[w] = f[i];
    bytes += l[i];
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
// call — hundreds of thousands of entries — would run in the interpreter.
for (const values of [[1, 2, 3], [2, 1], [3, 2, 1], [4, 3, 2, 1, 0], [-Infinity, 5, 1, 7]]) {
  const n = values.length;
  const list = new EntryList(n);
  for (let i = 0; i < n; i++) list.push(values[i], 0, 8 * i, 8, 0, 8 * i);
  const order = new Int32Array(n);
  const m = selectUpTo(list.keys, n, 2, order);
  const runs = new Int32Array(n + 1);
  const r = findRuns(order, m, list.keys, runs);
  mergeRuns(list, order, runs, r, new EntryList(n), new Int32Array(MAX_MERGE_WAYS));
  mergeTwo(list, order, m >> 1, m, new EntryList(n));
  sortByKey(order, new Int32Array(n), m, list.keys, runs);
  gather(list, order, m, new EntryList(n));
  compactAbove(list, 2);
  pinBlocks(new Int32Array(1), list.blocks, list.count, 1);
}
