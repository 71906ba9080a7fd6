import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StackCache } from './stack-cache.js';

test('the same bytes find the id they were remembered with; other bytes, even of the same length, do not', () => {
  const cache = new StackCache();
  const a = Uint8Array.from([1, 2, 3, 4]);
  assert.equal(cache.find(a), undefined);
  cache.remember(a, 7);
  a[0] = 9; // the caller's buffer is reused by the reader: the cache kept its own copy
  assert.equal(cache.find(Uint8Array.from([1, 2, 3, 4])), 7);
  assert.equal(cache.find(Uint8Array.from([1, 2, 3, 5])), undefined);
  assert.equal(cache.find(Uint8Array.from([1, 2, 3])), undefined);
  cache.remember(Uint8Array.from([1, 2, 3]), 8);
  assert.equal(cache.find(Uint8Array.from([1, 2, 3])), 8);
});

test('bytes that differ in one byte anywhere, within the four-byte steps or in the tail, are other stacks', () => {
  const cache = new StackCache();
  const base = Uint8Array.from({ length: 203 }, (_, i) => (i * 37) & 0xff);
  cache.remember(base, 1);
  assert.equal(cache.find(base.slice()), 1);
  for (const at of [0, 5, 99, 199, 200, 202]) {
    const other = base.slice();
    other[at] ^= 0x80;
    assert.equal(cache.find(other), undefined, `byte ${at} changed`);
    cache.remember(other, 100 + at);
    assert.equal(cache.find(other.slice()), 100 + at);
  }
  assert.equal(cache.find(base.slice()), 1);
});
