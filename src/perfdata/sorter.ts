import type { BlockPool } from './block-pool.js';

/**
 * Streaming time sorter, after perf's ordered_events: queued records (by reference into the
 * block pool: no byte copies) are released in time order when a FINISHED_ROUND says nothing older
 * can still come: each round releases everything up to the highest time seen before the previous
 * round. Memory is bounded by two rounds; when a recording has no rounds (or huge ones), the
 * queue is flushed by half its time span once it holds `maxBytes`, and anything arriving older
 * than what was already released is counted in `outOfOrder` (and still delivered).
 */

/** Int32 words per queued entry in EntryList.words (24 bytes; see there). */
export const ENTRY_WORDS = 6;
/** Where each part of an entry lies in its 6 words (FILE_OFF in the float64 view: index 3 * i). */
export const BLOCK = 2, OFF = 3, LEN = 4, ATTR = 5;

/**
 * Queued records. The sort keys are a dense array of their own (the merge compares only them);
 * the rest of an entry is packed into one 24-byte slot, so the reader finds a record's place,
 * length, attr and file offset in one cache line: words [6i, 6i + 2) are the file offset as a
 * float64 (f64s[3i]), then block, offset in the block, length and attr index.
 */
export class EntryList {
  keys: Float64Array;
  words: Int32Array;
  f64s: Float64Array;
  count = 0;
  bytes = 0;

  constructor(entries: number) {
    this.keys = new Float64Array(entries);
    this.f64s = new Float64Array(3 * entries);
    this.words = new Int32Array(this.f64s.buffer);
  }

  push(key: number, block: number, off: number, len: number, attr: number, fileOff: number): void {
    const n = this.count;
    if (n === this.keys.length) this.grow(n + 1);
    this.keys[n] = key;
    this.f64s[3 * n] = fileOff;
    const w = this.words;
    const at = ENTRY_WORDS * n;
    w[at + BLOCK] = block;
    w[at + OFF] = off;
    w[at + LEN] = len;
    w[at + ATTR] = attr;
    this.count = n + 1;
    this.bytes += len;
  }

  // readable accessors for tests; the hot loops index the arrays directly
  block(i: number): number { return this.words[ENTRY_WORDS * i + BLOCK]; }
  off(i: number): number { return this.words[ENTRY_WORDS * i + OFF]; }
  fileOff(i: number): number { return this.f64s[3 * i]; }

  /** Makes room for `n` entries (contents kept). */
  reserve(n: number): void {
    if (this.keys.length < n) this.grow(n);
  }

  private grow(n: number): void {
    let cap = this.keys.length * 2;
    while (cap < n) cap *= 2;
    const k = new Float64Array(cap); k.set(this.keys); this.keys = k;
    const f = new Float64Array(3 * cap); f.set(this.f64s); this.f64s = f;
    this.words = new Int32Array(f.buffer);
  }
}

/**
 * The next chunk of the records released by one round, in time order, as indices into the
 * sorter's pending entries; the reader consumes them front to back.
 */
export class Batch {
  readonly idx = new Int32Array(CHUNK);
  count = 0;
  next = 0;
  /** Smallest real time released or still queued (NaN if none): the time of leading records that have none. */
  leadKey = NaN;
  constructor(readonly entries: EntryList) {}
}

/** The queue's memory bound when the caller sets none. */
export const DEFAULT_MAX_QUEUE_BYTES = 64 << 20;

/** Records go to the reader in chunks of up to this size: the batch stays in the CPU cache. */
const CHUNK = 8192;
/**
 * The first chunks are smaller, doubling up to CHUNK: the reader's refill path then runs a few
 * times while V8 still gathers type feedback. Otherwise it first runs inside optimized code,
 * which has no feedback for it and deoptimizes: thousands of records go back to the interpreter.
 */
const FIRST_CHUNK = 16;

/** Up to this many sorted runs are merged head to head as chunks are asked for; more are sorted first. */
const MAX_MERGE_WAYS = 8;

const enum ReleaseMode { SORTED, MERGE }

