import type { BlockPool } from './block-pool.js';

/**
 * Streaming time sorter, after perf's ordered_events: queued records (by reference into the
 * block pool: no byte copies) are released in time order when a FINISHED_ROUND says nothing older
 * can still come: each round releases everything up to the highest time seen before the previous
 * round. Memory is bounded by two rounds; when a recording has no rounds (or huge ones), the
 * queue is flushed by half its time span once it holds `maxBytes`, and anything arriving older
 * than what was already released is counted in `outOfOrder` (and still delivered).
 */

class EntryList {
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
    if (n === this.keys.length) this.grow();
    this.keys[n] = key;
    this.blocks[n] = block;
    this.offs[n] = off;
    this.lens[n] = len;
    this.attrs[n] = attr;
    this.fileOffs[n] = fileOff;
    this.count = n + 1;
    this.bytes += len;
  }

  /** Copies entries [from, to) of `src` to this list at `at` (capacity reserved by the caller). */
  copyFrom(src: EntryList, from: number, to: number, at: number): void {
    if (to - from < 32) {
      for (let i = from, k = at; i < to; i++, k++) {
        this.keys[k] = src.keys[i];
        this.blocks[k] = src.blocks[i];
        this.offs[k] = src.offs[i];
        this.lens[k] = src.lens[i];
        this.attrs[k] = src.attrs[i];
        this.fileOffs[k] = src.fileOffs[i];
      }
      return;
    }
    this.keys.set(src.keys.subarray(from, to), at);
    this.blocks.set(src.blocks.subarray(from, to), at);
    this.offs.set(src.offs.subarray(from, to), at);
    this.lens.set(src.lens.subarray(from, to), at);
    this.attrs.set(src.attrs.subarray(from, to), at);
    this.fileOffs.set(src.fileOffs.subarray(from, to), at);
  }

  /** Makes room for `n` entries (contents kept). */
  reserve(n: number): void {
    while (this.keys.length < n) this.grow();
  }

  private grow(): void {
    const cap = this.keys.length * 2;
    const k = new Float64Array(cap); k.set(this.keys); this.keys = k;
    const b = new Int32Array(cap); b.set(this.blocks); this.blocks = b;
    const o = new Int32Array(cap); o.set(this.offs); this.offs = o;
    const l = new Int32Array(cap); l.set(this.lens); this.lens = l;
    const a = new Int32Array(cap); a.set(this.attrs); this.attrs = a;
    const f = new Float64Array(cap); f.set(this.fileOffs); this.fileOffs = f;
  }

  clear(): void {
    this.count = 0;
    this.bytes = 0;
  }
}

export class Sorter {
  /** Records waiting for their round to end. */
  private pending = new EntryList(1024);
  /** Records released; `order[0..readyCount)` lists their indices in time order. */
  ready = new EntryList(1024);
  order: Int32Array = new Int32Array(1024);
  readyCount = 0;
  readyNext = 0;
  /** Smallest real time in the ready batch (NaN if none): the time of leading records that have none. */
  leadKey = NaN;
  private tmp: Int32Array = new Int32Array(1024);
  private runs: Int32Array = new Int32Array(1025);

  private maxKey = -Infinity;
  private flushLimit = -Infinity;
  /** Highest time already released: later arrivals below it are out of order. */
  releasedUpTo = -Infinity;
  outOfOrder = 0;
  forcedFlushes = 0;
  private evacuateAt: number;
  private generation = 0;

  constructor(private readonly pool: BlockPool, private readonly maxBytes = 64 << 20, private readonly minEvacuateBlocks = 16) {
    this.evacuateAt = minEvacuateBlocks;
  }

  /** Queues a record that lies in pool block `block` (the pool keeps the block alive). */
  add(block: number, off: number, len: number, key: number, attr: number, fileOff: number): void {
    if (key > this.maxKey) this.maxKey = key;
    else if (key < this.releasedUpTo) this.outOfOrder++;
    this.pending.push(key, block, off, len, attr, fileOff);
  }

  /** Queues a record from a transient buffer (decompressed data): its bytes are copied. */
  addCopy(src: Uint8Array, pos: number, len: number, key: number, attr: number, fileOff: number): void {
    if (key > this.maxKey) this.maxKey = key;
    else if (key < this.releasedUpTo) this.outOfOrder++;
    this.pool.copyIn(src, pos, len);
    this.pending.push(key, this.pool.outBlock, this.pool.outOff, len, attr, fileOff);
  }

  get readyConsumed(): boolean {
    return this.readyNext >= this.readyCount;
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
    if (this.pool.live < this.evacuateAt) return;
    const p = this.pending;
    const pool = this.pool;
    for (let i = 0; i < p.count; i++) {
      pool.copyIn(pool.blocks[p.blocks[i]], p.offs[i], p.lens[i]);
      p.blocks[i] = pool.outBlock;
      p.offs[i] = pool.outOff;
    }
    this.pinAndSweep(this.ready, 0); // the ready batch is consumed: only pending records count
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
      this.runs = new Int32Array(n * 2 + 1);
    }
    const order = this.order;
    const keys = src.keys;
    let m = 0;
    let kept = 0;
    for (let i = 0; i < n; i++) if (keys[i] > limit) kept++;
    keep.reserve(kept);
    // kept entries come in long runs (rounds release a few old records at a time): copy each run
    // with native typed-array copies instead of entry by entry
    let k = 0;
    let keptBytes = 0;
    let i = 0;
    while (i < n) {
      if (keys[i] <= limit) {
        order[m++] = i++;
        continue;
      }
      let j = i + 1;
      while (j < n && keys[j] > limit) j++;
      keep.copyFrom(src, i, j, k);
      for (let q = i; q < j; q++) keptBytes += src.lens[q];
      k += j - i;
      i = j;
    }
    keep.count = k;
    keep.bytes = keptBytes;
    sortByKey(order, this.tmp, m, keys, this.runs);
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
    this.pinAndSweep(src, m);
  }

  /** Pins the blocks of the new ready batch and of everything pending, then recycles the rest. */
  private pinAndSweep(ready: EntryList, m: number): void {
    const gen = ++this.generation;
    const pinned = this.pool.pinned;
    const order = this.order;
    // neighbouring entries share blocks: skip repeats
    let last = -1;
    for (let i = 0; i < m; i++) {
      const b = ready.blocks[order[i]];
      if (b !== last) { pinned[b] = gen; last = b; }
    }
    const p = this.pending;
    const pb = p.blocks;
    for (let i = 0; i < p.count; i++) {
      const b = pb[i];
      if (b !== last) { pinned[b] = gen; last = b; }
    }
    this.pool.sweep(gen);
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

// Prime the type feedback of every path through the sort (1, 2 and 3 runs, result in either
// buffer) before the first real round: a path first taken inside an optimized call deoptimizes
// it, and the rest of that call — thousands of entries — would run in the interpreter.
for (const keys of [[1, 2, 3], [2, 1], [3, 2, 1], [4, 3, 2, 1, 0]]) {
  const n = keys.length;
  const order = Int32Array.from(keys, (_, i) => i);
  sortByKey(order, new Int32Array(n), n, Float64Array.from(keys), new Int32Array(n + 1));
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
