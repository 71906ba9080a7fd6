import { TWO_POW_32 } from '../base/u64.js';
import type { BlockPool } from './block-pool.js';
import { RecordType } from './constants.js';
import type { EventTable } from './event-table.js';
import type { RecordCutter } from './record-cutter.js';

/** Int32 words per entry (24 bytes): words 0–1 hold the file offset as a float64 (f64s[3i]). */
const ENTRY_WORDS = 6;
/** Where the other parts of an entry lie in its 6 words. */
const BLOCK = 2, OFF = 3, LEN = 4, ATTR = 5;

/**
 * The queued records, in arrival order, by reference into the block pool (no byte copies). This
 * file alone knows an entry's layout and pins and unpins the blocks entries point into.
 *
 * The sort keys are a dense array of their own (the sorter's merge compares only them); the rest
 * of an entry is packed into one 24-byte slot, so the reader finds a record's place, length, attr
 * and file offset together (six parallel arrays cost a cache miss each): words [6i, 6i + 2) are
 * the file offset as a float64 (f64s[3i]), then block, offset in the block, length and attr
 * index. Copies go through the same-type typed array methods, which keep bits.
 *
 * It also keeps the arrival-order facts every append updates: the highest and the last key, and
 * how many records arrived below what the sorter already released.
 */
export class EntryList {
  keys: Float64Array;
  private words: Int32Array;
  private f64s: Float64Array;
  /** Entries written so far (released ones included, until the next compaction). */
  count = 0;
  /** Bytes of the records queued, or released and not yet read. */
  bytes = 0;
  /** Highest key appended. */
  maxKey = -Infinity;
  /** Key of the last entry appended: a smaller one starts a new sorted run. */
  lastKey = Infinity;
  /** Highest key the sorter released: later arrivals below it are out of order. */
  releasedUpTo = -Infinity;
  outOfOrder = 0;

  constructor(entries: number, private readonly pool: BlockPool) {
    this.keys = new Float64Array(entries);
    this.f64s = new Float64Array(3 * entries);
    this.words = new Int32Array(this.f64s.buffer);
  }

  /** Entries the arrays hold before they must be compacted or grown. */
  get capacity(): number {
    return this.keys.length;
  }

  /** Appends a record that lies in pool block `block` (the caller made room). */
  append(key: number, block: number, off: number, len: number, attr: number, fileOff: number): void {
    if (key > this.maxKey) this.maxKey = key;
    else if (key < this.releasedUpTo) this.outOfOrder++;
    this.lastKey = key;
    const n = this.count++;
    this.keys[n] = key;
    this.f64s[3 * n] = fileOff;
    const w = this.words;
    const at = ENTRY_WORDS * n;
    w[at + BLOCK] = block;
    w[at + OFF] = off;
    w[at + LEN] = len;
    w[at + ATTR] = attr;
    this.bytes += len;
    this.pool.pin(block, 1);
  }

