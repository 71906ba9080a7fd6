import type { BlockPool } from './block-pool.js';
import { EntryList } from './entry-list.js';
import type { EventTable } from './event-table.js';
import type { RecordCutter } from './record-cutter.js';
import { mergeChunk, sortByKey, upperBound } from './run-merge.js';

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
 * The entries themselves (layout, block pins) are the EntryList's; the merge loops are in
 * run-merge.ts.
 */

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
  /** Records waiting for their round to end, and the released ones until they were read. */
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

  private flushLimit = -Infinity;
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
    this.pending = new EntryList(expectedRecords, pool);
    this.batch = new Batch(this.pending);
    this.runStart = new Int32Array(64);
    this.runHead = new Int32Array(64);
    this.runEnd = new Int32Array(64);
    this.runCut = new Int32Array(64);
  }

  /** Records that arrived after later times had been released (still delivered). */
  get outOfOrder(): number {
    return this.pending.outOfOrder;
  }

  /** Queues a record that lies in pool block `block` (the pool keeps the block alive). */
  add(block: number, off: number, len: number, key: number, attr: number, fileOff: number): void {
    const p = this.pending;
    if (p.count === p.capacity) this.makeRoom();
    if (key < p.lastKey) this.startRun(p.count);
    p.append(key, block, off, len, attr, fileOff);
  }

  /**
   * The hot path: queues the run of plain timed samples ahead in the cutter's buffer, as long as
   * they extend the last sorted run (EntryList.appendSampleRun). Returns how many it queued.
   */
  addSampleRun(c: RecordCutter, table: EventTable, baseHi: number, baseLo: number): number {
    return this.pending.appendSampleRun(c, table, baseHi, baseLo, this.maxBytes);
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
    if (4 * queued > 3 * p.capacity) p.grow(2 * p.capacity);
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
    for (let q = 0; q < this.runCount; q++) p.evacuate(this.runHead[q], this.end(q));
    pool.sweep();
    this.evacuateAt = Math.max(this.minEvacuateBlocks, 2 * pool.live);
  }

  /** FINISHED_ROUND: release up to the previous round's highest time. */
  finishedRound(): void {
    this.release(this.flushLimit);
    this.flushLimit = this.pending.maxKey;
  }

  /** Memory bound reached without a usable round: release the older half of the queued time span. */
  forceFlush(): void {
    this.dropReleased();
    let min = Infinity;
    // each run is sorted: its first queued key is its smallest
    for (let q = 0; q < this.runCount; q++) {
      if (this.runHead[q] < this.end(q)) min = Math.min(min, this.pending.keys[this.runHead[q]]);
    }
    const limit = Math.max(this.flushLimit, min + (this.pending.maxKey - min) / 2);
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
    for (let q = 0; q < this.runCount; q++) p.forget(this.runHead[q], this.runCut[q]);
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
    if (highest > this.pending.releasedUpTo) this.pending.releasedUpTo = highest;
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
