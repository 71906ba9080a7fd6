/**
 * A step function being built: parallel arrays (time, value), copied out at exact length by
 * `window`. One class with Int32 values for every track kind keeps the hot loop monomorphic; the
 * frozen form uses the narrow type timeline.ts asks for.
 *
 * Storage is chunked: the first chunk doubles up to CHUNK entries, then chunks of CHUNK entries
 * are added. A track of millions of entries (a busy thread's CPU states) is then never copied
 * while it grows, and leaves no outgrown arrays behind: doubling one array made the model spend
 * more time faulting in fresh pages and collecting old ones than in its state machine.
 *
 * Invariants kept on every `set` (what timeline.ts promises consumers): times never decrease,
 * consecutive values differ, and no two entries share a time (the later value replaces the
 * earlier one, which may in turn merge with its predecessor).
 */
const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const IN_CHUNK = CHUNK - 1;

export class StepBuilder {
  private timeChunks: Float64Array[];
  private valueChunks: Int32Array[];
  length = 0;

  constructor(private readonly initialCapacity = 8) {
    this.timeChunks = [new Float64Array(initialCapacity)];
    this.valueChunks = [new Int32Array(initialCapacity)];
  }

  /** Value of the last entry; `fallback` when empty. */
  lastValue(fallback: number): number {
    return this.length === 0 ? fallback : this.valueAt(this.length - 1);
  }

  lastTime(): number {
    return this.length === 0 ? -Infinity : this.timeAt(this.length - 1);
  }

  private timeAt(i: number): number {
    return this.timeChunks[i >>> CHUNK_BITS][i & IN_CHUNK];
  }

  private valueAt(i: number): number {
    return this.valueChunks[i >>> CHUNK_BITS][i & IN_CHUNK];
  }

  /** From `time` on the value is `value`. `time` must not be before the last entry's time. */
  set(time: number, value: number): void {
    const n = this.length;
    if (n > 0) {
      const last = n - 1;
      const values = this.valueChunks[last >>> CHUNK_BITS];
      const k = last & IN_CHUNK;
      if (values[k] === value) return;
      if (this.timeChunks[last >>> CHUNK_BITS][k] === time) {
        // The previous value lasted 0 ns: replace it, or drop it if we are back to the one before.
        if (n > 1 && this.valueAt(n - 2) === value) this.length = last;
        else values[k] = value;
        return;
      }
    }
    const c = n >>> CHUNK_BITS;
    const k = n & IN_CHUNK;
    if (c === this.timeChunks.length) {
      this.timeChunks.push(new Float64Array(CHUNK));
      this.valueChunks.push(new Int32Array(CHUNK));
    } else if (k === this.timeChunks[c].length) this.growFirst();
    this.timeChunks[c][k] = time;
    this.valueChunks[c][k] = value;
    this.length = n + 1;
  }

  /** Corrects the value of the last entry (which must not then equal the one before). */
  replaceLast(value: number): void {
    const n = this.length;
    if (n === 0) return;
    if (n > 1 && this.valueAt(n - 2) === value) this.length--;
    else this.valueChunks[(n - 1) >>> CHUNK_BITS][(n - 1) & IN_CHUNK] = value;
  }

  /**
   * A copy of the part that covers [from, end): the entry in force at `from` starts there, and
   * entries at or after `end` are left out (that one stays). The builder is not changed. Values
   * are written into the array `makeValues` gives (the narrow type of the frozen track).
   */
  window<V extends Int32Array | Uint16Array | Uint8Array>(from: number, end: number, makeValues: (length: number) => V): { times: Float64Array; values: V } {
    const first = this.indexAt(from);
    let n = this.length;
    while (n > first + 1 && this.timeAt(n - 1) >= end) n--;
    const times = new Float64Array(Math.max(0, n - first));
    const values = makeValues(times.length);
    this.copyOut(first, n, times, values);
    if (times.length > 0 && times[0] < from) times[0] = from;
    return { times, values };
  }

  /** Entries [first, n) into `times` and `values` (from index 0). */
  private copyOut(first: number, n: number, times: Float64Array, values: Int32Array | Uint16Array | Uint8Array): void {
    for (let i = first; i < n; ) {
      const c = i >>> CHUNK_BITS;
      const k = i & IN_CHUNK;
      const stop = Math.min(n, (c + 1) * CHUNK) - c * CHUNK;
      times.set(this.timeChunks[c].subarray(k, stop), i - first);
      values.set(this.valueChunks[c].subarray(k, stop), i - first);
      i += stop - k;
    }
  }

