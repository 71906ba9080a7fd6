import { BlockPool } from './block-pool.js';

/**
 * Streaming time sorter, after perf's ordered_events: queued records (by reference into the
 * block pool: no byte copies) are released in time order when a FINISHED_ROUND says nothing older
 * can still come: each round releases everything up to the highest time seen before the previous
 * round. Memory is bounded by two rounds; when a recording has no rounds (or huge ones), the
 * queue is flushed by half its time span once it holds `maxBytes`, and anything arriving older
 * than what was already released is counted in `outOfOrder` (and still delivered).
 *
 * Records arrive as sorted runs (perf writes each CPU's buffer in time order, one after the
 * other), so the queue keeps them as runs: a release takes a sorted prefix of each run (found by
 * binary search) and merges those prefixes; released entries are not moved, only skipped, and
 * the queue's array is compacted when it fills up. No pass over every queued entry per round.
 */

/** Int32 words per queued entry in EntryList.words (24 bytes; see there). */
export const ENTRY_WORDS = 6;
/** Where each part of an entry lies in its 6 words (words 0–1 hold the file offset, read as f64s[3i]). */
export const BLOCK = 2, OFF = 3, LEN = 4, ATTR = 5;

/**
 * Queued records. The sort keys are a dense array of their own (the merge compares only them);
 * the rest of an entry is packed into one 24-byte slot, so the reader finds a record's place,
 * length, attr and file offset together (six parallel arrays cost a cache miss each): words
 * [6i, 6i + 2) are the file offset as a float64 (f64s[3i]), then block, offset in the block,
 * length and attr index. Copies go through the same-type typed array methods, which keep bits.
 */
export class EntryList {
  keys: Float64Array;
  words: Int32Array;
  f64s: Float64Array;
  /** Entries written so far (released ones included, until the next compaction). */
  count = 0;
  /** Bytes of the records queued, or released and not yet read. */
  bytes = 0;

  constructor(entries: number) {
    this.keys = new Float64Array(entries);
    this.f64s = new Float64Array(3 * entries);
    this.words = new Int32Array(this.f64s.buffer);
  }

  /** Writes entry `n` (the caller made room). */
  set(n: number, key: number, block: number, off: number, len: number, attr: number, fileOff: number): void {
    this.keys[n] = key;
    this.f64s[3 * n] = fileOff;
    const w = this.words;
    const at = ENTRY_WORDS * n;
    w[at + BLOCK] = block;
    w[at + OFF] = off;
    w[at + LEN] = len;
    w[at + ATTR] = attr;
  }

  /** Moves entries [from, from + n) to [to, to + n), to <= from. */
  moveDown(from: number, to: number, n: number): void {
    this.keys.copyWithin(to, from, from + n);
    this.f64s.copyWithin(3 * to, 3 * from, 3 * (from + n));
  }

  // readable accessors for tests; the hot loops index the arrays directly
  block(i: number): number { return this.words[ENTRY_WORDS * i + BLOCK]; }
  off(i: number): number { return this.words[ENTRY_WORDS * i + OFF]; }
  fileOff(i: number): number { return this.f64s[3 * i]; }

