/**
 * A step function being built: growable parallel arrays (time, value), doubled when full and
 * copied out at exact length by `window`. One class with Int32 values for every track kind keeps the
 * hot loop monomorphic; the frozen form uses the narrow type timeline.ts asks for.
 *
 * Invariants kept on every `set` (what timeline.ts promises consumers): times never decrease,
 * consecutive values differ, and no two entries share a time (the later value replaces the
 * earlier one, which may in turn merge with its predecessor).
 */
export class StepBuilder {
  private times: Float64Array;
  private values: Int32Array;
  length = 0;

  constructor(initialCapacity = 8) {
    this.times = new Float64Array(initialCapacity);
    this.values = new Int32Array(initialCapacity);
  }

  /** Value of the last entry; `fallback` when empty. */
  lastValue(fallback: number): number {
    return this.length === 0 ? fallback : this.values[this.length - 1];
  }

  lastTime(): number {
    return this.length === 0 ? -Infinity : this.times[this.length - 1];
  }

  /** From `time` on the value is `value`. `time` must not be before the last entry's time. */
  set(time: number, value: number): void {
    const n = this.length;
    if (n > 0) {
      if (this.values[n - 1] === value) return;
      if (this.times[n - 1] === time) {
        // The previous value lasted 0 ns: replace it, or drop it if we are back to the one before.
        if (n > 1 && this.values[n - 2] === value) this.length = n - 1;
        else this.values[n - 1] = value;
        return;
      }
    }
    if (n === this.times.length) this.grow();
    this.times[n] = time;
    this.values[n] = value;
    this.length = n + 1;
  }

  /** Corrects the value of the last entry (which must not then equal the one before). */
  replaceLast(value: number): void {
    if (this.length === 0) return;
    if (this.length > 1 && this.values[this.length - 2] === value) this.length--;
    else this.values[this.length - 1] = value;
  }

  /**
   * A copy of the part that covers [from, end): the entry in force at `from` starts there, and
   * entries at or after `end` are left out (that one stays). The builder is not changed.
   */
  window(from: number, end: number): { times: Float64Array; values: Int32Array } {
    const first = this.indexAt(from);
    let n = this.length;
    while (n > first + 1 && this.times[n - 1] >= end) n--;
    const times = this.times.slice(first, n);
    if (times.length > 0 && times[0] < from) times[0] = from;
    return { times, values: this.values.slice(first, n) };
  }

  /** Forgets what happened before `time`, keeping the entry in force then (memory of a live view). */
  dropBefore(time: number): void {
    const first = this.indexAt(time);
    if (first === 0) return;
    this.times.copyWithin(0, first, this.length);
    this.values.copyWithin(0, first, this.length);
    this.length -= first;
  }

  /** Index of the last entry at or before `time` (0 when none is). */
  private indexAt(time: number): number {
    let lo = 0;
    let hi = this.length - 1;
    if (hi < 0 || this.times[0] >= time) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.times[mid] <= time) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private grow(): void {
    const capacity = this.times.length * 2;
    const times = new Float64Array(capacity);
    times.set(this.times);
    const values = new Int32Array(capacity);
    values.set(this.values);
    this.times = times;
    this.values = values;
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

  /** A copy of entries [from, length) followed by `extra` values. */
  copy(from = 0, ...extra: number[]): A {
    const out = this.make(this.length - from + extra.length);
    out.set(this.data.subarray(from, this.length));
    out.set(extra, this.length - from);
    return out;
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
