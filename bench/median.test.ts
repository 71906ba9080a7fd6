import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeAtMost, median, medianInterval } from './median.js';

test('median: the middle round, or the mean of the two middle ones', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test('medianInterval: the order statistics a binomial(n, 1/2) gives at 95 %', () => {
  const rounds = (n: number) => Array.from({ length: n }, (_, i) => n - i); // n … 1, unsorted on purpose
  assert.equal(medianInterval(rounds(5)), undefined); // [min, max] of 5 covers 93.75 %
  assert.deepEqual(medianInterval(rounds(6)), { low: 1, high: 6 }); // 1 − 2/64 = 96.9 %
  assert.deepEqual(medianInterval(rounds(15)), { low: 4, high: 12 }); // k = 4: 1 − 2 × 0.0176 = 96.5 %
  assert.deepEqual(medianInterval(rounds(21)), { low: 6, high: 16 }); // k = 6: 1 − 2 × 0.0133 = 97.3 %
});

test('judgeAtMost: met only when the whole interval is within the goal, not met only when all of it is over', () => {
  const around = (centre: number, spread: number) => Array.from({ length: 15 }, (_, i) => centre + ((i - 7) / 7) * spread);
  assert.match(judgeAtMost(around(0.01, 0.01), 0.03), /goal met$/);
  assert.match(judgeAtMost(around(0.1, 0.01), 0.03), /goal NOT met$/);
  assert.match(judgeAtMost(around(0.03, 0.2), 0.03), /cannot tell/);
  assert.match(judgeAtMost([0.01, 0.02], 0.03), /too few rounds/);
});
