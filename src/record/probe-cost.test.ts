import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costOf } from './probe-cost.js';

const HOUR = 3_600_000;
const NOW = 1_800_000_000_000;

test('the cost is the median of the last day\'s measures that succeeded, else of the older ones', () => {
  // 16.1 µs a day and a half ago (a dearer moment of the VM), then three of today
  const measures = [
    { at: NOW - 36 * HOUR, ns: 16_108 },
    { at: NOW - 3 * HOUR, ns: 14_667 },
    { at: NOW - 2 * HOUR, ns: null },
    { at: NOW - 1 * HOUR, ns: 11_299 },
    { at: NOW, ns: 11_472 },
  ];
  assert.equal(costOf(measures, NOW), 11_472);
  // an even count: the lower middle
  assert.equal(costOf(measures.slice(3), NOW), 11_299);
  // none of the last day: the older ones (an attach measures again only when there is none)
  assert.equal(costOf(measures.slice(0, 1), NOW), 16_108);
  assert.equal(costOf([{ at: NOW, ns: null }], NOW), undefined);
});
