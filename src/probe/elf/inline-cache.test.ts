import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedInlinedInstances } from './inline-cache.js';

test('inlined instances are computed once per file version and kept on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'giltrace-cache-'));
  const saved = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = join(dir, 'cache');
  try {
    const file = join(dir, 'libpython.so');
    writeFileSync(file, 'v1');
    let computed = 0;
    const compute = () => {
      computed++;
      return [{ name: 'drop_gil', entry: 0x1234, die: 7 }];
    };
    assert.deepEqual(cachedInlinedInstances(file, compute), [{ name: 'drop_gil', entry: 0x1234, die: 7 }]);
    assert.deepEqual(cachedInlinedInstances(file, compute), [{ name: 'drop_gil', entry: 0x1234, die: 7 }]);
    assert.equal(computed, 1, 'second call answered from the cache');
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    cachedInlinedInstances(file, compute);
    assert.equal(computed, 2, 'a changed file is read again');
  } finally {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});
