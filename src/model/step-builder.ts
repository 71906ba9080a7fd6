/**
 * A step function being built: growable parallel arrays (time, value), doubled when full and
 * cut to exact length by `freeze*`. One class with Int32 values for every track kind keeps the
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

  freezeTimes(): Float64Array {
    return this.times.slice(0, this.length);
  }

  freezeU8(): Uint8Array {
    return Uint8Array.from(this.values.subarray(0, this.length));
  }

  freezeU16(): Uint16Array {
    return Uint16Array.from(this.values.subarray(0, this.length));
  }

  freezeI32(): Int32Array {
    return this.values.slice(0, this.length);
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

/** A growable list of float64 values (e.g. wait lengths), frozen to an exact-length array. */
export class F64List {
  private data: Float64Array;
  length = 0;

  constructor(initialCapacity = 8) {
    this.data = new Float64Array(initialCapacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const data = new Float64Array(this.data.length * 2);
      data.set(this.data);
      this.data = data;
    }
    this.data[this.length++] = value;
  }

  freeze(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

/** A growable list of int32 values (e.g. stack ids), frozen to an exact-length array. */
export class I32List {
  private data: Int32Array;
  length = 0;

  constructor(initialCapacity = 8) {
    this.data = new Int32Array(initialCapacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const data = new Int32Array(this.data.length * 2);
      data.set(this.data);
      this.data = data;
    }
    this.data[this.length++] = value;
  }

  freeze(): Int32Array {
    return this.data.slice(0, this.length);
  }
}
