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
