import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppendedLines } from './appended-lines.js';

test('a growing file gives each line once it is ended, a line or a character cut by a write waiting for the rest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'giltrace-appended-'));
  try {
    const path = join(dir, 'lines');
    const lines = new AppendedLines(path, 'utf8');
    assert.deepEqual(lines.read(), [], 'not made yet');
    appendFileSync(path, 'one\ntw');
    assert.deepEqual(lines.read(), ['one']);
    const euro = Buffer.from('€');
    appendFileSync(path, Buffer.concat([Buffer.from('o\nthree '), euro.subarray(0, 1)]));
    assert.deepEqual(lines.read(), ['two']);
    appendFileSync(path, Buffer.concat([euro.subarray(1), Buffer.from('\n\nfour\n')]));
    assert.deepEqual(lines.read(), ['three €', '', 'four']);
    assert.deepEqual(lines.read(), []);
    lines.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('opened before its writer removes it, a file gives the lines written before the removal (a run shorter than the first read)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'giltrace-appended-'));
  try {
    const path = join(dir, 'lines');
    const early = new AppendedLines(path, 'utf8');
    assert.equal(early.open(), false, 'not made yet');
    writeFileSync(path, '');
    assert.equal(early.open(), true);
    const late = new AppendedLines(path, 'utf8');
    appendFileSync(path, 'header\nsample\n');
    rmSync(path);
    assert.deepEqual(early.read(), ['header', 'sample']);
    assert.deepEqual(late.read(), [], 'a reader that first looks after the removal has nothing');
    early.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
