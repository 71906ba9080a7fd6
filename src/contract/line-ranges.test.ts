import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLineRanges, lineIn, lineOfInstruction, parseLineRanges, type LineRanges } from './line-ranges.js';

const ranges: LineRanges = { starts: [0, 2, 10, 14], lines: [7, 8, 0, 9], end: 20 };

test('an offset takes the line of the range it lies in; none outside the code or in a range without a line', () => {
  assert.deepEqual([0, 1, 2, 9, 10, 13, 14, 19].map((o) => lineIn(ranges, o)), [7, 7, 8, 8, 0, 0, 9, 9]);
  assert.equal(lineIn(ranges, 20), 0, 'past the end');
  assert.equal(lineIn(ranges, -2), 0, 'before the code (f_lasti -1: not begun)');
  assert.equal(lineIn({ starts: [0], lines: [3], end: Infinity }, 1e6), 3, "co_lnotab's last line runs to the end");
  assert.equal(lineIn({ starts: [], lines: [], end: 0 }, 0), 0);
});

test("an instruction is an offset from the code's bytecode, in the probe's units", () => {
  assert.equal(lineOfInstruction({ base: 0x7f00_0000_1000, scale: 1, ranges }, 0x7f00_0000_1000 + 14), 9, 'a pointer (3.11+)');
  assert.equal(lineOfInstruction({ base: 0, scale: 2, ranges }, 4), 8, "3.10's f_lasti in code units");
  assert.equal(lineOfInstruction({ base: 0x7f00_0000_1000, scale: 1, ranges }, 0x7f00_0000_0ff0), 0, 'another code object\'s bytecode');
});

test('B line tails read back as written; anything else is no ranges', () => {
  for (const r of [ranges, { starts: [0], lines: [3], end: Infinity }]) {
    assert.deepEqual(parseLineRanges(formatLineRanges(r).split(' ')), r);
  }
  assert.equal(formatLineRanges({ starts: [0], lines: [3], end: Infinity }), '- 0 3');
  for (const bad of ['', '20 0', '20 4 1 2 1', 'x 0 1', '20 0 -1']) assert.equal(parseLineRanges(bad === '' ? [] : bad.split(' ')), undefined, bad);
});
