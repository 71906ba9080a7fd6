import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { sortByKey } from './sorter.js';

it('sortByKey is a stable sort by key (property test against Array.prototype.sort)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 300 }), (values) => {
      const n = values.length;
      const keys = Float64Array.from(values);
      const order = Int32Array.from({ length: n }, (_, i) => i);
      sortByKey(order, new Int32Array(n), n, keys, new Int32Array(n + 1));
      const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b);
      assert.deepEqual(Array.from(order), expected);
    }),
    { numRuns: 500 },
  );
});

it('sortByKey merges per-CPU runs of a realistic round', () => {
  const keys = new Float64Array([1, 4, 7, 10, -Infinity, 2, 3, 8, 9, 5, 6]);
  const order = Int32Array.from(keys, (_, i) => i);
  sortByKey(order, new Int32Array(keys.length), keys.length, keys);
  assert.deepEqual(Array.from(order, (i) => keys[i]), [-Infinity, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});
