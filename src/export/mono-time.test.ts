import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MonotonicMicros, durationMicros, exactMicrosDecimal } from './mono-time.js';

test('micros is the closest double to the exact decimal µs, below and above 2^53 ns', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 2n ** 62n }), fc.integer({ min: 0, max: 2 ** 45 }), (base, rel) => {
      const clock = new MonotonicMicros(base);
      assert.equal(clock.micros(rel), Number(exactMicrosDecimal(base + BigInt(rel))));
    }),
  );
});

test('a real CLOCK_MONOTONIC value keeps its nanoseconds through JSON', () => {
  const clock = new MonotonicMicros(1_892_307_303_260_123n);
  assert.equal(JSON.stringify(clock.micros(0)), '1892307303260.123');
  assert.equal(JSON.stringify(clock.micros(1)), '1892307303260.124');
  assert.equal(exactMicrosDecimal(1_986_780_081_125n), '1986780081.125');
});

test('durations are exact differences in µs', () => {
  assert.equal(durationMicros(1000, 5_001_234), 5000.234);
  assert.equal(durationMicros(0, 1), 0.001);
});