  /**
   * The hot path: appends the run of ordinary timed samples at the front of the cutter's read
   * buffer in one tight loop (most of a recording), with the same checks as the record queue's
   * one-record path. Stops at anything else — another record type, a record cut by the buffer
   * end, an unknown or large id, no timestamp, a step back in time (the next sorted run), a full
   * array, `budget` bytes queued — and leaves it to that path. Keys are ns relative to the time
   * base (baseHi, baseLo). Returns the number of samples appended.
   */
  appendSampleRun(c: RecordCutter, table: EventTable, baseHi: number, baseLo: number, budget: number): number {
    const attrs = table.attrs;
    if (attrs.length === 0) return 0;
    const dv = c.runView;
    const block = c.runBlock;
    const base = c.runFileBase;
    const end = c.runEnd;
    const single = table.single;
    const idp = table.sampleIdPos;
    const idSmall = table.ids.small;
    const idBase = table.ids.base;
    // The same exact key as the record queue's timeKey, written so that every step is a double
    // from the first sample on: V8 then never speculates on small integers here (that guess
    // failed once a timestamp's halves left the int32 range, and threw the loop's optimized code
    // away). hi * 2^32 is exact for any u32; lo - (baseLo - 0.5) is never an integer.
    const baseHiScaled = baseHi * TWO_POW_32;
    const baseLoLessHalf = baseLo - 0.5;
    let maxKey = this.maxKey;
    let lastKey = this.lastKey;
    const releasedUpTo = this.releasedUpTo;
    let outOfOrder = 0;
    let n = this.count;
    let bytes = this.bytes;
    const keys = this.keys, words = this.words, f64s = this.f64s;
    let key = 0;
    let queued = 0;
    const start = c.runStart;
    let p = start;
    while (end - p >= 8 && bytes <= budget) {
      const size = dv.getUint16(p + 6, true);
      if (size < 8 || size > end - p || dv.getUint32(p, true) !== RecordType.SAMPLE) break;
      let ai = 0;
      if (!single) {
        if (idp + 8 > size) break;
        // a recording's ids lie close together: looked up in the table's array (from its base) here, the rest by the one-record path
        const k = dv.getUint32(p + idp, true) - idBase;
        if (k < 0 || k >= idSmall.length || dv.getUint32(p + idp + 4, true) !== 0) break;
        ai = idSmall[k];
        if (ai < 0) break;
      }
      const attr = attrs[ai];
      const timePos = attr.timePos;
      if (timePos < 0 || size < attr.fixedEnd) break;
      const lo = dv.getUint32(p + timePos, true);
      const hi = dv.getUint32(p + timePos + 4, true);
      if (lo === 0 && hi === 0) break;
      const next = hi * TWO_POW_32 - baseHiScaled + (lo - baseLoLessHalf) - 0.5;
      // A step back in time starts the next sorted run (perf writes each CPU's buffer in time
      // order, one after the other), and a full array needs compacting: both are left to the
      // one-record path. A call made here for the first time after V8 optimized this loop
      // would have no type feedback and throw the optimized code away.
      if (next < lastKey || n === keys.length) break;
      key = next;
      lastKey = key;
      if (key > maxKey) maxKey = key;
      // (releasedUpTo <= maxKey: a new maximum is never out of order; comparing every time keeps
      // V8's feedback for this compare from the start)
      if (key < releasedUpTo) outOfOrder++;
      keys[n] = key;
      f64s[3 * n] = base + p;
      const at = ENTRY_WORDS * n;
      words[at + BLOCK] = block;
      words[at + OFF] = p;
      words[at + LEN] = size;
      words[at + ATTR] = ai;
      bytes += size;
      n++;
      queued++;
      p += size;
    }
    if (queued === 0) return 0;
    this.pool.pin(block, queued);
    this.count = n;
    c.takeRun(p, bytes - this.bytes);
    this.bytes = bytes;
    this.maxKey = maxKey;
    this.lastKey = lastKey;
    this.outOfOrder += outOfOrder;
    return queued;
  }

  // the record an entry stands for, for the reader
  block(i: number): number { return this.words[ENTRY_WORDS * i + BLOCK]; }
  off(i: number): number { return this.words[ENTRY_WORDS * i + OFF]; }
  len(i: number): number { return this.words[ENTRY_WORDS * i + LEN]; }
  attr(i: number): number { return this.words[ENTRY_WORDS * i + ATTR]; }
  fileOff(i: number): number { return this.f64s[3 * i]; }

  /** Moves entries [from, from + n) to [to, to + n), to <= from. */
  moveDown(from: number, to: number, n: number): void {
    this.keys.copyWithin(to, from, from + n);
    this.f64s.copyWithin(3 * to, 3 * from, 3 * (from + n));
  }

  /** Room for `n` entries (contents kept). */
  grow(n: number): void {
    let cap = this.keys.length * 2;
    while (cap < n) cap *= 2;
    const k = new Float64Array(cap); k.set(this.keys); this.keys = k;
    const f = new Float64Array(3 * cap); f.set(this.f64s); this.f64s = f;
    this.words = new Int32Array(f.buffer);
  }

  /** Entries [from, to) have been read and leave the queue: their blocks are unpinned. */
  forget(from: number, to: number): void {
    // a long loop over many entries: one path, so V8 optimizes it once and keeps it
    const words = this.words;
    const pool = this.pool;
    let bytes = 0;
    for (let at = ENTRY_WORDS * from; at < ENTRY_WORDS * to; at += ENTRY_WORDS) {
      bytes += words[at + LEN];
      pool.unpin(words[at + BLOCK]);
    }
    this.bytes -= bytes;
  }

  /** Copies the records of entries [from, to) into dense copy blocks, so sparse blocks can be recycled. */
  evacuate(from: number, to: number): void {
    const w = this.words;
    const pool = this.pool;
    for (let at = ENTRY_WORDS * from; at < ENTRY_WORDS * to; at += ENTRY_WORDS) {
      const block = w[at + BLOCK];
      pool.copyIn(pool.blocks[block], w[at + OFF], w[at + LEN]);
      pool.unpin(block);
      pool.pin(pool.outBlock, 1);
      w[at + BLOCK] = pool.outBlock;
      w[at + OFF] = pool.outOff;
    }
  }
}