  /** Room for `n` entries (contents kept). */
  grow(n: number): void {
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

/** Up to this many runs are merged head to head as chunks are asked for; more are sorted first. */
const MAX_MERGE_WAYS = 8;

const enum ReleaseMode { SORTED, MERGE }

export class Sorter {
  /** Records waiting for their round to end (the record queue's run loop appends to it directly). */
  readonly pending: EntryList;
  /** The next chunk of released records, in time order; the reader drains it, then asks for the next. */
  readonly batch: Batch;

  // Run q is pending[runStart[q], end(q)) with keys ascending; [runHead[q], end(q)) is still
  // queued. The last run ends at pending.count and takes the appends; the others end at runEnd[q].
  private runStart: Int32Array;
  private runHead: Int32Array;
  private runEnd: Int32Array;
  private runCut: Int32Array;
  private runCount = 0;
  /** Key of the last entry appended: a smaller one starts a new run. */
  lastKey = Infinity;

  // the release being handed out: runs' [runHead, runCut) prefixes, releaseCount entries in all
  private releaseCount = 0;
  /** The release's entries still count as queued (the reader reads them until it asks for more). */
  private releasedQueued = false;
  private handedOut = 0;
  private mode = ReleaseMode.SORTED;
  /** MERGE: the prefixes being merged are pending[heads[q], ends[q]). */
  private mergeWays = 0;
  private readonly heads = new Int32Array(MAX_MERGE_WAYS);
  private readonly ends = new Int32Array(MAX_MERGE_WAYS);
  /** SORTED: the release's pending indices in time order. */
  private order = new Int32Array(0);
  private tmp = new Int32Array(0);
  private sortRuns = new Int32Array(0);
  private chunkSize = FIRST_CHUNK;

  maxKey = -Infinity;
  private flushLimit = -Infinity;
  /** Highest time already released: later arrivals below it are out of order. */
  releasedUpTo = -Infinity;
  outOfOrder = 0;
  forcedFlushes = 0;
  private evacuateAt: number;

  /**
   * `expectedRecords`: the queue array's first size. Appends fill it to the end (released
   * entries are skipped, not removed), then it is compacted, and doubled when queued entries
   * fill three quarters of it: every slot gets touched, so it should not be much bigger than
   * two rounds.
   */
  constructor(private readonly pool: BlockPool, private readonly maxBytes = DEFAULT_MAX_QUEUE_BYTES, private readonly minEvacuateBlocks = 16, expectedRecords = 1024) {
    this.evacuateAt = minEvacuateBlocks;
    this.pending = new EntryList(expectedRecords);
    this.batch = new Batch(this.pending);
    this.runStart = new Int32Array(64);
    this.runHead = new Int32Array(64);
    this.runEnd = new Int32Array(64);
    this.runCut = new Int32Array(64);
  }

  /** Queues a record that lies in pool block `block` (the pool keeps the block alive). */
  add(block: number, off: number, len: number, key: number, attr: number, fileOff: number): void {
    if (key > this.maxKey) this.maxKey = key;
    else if (key < this.releasedUpTo) this.outOfOrder++;
    const p = this.pending;
    if (p.count === p.keys.length) this.makeRoom();
    if (key < this.lastKey) this.startRun(p.count);
    this.lastKey = key;
    p.set(p.count++, key, block, off, len, attr, fileOff);
    p.bytes += len;
    this.pool.refs[block]++;
  }

  /** Queues a record from a transient buffer (decompressed data): its bytes are copied. */
  addCopy(src: Uint8Array, pos: number, len: number, key: number, attr: number, fileOff: number): void {
    this.pool.copyIn(src, pos, len);
    this.add(this.pool.outBlock, this.pool.outOff, len, key, attr, fileOff);
  }

  /** A new sorted run starts at pending index `at` (the next entry appended). */
  private startRun(at: number): void {
    const r = this.runCount;
    if (r > 0) this.runEnd[r - 1] = at;
    if (r === this.runStart.length) {
      const grow = (a: Int32Array): Int32Array => { const b = new Int32Array(2 * r); b.set(a); return b; };
      this.runStart = grow(this.runStart);
      this.runHead = grow(this.runHead);
      this.runEnd = grow(this.runEnd);
      this.runCut = grow(this.runCut);
    }
    this.runStart[r] = at;
    this.runHead[r] = at;
    this.runCount = r + 1;
  }

  /**
   * The pending array is full: moves the queued entries to its front (released ones are dropped
   * there), and doubles it when they fill more than three quarters of it (less would mean a
   * compaction every few records). Only between releases.
   */
  private makeRoom(): void {
    const p = this.pending;
    let queued = 0;
    for (let q = 0; q < this.runCount; q++) queued += this.end(q) - this.runHead[q];
    if (4 * queued > 3 * p.keys.length) p.grow(2 * p.keys.length);
    let w = 0;
    const last = this.runCount - 1;
    for (let q = 0; q <= last; q++) {
      const head = this.runHead[q];
      const n = this.end(q) - head;
      if (head !== w) p.moveDown(head, w, n);
      this.runStart[q] = w;
      this.runHead[q] = w;
      w += n;
      if (q < last) this.runEnd[q] = w;
    }
    p.count = w;
  }

  /** Where run q ends (exclusive). */
  private end(q: number): number {
    return q === this.runCount - 1 ? this.pending.count : this.runEnd[q];
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
    this.dropReleased(); // (the blocks only the read release used go first)
    if (pool.live < this.evacuateAt) return;
    const p = this.pending;
    // blocks mostly full of queued records (big rounds): moving them would gain nothing
    if (2 * p.bytes > pool.live * pool.blockSize) return;
    const w = p.words;
    for (let q = 0; q < this.runCount; q++) {
      for (let at = ENTRY_WORDS * this.runHead[q]; at < ENTRY_WORDS * this.end(q); at += ENTRY_WORDS) {
        const block = w[at + BLOCK];
        pool.copyIn(pool.blocks[block], w[at + OFF], w[at + LEN]);
        pool.refs[block]--;
        pool.refs[pool.outBlock]++;
        w[at + BLOCK] = pool.outBlock;
        w[at + OFF] = pool.outOff;
      }
    }
    pool.sweep();
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
    let min = Infinity;
    // each run is sorted: its first queued key is its smallest
    for (let q = 0; q < this.runCount; q++) {
      if (this.runHead[q] < this.end(q)) min = Math.min(min, this.pending.keys[this.runHead[q]]);
    }
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
    if (this.mode === ReleaseMode.MERGE) mergeChunk(this.pending.keys, this.heads, this.ends, this.mergeWays, batch.idx, k);
    else batch.idx.set(this.order.subarray(from, from + k));
    batch.count = k;
    batch.next = 0;
    this.handedOut = from + k;
    return true;
  }

  /**
   * The whole release has been read: its entries leave the queue (runs that ran out go too),
   * and the blocks no record lies in any more are recycled.
   */
  private dropReleased(): void {
    if (!this.releasedQueued) return;
    this.releasedQueued = false;
    const p = this.pending;
    p.bytes -= forgetRanges(p.words, this.pool.refs, this.runHead, this.runCut, this.runCount);
    this.pool.sweep();
    const last = this.runCount - 1;
    let w = 0;
    for (let q = 0; q <= last; q++) {
      const head = this.runCut[q];
      const end = this.end(q);
      if (head === end && q < last) continue; // ran out (the last run stays: it takes the appends)
      this.runStart[w] = this.runStart[q];
      this.runHead[w] = head;
      this.runEnd[w] = end;
      w++;
    }
    this.runCount = w;
  }

  /** Picks the queued entries with key <= limit for handing out in time order (by nextChunk); keeps the rest. */
  private release(limit: number): void {
    if (!this.readyConsumed) throw new Error('internal error: release before the last one was consumed');
    this.dropReleased();
    const keys = this.pending.keys;
    let count = 0;
    let ways = 0;
    let highest = -Infinity;
    let untimed = false;
    for (let q = 0; q < this.runCount; q++) {
      const head = this.runHead[q];
      const cut = upperBound(keys, head, this.end(q), limit);
      this.runCut[q] = cut;
      if (cut === head) continue;
      ways++;
      count += cut - head;
      // each run is sorted: the release's highest time ends one of the prefixes, its lowest starts one
      if (keys[cut - 1] > highest) highest = keys[cut - 1];
      if (keys[head] === -Infinity) untimed = true;
    }
    this.releaseCount = count;
    this.releasedQueued = count > 0;
    this.handedOut = 0;
    if (highest > this.releasedUpTo) this.releasedUpTo = highest;
    this.batch.leadKey = untimed ? this.earliestTime() : NaN;
    if (ways <= MAX_MERGE_WAYS) {
      this.mode = ReleaseMode.MERGE;
      this.mergeWays = 0;
      for (let q = 0; q < this.runCount; q++) {
        if (this.runCut[q] === this.runHead[q]) continue;
        this.heads[this.mergeWays] = this.runHead[q];
        this.ends[this.mergeWays] = this.runCut[q];
        this.mergeWays++;
      }
    } else {
      this.mode = ReleaseMode.SORTED;
      this.sortRelease(count);
    }
  }

  /** Many runs (stragglers, or no rounds): the release's prefixes are gathered and sorted. */
  private sortRelease(count: number): void {
    if (this.order.length < count) {
      this.order = new Int32Array(2 * count);
      this.tmp = new Int32Array(2 * count);
      this.sortRuns = new Int32Array(2 * count + 1);
    }
    let m = 0;
    for (let q = 0; q < this.runCount; q++) {
      for (let i = this.runHead[q]; i < this.runCut[q]; i++) this.order[m++] = i;
    }
    sortByKey(this.order, this.tmp, m, this.pending.keys, this.sortRuns);
  }

  /** Records from before the first timestamp get the earliest time queued or being released (NaN if none). */
  private earliestTime(): number {
    const keys = this.pending.keys;
    let lead = Infinity;
    for (let q = 0; q < this.runCount; q++) {
      let i = this.runHead[q];
      const end = this.end(q);
      while (i < end && keys[i] === -Infinity) i++;
      if (i < end && keys[i] < lead) lead = keys[i];
    }
    return lead === Infinity ? NaN : lead;
  }
}

// The helpers below run long loops over many entries: small, free functions with one path per
// loop, so V8 optimizes them once and keeps them.

/** The first index in [lo, hi) whose key is above limit (keys ascending there); hi if none. */
function upperBound(keys: Float64Array, lo: number, hi: number, limit: number): number {
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
function mergeChunk(keys: Float64Array, heads: Int32Array, ends: Int32Array, r: number, out: Int32Array, k: number): void {
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
 * The entries in [heads[q], cuts[q]) of every run q < r leave the queue: each block's count of
 * records drops by those in it. Returns their total length.
 */
function forgetRanges(words: Int32Array, refs: Int32Array, heads: Int32Array, cuts: Int32Array, r: number): number {
  let bytes = 0;
  for (let q = 0; q < r; q++) {
    for (let at = ENTRY_WORDS * heads[q]; at < ENTRY_WORDS * cuts[q]; at += ENTRY_WORDS) {
      bytes += words[at + LEN];
      refs[words[at + BLOCK]]--;
    }
  }
  return bytes;
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


// Prime the type feedback of every path through the sorter before the first real round: a path
// first taken inside an optimized call deoptimizes it, and the rest of that call — hundreds of
// thousands of entries — would run in the interpreter. Rounds of one, two, three and many runs,
// with untimed entries, stragglers, a forced flush and a compaction; each path a few dozen times
// (V8 collects no feedback for a function's first few calls).
for (let round = 0; round < 8; round++) {
  const pool = new BlockPool(1024);
  const sorter = new Sorter(pool, 1 << 20, 4, 16);
  const block = pool.acquire(0);
  const drain = (): void => { while (sorter.nextChunk()) sorter.batch.next = sorter.batch.count; };
  for (const values of [[1, 2, 3], [6, 4, 5], [9, 8, 7], [14, 13, 12, 11, 10], [-Infinity, 15, 16], [20, 19, 18, 17, 21, 22, 23, 24, 25, 26, 27, 28, 29]]) {
    for (const v of values) sorter.add(block, 0, 8, v, 0, 0);
    sorter.finishedRound();
    drain();
  }
  sorter.forceFlush();
  drain();
  sorter.finish();
  drain();
}
