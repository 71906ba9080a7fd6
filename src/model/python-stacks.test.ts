import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NO_FRAME_FUNCTION, PythonStacks, UNKNOWN_STACK } from './python-stacks.js';

test('the same function and callers intern to the same ids; callers are part of the stack', () => {
  const s = new PythonStacks();
  const a = s.intern('hot', '/app/main.py', 3, ['work', 'Thread.run']);
  assert.equal(s.intern('hot', '/app/main.py', 3, ['work', 'Thread.run']), a);
  const b = s.intern('hot', '/app/main.py', 3, ['other']);
  assert.notEqual(b, a);
  assert.equal(s.stacks[a].leaf, s.stacks[b].leaf, 'one function, two call paths');
  assert.notEqual(a, UNKNOWN_STACK);
  assert.deepEqual(s.functions[s.stacks[a].leaf], { name: 'hot', file: '/app/main.py', line: 3 });
  assert.deepEqual(s.stacks[a].callers, ['work', 'Thread.run']);
  assert.notEqual(s.intern('hot', '/app/other.py', 3, []), s.intern('hot', '/app/main.py', 3, []), 'same name in another file');
});

test('no Python frame: empty name and file, or an entry frame', () => {
  const s = new PythonStacks();
  assert.equal(s.stacks[s.intern('', '', 0, [])].leaf, NO_FRAME_FUNCTION);
  assert.equal(s.stacks[s.intern('<interpreter trampoline>', '<shim>', 1, [])].leaf, NO_FRAME_FUNCTION);
  assert.equal(s.stacks[s.intern('\x05', '', 77, [])].leaf, NO_FRAME_FUNCTION, 'garbage without a file');
});

test('a non-ASCII name reads as a control byte or nothing beside a readable file: named as such, file and line kept', () => {
  const s = new PythonStacks();
  for (const raw of ['\x07', '']) {
    const fn = s.functions[s.stacks[s.intern(raw, '/app/ünï.py', 12, [])].leaf];
    assert.deepEqual(fn, { name: '<non-ASCII name>', file: '/app/ünï.py', line: 12 });
  }
});

test('callers: frames past the bottom (empty) and entry frames are left out, unreadable names named as such', () => {
  const s = new PythonStacks();
  const id = s.intern('f', 'a.py', 1, ['g', '', '<interpreter trampoline>', '\x03\x01', 'main', '', '']);
  assert.deepEqual(s.stacks[id].callers, ['g', '<non-ASCII name>', 'main']);
});

test('a name read without any string (a thread\'s last release) is a partial stack of its own', () => {
  const s = new PythonStacks();
  const full = s.intern('hot', '/app.py', 3, ['spin']);
  const partial = s.intern('hot', '', 3, []);
  assert.notEqual(partial, full);
  assert.equal(s.stacks[partial].partial, true);
  assert.equal(s.stacks[full].partial, undefined);
  assert.equal(s.intern('', '', 0, []), 1, 'no frame at all is not partial: it is the no-frame stack');
});

test("a drop's instruction: one stack per instruction, the same call path, and its line once the function's lines are told", () => {
  const s = new PythonStacks();
  const lines = { base: 1000, scale: 1, ranges: { starts: [0, 10], lines: [5, 6], end: 20 } };
  const early = s.intern('work', '/app.py', 4, ['Thread.run'], 1012);
  const other = s.intern('work', '/app.py', 4, ['Thread.run'], 1002);
  const plain = s.intern('work', '/app.py', 4, ['Thread.run']);
  assert.notEqual(early, other);
  assert.equal(s.intern('work', '/app.py', 4, ['Thread.run'], 1012), early);
  assert.equal(s.stacks[early].path, plain, 'the call path is the stack without its instruction');
  assert.equal(s.stacks[early].at, undefined, 'no line before the lines are told');
  // told through a holder sample's stack of the same function (any call path)
  s.instructionLines(s.intern('work', '/app.py', 4, ['main']), lines);
  assert.deepEqual([s.stacks[early].at, s.stacks[other].at], [6, 5]);
  assert.equal(s.stacks[s.intern('work', '/app.py', 4, ['x'], 1019)].at, 6, 'a stack read after the lines: placed as it is interned');
  assert.equal(s.stacks[s.intern('work', '/app.py', 4, ['x'], 3000)].at, undefined, 'an instruction of another code object of the function');
  assert.equal(s.stacks[s.intern('', '', 0, [], 1012)].instruction, undefined, 'no Python frame: no instruction kept');
});
