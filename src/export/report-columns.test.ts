import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BlobBuilder, encodeTimes } from './report-columns.js';

/** LEB128 of each delta, by its definition (7 bits at a time, low first), in float arithmetic. */
function varintsByDefinition(times: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < times.length; i++) {
    let d = times[i] - times[i - 1];
    while (d >= 128) {
      out.push((d % 128) + 128);
      d = Math.floor(d / 128);
    }
    out.push(d);
  }
  return out;
}

const deltas = fc.oneof(
  fc.integer({ min: 0, max: 300 }),
  fc.constantFrom(127, 128, 2 ** 14 - 1, 2 ** 14, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 35 + 3),
  fc.integer({ min: 0, max: 2 ** 40 }),
);

// (the page reading the columns back: exporters.property.test.ts)
test('time columns: varint deltas exactly as LEB128 defines them, short deltas and long', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 45 }), fc.array(deltas, { maxLength: 40 }), (first, steps) => {
      const times = [first];
      for (const d of steps) times.push(times[times.length - 1] + d);
      const blob = new BlobBuilder();
      const column = encodeTimes(blob, Float64Array.from(times));
      const bytes = blob.finish();
      assert.equal(column.enc, 'dvar');
      assert.deepEqual([...bytes.subarray(column.data.offset, column.data.offset + column.data.byteLength)], varintsByDefinition(times));
      if (column.enc === 'dvar') assert.equal(column.first, first);
    }),
    { numRuns: 500 },
  );
});

test('time columns that are not whole, or go back, are kept as float64', () => {
  for (const times of [[0, 1.5, 3], [10, 5], [2 ** 53, 2 ** 53 + 2]]) {
    const blob = new BlobBuilder();
    const column = encodeTimes(blob, Float64Array.from(times));
    assert.equal(column.enc, 'f64', String(times));
    const bytes = blob.finish();
    assert.deepEqual([...new Float64Array(bytes.buffer, column.data.offset, times.length)], times);
  }
});