export class Sorter {
  /** Records waiting for their round to end (the record queue's run loop appends to it directly). */
  readonly pending: EntryList;
  /** The next chunk of released records, in time order; the reader drains it, then asks for the next. */
  readonly batch: Batch;
  // the release being handed out: pending indices order[0..releaseCount), of keys <= releaseLimit
  private order: Int32Array;
  private tmp: Int32Array = new Int32Array(0);
  private runs: Int32Array;
  private releaseCount = 0;
  private releaseLimit = -Infinity;
  /** The release's entries are still in `pending` (the reader reads them there until it asks for more). */
  private releasedQueued = false;
  private handedOut = 0;
  private mode = ReleaseMode.SORTED;
  /** MERGE: run q is order[runs[q]..runs[q+1]); heads[q] is its next entry. */
  private runCount = 0;
  private readonly heads = new Int32Array(MAX_MERGE_WAYS);
  private chunkSize = FIRST_CHUNK;

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
    this.batch = new Batch(this.pending);
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
    this.dropReleased();
    const p = this.pending;
    // blocks mostly full of queued records (big rounds): moving them would gain nothing
    if (2 * p.bytes > pool.live * pool.blockSize) return;
    const w = p.words;
    for (let at = 0; at < ENTRY_WORDS * p.count; at += ENTRY_WORDS) {
      pool.copyIn(pool.blocks[w[at + BLOCK]], w[at + OFF], w[at + LEN]);
      w[at + BLOCK] = pool.outBlock;
      w[at + OFF] = pool.outOff;
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
    this.dropReleased();
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
   * out). Asked again once the last chunk was read, the released entries leave the queue.
   */
  nextChunk(): boolean {
    const total = this.releaseCount;
    const from = this.handedOut;
    if (from >= total) {
      this.dropReleased();
      return false;
    }
    const batch = this.batch;
    const k = Math.min(this.chunkSize, total - from);
    if (this.chunkSize < CHUNK) this.chunkSize *= 2;
    if (this.mode === ReleaseMode.MERGE) mergeChunk(this.pending.keys, this.order, this.runs, this.heads, this.runCount, batch.idx, k);
    else batch.idx.set(this.order.subarray(from, from + k));
    batch.count = k;
    batch.next = 0;
    this.handedOut = from + k;
    return true;
  }

  /** The whole release has been read: its entries leave the queue, the rest move to the front. */
  private dropReleased(): void {
    if (!this.releasedQueued) return;
    this.releasedQueued = false;
    const p = this.pending;
    if (this.releaseCount < p.count) compactAbove(p, this.releaseLimit);
    else { p.count = 0; p.bytes = 0; }
  }

  /** Picks the pending entries with key <= limit for handing out in time order (by nextChunk); keeps the rest. */
  private release(limit: number): void {
    if (!this.readyConsumed) throw new Error('internal error: release before the last one was consumed');
    this.dropReleased();
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
    this.releasedQueued = m > 0;
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
    pinBlocks(this.pool.pinned, this.pending.words, this.pending.count, gen);
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
 * Writes the pending indices of the next k entries of the merge of the r sorted runs
 * order[runs[q]..runs[q+1]) to out[0..k), advancing heads[q]: the smallest head goes first, ties
 * to the earlier run, so equal times keep arrival order.
 */
function mergeChunk(keys: Float64Array, order: Int32Array, runs: Int32Array, heads: Int32Array, r: number, out: Int32Array, k: number): void {
  if (r === 2) {
    // the common case (one run per CPU of a two-CPU machine): one compare per record
    let h0 = heads[0];
    let h1 = heads[1];
    const e0 = runs[1];
    const e1 = runs[2];
    for (let w = 0; w < k; w++) {
      if (h1 >= e1 || (h0 < e0 && keys[order[h0]] <= keys[order[h1]])) out[w] = order[h0++];
      else out[w] = order[h1++];
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
      if (h < runs[q + 1]) {
        const key = keys[order[h]];
        if (best < 0 || key < bestKey) { best = q; bestKey = key; }
      }
    }
    out[w] = order[heads[best]++];
  }
}

/** Keeps only the entries with key > limit, moved to the front in arrival order. */
function compactAbove(p: EntryList, limit: number): void {
  const keys = p.keys;
  const words = p.words;
  const n = p.count;
  let w = 0;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    if (keys[i] <= limit) continue;
    keys[w] = keys[i];
    const from = ENTRY_WORDS * i;
    const to = ENTRY_WORDS * w;
    // spelled out: a loop here made this pass twice as slow
    words[to] = words[from];
    words[to + 1] = words[from + 1];
    words[to + BLOCK] = words[from + BLOCK];
    words[to + OFF] = words[from + OFF];
    const len = words[from + LEN];
    words[to + LEN] = len;
    words[to + ATTR] = words[from + ATTR];
    bytes += len;
    w++;
  }
  p.count = w;
  p.bytes = bytes;
}

/** Marks the blocks of the first n entries with `gen`; neighbouring entries share blocks, so repeats are skipped. */
function pinBlocks(pinned: Int32Array, words: Int32Array, n: number, gen: number): void {
  let last = -1;
  for (let i = 0; i < n; i++) {
    const b = words[ENTRY_WORDS * i + BLOCK];
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
  mergeChunk(list.keys, order, runs, heads, r, new Int32Array(n), m);
  sortByKey(order, new Int32Array(n), m, list.keys, runs);
  compactAbove(list, 2);
  pinBlocks(new Int32Array(1), list.words, list.count, 1);
}
