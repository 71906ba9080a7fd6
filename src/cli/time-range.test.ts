/** `--from` / `--to`: times in seconds or with a unit, as ns offsets; what is not a range is said so. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GiltraceError } from '../base/errors.js';
import { parseRange, rangeText } from './time-range.js';

test('times in seconds or with a unit', () => {
  assert.equal(parseRange({}), undefined);
  assert.deepEqual(parseRange({ from: '2.5' }), { from: 2.5e9, to: Infinity });
  assert.deepEqual(parseRange({ to: '2500ms' }), { from: 0, to: 2.5e9 });
  assert.deepEqual(parseRange({ from: '.5s', to: '1500000us' }), { from: 0.5e9, to: 1.5e9 });
  assert.deepEqual(parseRange({ from: '10ns', to: '20 ns' }), { from: 10, to: 20 });
  assert.equal(rangeText({ from: 2.5e9, to: Infinity }), 'from 2.5 s');
  assert.equal(rangeText({ from: 0, to: 0.1e9 }), '0 s to 0.1 s');
});

test('what is not a range', () => {
  for (const options of [{ from: '-1' }, { from: '1h' }, { to: '' }, { from: '2', to: '2' }, { from: '3', to: '1' }]) {
    assert.throws(() => parseRange(options), GiltraceError, JSON.stringify(options));
  }
});
