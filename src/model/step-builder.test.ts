/**
 * StepBuilder against a plain-array model of the same rules, over tracks long enough to span
 * several storage chunks (65536 entries each): sets at equal times, returns to the previous
 * value across a chunk's edge, windows and dropBefore anywhere.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { StepBuilder } from './step-builder.js';
import { seededRandom } from '../../test/support/seeded-random.js';

/** The rules of StepBuilder.set, on number[]s. */
class ModelTrack {
  times: number[] = [];
  values: number[] = [];
  set(time: number, value: number): void {
    const n = this.times.length;
    if (n > 0) {
      if (this.values[n - 1] === value) return;
      if (this.times[n - 1] === time) {
        if (n > 1 && this.values[n - 2] === value) {
          this.times.pop();
          this.values.pop();
        } else this.values[n - 1] = value;
        return;
      }
    }
    this.times.push(time);
    this.values.push(value);
  }
}

function sameWindow(builder: StepBuilder, model: ModelTrack, from: number, end: number): void {
  const got = builder.window(from, end, (n) => new Int32Array(n));
  let first = 0;
  for (let i = 0; i < model.times.length; i++) if (model.times[i] <= from) first = i;
  let n = model.times.length;
  while (n > first + 1 && model.times[n - 1] >= end) n--;
  const times = model.times.slice(first, n);
  if (times.length > 0 && times[0] < from) times[0] = from;
  assert.deepEqual([...got.times], times, `times of window [${from}, ${end})`);
  assert.deepEqual([...got.values], model.values.slice(first, n), `values of window [${from}, ${end})`);
}

it('StepBuilder keeps the step rules across storage chunks, windows and dropBefore', () => {
  const random = seededRandom(12);
  for (let round = 0; round < 3; round++) {
    const builder = new StepBuilder(4);
    const model = new ModelTrack();
    let time = 0;
    const count = 150_000 + Math.floor(random() * 100_000);
    for (let i = 0; i < count; i++) {
      // equal times often, and few values: replacements and merges at every chunk's edge too
      if (random() < 0.7) time += 1 + Math.floor(random() * 3);
      const value = Math.floor(random() * 3);
      builder.set(time, value);
      model.set(time, value);
      assert.equal(builder.length, model.times.length);
    }
    assert.equal(builder.lastValue(-1), model.values[model.values.length - 1]);
    assert.equal(builder.lastTime(), model.times[model.times.length - 1]);
    sameWindow(builder, model, -Infinity, Infinity);
    for (let k = 0; k < 5; k++) {
      const from = Math.floor(random() * time);
      sameWindow(builder, model, from, from + Math.floor(random() * (time - from + 10)));
    }
    const cut = Math.floor(random() * time);
    builder.dropBefore(cut);
    const kept = new ModelTrack();
    let first = 0;
    for (let i = 0; i < model.times.length; i++) if (model.times[i] <= cut) first = i;
    kept.times = model.times.slice(first);
    kept.values = model.values.slice(first);
    assert.equal(builder.length, kept.times.length);
    sameWindow(builder, kept, -Infinity, Infinity);
    // and it grows on from there as before
    for (let i = 0; i < 70_000; i++) {
      time += Math.floor(random() * 2);
      const value = Math.floor(random() * 3);
      builder.set(time, value);
      kept.set(time, value);
    }
    sameWindow(builder, kept, -Infinity, Infinity);
  }
});