  /** Empties the track and gives back its memory (a builder frozen for good: see freezeTimeline); returns how many bytes. */
  release(): number {
    let bytes = 0;
    for (let c = 0; c < this.timeChunks.length; c++) bytes += this.timeChunks[c].byteLength + this.valueChunks[c].byteLength;
    this.timeChunks = [new Float64Array(this.initialCapacity)];
    this.valueChunks = [new Int32Array(this.initialCapacity)];
    this.length = 0;
    return bytes;
  }

  /** Forgets what happened before `time`, keeping the entry in force then (memory of a live view). */
  dropBefore(time: number): void {
    const first = this.indexAt(time);
    if (first === 0) return;
    const kept = this.length - first;
    const times = new Float64Array(kept);
    const values = new Int32Array(kept);
    this.copyOut(first, this.length, times, values);
    // Back to the start of the same chunks: the next window likely grows the track as far
    // (allocating them afresh, window after window, cost a fair part of a windowed analysis's
    // time in page faults and collections). Kept entries already satisfy the invariants.
    this.length = 0;
    for (let i = 0; i < kept; i++) this.append(times[i], values[i]);
  }

  private append(time: number, value: number): void {
    const n = this.length;
    const c = n >>> CHUNK_BITS;
    if (c === this.timeChunks.length) {
      this.timeChunks.push(new Float64Array(CHUNK));
      this.valueChunks.push(new Int32Array(CHUNK));
    } else if ((n & IN_CHUNK) === this.timeChunks[c].length) this.growFirst();
    this.timeChunks[c][n & IN_CHUNK] = time;
    this.valueChunks[c][n & IN_CHUNK] = value;
    this.length = n + 1;
  }

  /** Index of the last entry at or before `time` (0 when none is). */
  private indexAt(time: number): number {
    let lo = 0;
    let hi = this.length - 1;
    if (hi < 0 || this.timeAt(0) >= time) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.timeAt(mid) <= time) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The first chunk is full and smaller than CHUNK: doubled (the only copy a track ever makes while it grows). */
  private growFirst(): void {
    const capacity = Math.min(CHUNK, Math.max(4, this.timeChunks[0].length * 2));
    const times = new Float64Array(capacity);
    times.set(this.timeChunks[0]);
    const values = new Int32Array(capacity);
    values.set(this.valueChunks[0]);
    this.timeChunks[0] = times;
    this.valueChunks[0] = values;
  }
}

type NumberArray = Float64Array | Int32Array;

/**
 * A growable list of numbers in a typed array, copied out to exact-length arrays. Two kinds only
 * (F64List, I32List): the model's hot loop sees at most two shapes here.
 */
abstract class NumberList<A extends NumberArray> {
  private data: A;
  length = 0;

  constructor(private readonly make: (length: number) => A, initialCapacity: number) {
    this.data = make(initialCapacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const data = this.make(this.data.length * 2);
      data.set(this.data);
      this.data = data;
    }
    this.data[this.length++] = value;
  }

  at(index: number): number {
    return this.data[index];
  }

  set(index: number, value: number): void {
    this.data[index] = value;
  }

  /** A copy of entries [from, length) followed by `extra` values. */
  copy(from = 0, ...extra: number[]): A {
    const out = this.make(this.length - from + extra.length);
    out.set(this.data.subarray(from, this.length));
    out.set(extra, this.length - from);
    return out;
  }

  /** Empties the list and gives back its memory; returns how many bytes. */
  release(): number {
    const bytes = this.data.byteLength;
    this.data = this.make(0);
    this.length = 0;
    return bytes;
  }

  /** Forgets the first `count` entries. */
  dropFirst(count: number): void {
    this.data.copyWithin(0, count, this.length);
    this.length -= count;
  }
}

/** Float64 values, e.g. wait lengths. */
export class F64List extends NumberList<Float64Array> {
  constructor(initialCapacity = 8) {
    super((length) => new Float64Array(length), initialCapacity);
  }
}

/** Int32 values, e.g. stack ids. */
export class I32List extends NumberList<Int32Array> {
  constructor(initialCapacity = 8) {
    super((length) => new Int32Array(length), initialCapacity);
  }
}
