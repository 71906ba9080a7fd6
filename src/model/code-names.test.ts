import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodeNames } from './code-names.js';

test('an address names its code object from its O line on; a drop before the first naming takes it', () => {
  const names = new CodeNames();
  names.add(10, 0x7f00, 500, 3, 0xa0, '665f3100');
  assert.equal(names.stackAt(10, 0x7f00, 100), 3);
  assert.equal(names.stackAt(10, 0x7f00, 100, 0xa0, '665f3100'), 3);
  assert.equal(names.stackAt(10, 0x7f00, 900), 3);
  assert.equal(names.stackAt(11, 0x7f00, 900), undefined, 'another process: not named');
  assert.equal(names.stackAt(10, 0x7f08, 900), undefined);
  assert.ok(names.stable);
});

test('an address reused by another code object names each in its time', () => {
  const names = new CodeNames();
  names.add(10, 0x7f00, 500, 3, 0xa0, 'aa');
  names.add(10, 0x7f00, 2000, 4, 0xb0, 'bb');
  names.add(10, 0x7f00, 3000, 5, 0xc0, 'cc');
  assert.deepEqual([100, 500, 1999, 2000, 2500, 3000, 9000].map((t) => names.stackAt(10, 0x7f00, t)), [3, 3, 3, 4, 4, 5, 5]);
  assert.ok(!names.stable, 'drops cannot be cached by their addresses alone');
  assert.equal(names.size, 1);
});

test('a drop whose file pointer is not the naming\'s was in another code object at that address', () => {
  const names = new CodeNames();
  // a module's code object ran (and was freed) before its address was read: another module's was there by then
  names.add(10, 0x7f00, 500, 3, 0xb0, 'bb');
  assert.equal(names.stackAt(10, 0x7f00, 100, 0xa0, 'bb'), undefined, 'not named as the other one');
  assert.equal(names.stackAt(10, 0x7f00, 100, 0xb0, 'bb'), 3);
  names.add(10, 0x7f00, 900, 4, 0xa0, 'aa');
  assert.equal(names.stackAt(10, 0x7f00, 600, 0xb0, 'bb'), 3, 'the naming in its time');
  assert.equal(names.stackAt(10, 0x7f00, 600, 0xa0, 'aa'), 4, 'the naming with its file, at another time');
});

test('a code object compiled in a loop, its file string made where the last one\'s was too: told apart by its name bytes', () => {
  const names = new CodeNames();
  names.add(10, 0x7f00, 500, 3, 0xa0, '665f3234'); // f_24
  assert.equal(names.stackAt(10, 0x7f00, 100, 0xa0, '665f3631'), undefined, 'f_61 is not f_24');
  assert.equal(names.stackAt(10, 0x7f00, 100, 0xa0, '665f3234'), 3);
});
