import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { MAX_LINE_CHARS, SourceLines } from './source-lines.js';

const dir = mkdtempSync(join(tmpdir(), 'giltrace-source-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('SourceLines', () => {
  const file = join(dir, 'app.py');
  writeFileSync(file, `def work():\n    total = sum(range(10))\r\n    return ${'x + '.repeat(60)}1\n    print("\x1b[31mred\tand not")\n`);

  it("reads a line of a file as the process sees it, trimmed, a long one cut", () => {
    const sources = new SourceLines();
    assert.equal(sources.textOf(process.pid, file, 2), 'total = sum(range(10))');
    const long = sources.textOf(process.pid, file, 3)!;
    assert.equal(long.length, MAX_LINE_CHARS);
    assert.ok(long.startsWith('return x + x') && long.endsWith('…'), long);
    // control characters (an escape sequence, a tab) as spaces: the text goes to terminals
    assert.equal(sources.textOf(process.pid, file, 4), 'print(" [31mred and not")');
    // a relative file name is the process's working directory's
    assert.equal(sources.textOf(process.pid, relative(process.cwd(), file), 1), 'def work():');
  });

  it('reads regular files only: a FIFO (a script piped in) is not opened, so nothing blocks', () => {
    const fifo = join(dir, 'piped.py');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    // opening a FIFO with no writer would block this test forever
    assert.equal(new SourceLines().textOf(process.pid, fifo, 1), undefined);
    assert.equal(new SourceLines().textOf(process.pid, '/dev/stdin', 1), undefined);
  });

  it('has no text for code without a file, a file gone, or a line past its end', () => {
    const sources = new SourceLines();
    assert.equal(sources.textOf(process.pid, '<frozen importlib._bootstrap>', 480), undefined);
    assert.equal(sources.textOf(process.pid, '<string>', 1), undefined);
    assert.equal(sources.textOf(process.pid, join(dir, 'gone.py'), 1), undefined);
    assert.equal(sources.textOf(process.pid, file, 99), undefined);
    assert.equal(sources.textOf(process.pid, file, 0), undefined);
  });
});
