import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { libcCountsCondWaiters } from './cond-waiters.js';

test('glibc 2.25 and later count a condition variable\'s waiters; older glibc, musl and no libc do not', () => {
  assert.equal(libcCountsCondWaiters(['/usr/bin/python3.11', '/usr/lib/x86_64-linux-gnu/libc.so.6']), true);
  assert.equal(libcCountsCondWaiters(['/lib/x86_64-linux-gnu/libc-2.28.so']), true);
  assert.equal(libcCountsCondWaiters(['/lib/x86_64-linux-gnu/libc-2.25.so']), true);
  assert.equal(libcCountsCondWaiters(['/lib/x86_64-linux-gnu/libc-2.24.so']), false);
  assert.equal(libcCountsCondWaiters(['/lib/ld-musl-x86_64.so.1', '/usr/lib/libpython3.12.so.1.0']), false);
  assert.equal(libcCountsCondWaiters(['/usr/local/bin/python3-static']), false);
});

test('this machine\'s processes run on such a glibc (its own maps)', () => {
  const mapped = fs.readFileSync('/proc/self/maps', 'latin1').split('\n').map((line) => line.split(/\s+/)[5] ?? '');
  assert.equal(libcCountsCondWaiters(mapped), true);
});
