import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, formatPercent } from './time.js';

test('formatPercent: one decimal; the missing mark when there is no whole', () => {
  assert.equal(formatPercent(1, 3), '33.3%');
  assert.equal(formatPercent(0, 5), '0.0%');
  assert.equal(formatPercent(1, 0), '-');
  assert.equal(formatPercent(1, NaN, '–'), '–');
});

test('formatDuration: about 3 digits in the unit that fits', () => {
  assert.deepEqual([812, 4200, 31_500_000, 2_040_000_000].map(formatDuration), ['812 ns', '4.20 µs', '31.5 ms', '2.04 s']);
});
