import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodeNames } from './code-names.js';

test('an address names its code object from its O line on; a drop before the first naming takes it', () => {
  const names = new CodeNames();
  names.add(10, 0x7f00, 500, 3);
  assert.equal(names.stackAt(10, 0x7f00, 100), 3);
  assert.equal(names.stackAt(10, 0x7f00, 900), 3);
  assert.equal(names.stackAt(11, 0x7f00, 900), undefined, 'another process: not named');
  assert.equal(names.stackAt(10, 0x7f08, 900), undefined);
  assert.ok(names.stable);
});

test('an address reused by another code object names each in its time', () => {
  const names = new CodeNames();
  names.add(10, 0x7f00, 500, 3);
  names.add(10, 0x7f00, 2000, 4);
  names.add(10, 0x7f00, 3000, 5);
  assert.deepEqual([100, 500, 1999, 2000, 2500, 3000, 9000].map((t) => names.stackAt(10, 0x7f00, t)), [3, 3, 3, 4, 4, 5, 5]);
  assert.ok(!names.stable, 'drops cannot be cached by their addresses alone');
  assert.equal(names.size, 1);
});
