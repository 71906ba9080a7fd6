import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LINE_TABLE_FIXTURES } from '../../test/support/fixture-paths.js';
import { lineIn } from '../contract/line-ranges.js';
import { lineRanges, type LineTableFormat } from './line-table.js';

/** The line of the instruction at byte `offset`, as the sampler looks it up. */
const lineAt = (format: LineTableFormat, table: Uint8Array, firstLine: number, offset: number): number => lineIn(lineRanges(format, table, firstLine), offset);

interface Dump {
  readonly version: string;
  readonly codes: readonly { name: string; firstLine: number; table: string; lines: number[] }[];
}

function formatOf(version: string): LineTableFormat {
  const minor = Number(version.split('.')[1]);
  return minor <= 9 ? 'lnotab' : minor === 10 ? 'linetable310' : 'locations';
}

describe('line tables decode to the lines CPython gives (test/fixtures/line-tables)', () => {
  const files = readdirSync(LINE_TABLE_FIXTURES).filter((f) => f.endsWith('.json'));
  it('has a dump of every version 3.6-3.13', () => {
    assert.deepEqual(files.map((f) => f.replace(/^python|\.json$/g, '')).sort(), ['3.10', '3.11', '3.12', '3.13', '3.6', '3.7', '3.8', '3.9']);
  });
  for (const file of files) {
    it(file, () => {
      const dump = JSON.parse(readFileSync(join(LINE_TABLE_FIXTURES, file), 'utf8')) as Dump;
      const format = formatOf(dump.version);
      let checked = 0;
      for (const code of dump.codes) {
        const table = Buffer.from(code.table, 'hex');
        const got = code.lines.map((_, k) => lineAt(format, table, code.firstLine, 2 * k));
        assert.deepEqual(got, code.lines, `${dump.version} ${code.name}`);
        checked += got.length;
      }
      assert.ok(checked > 1500, `${checked} instructions`);
      // lines far from the first (the fixture's gap() and far()): the multi-byte and negative deltas
      assert.ok(dump.codes.some((c) => Math.max(...c.lines) - c.firstLine > 255), 'a line 255+ past its def');
    });
  }
  it('ranges are as few as the lines: neighbours with one line joined, no empty one', () => {
    for (const file of files) {
      const dump = JSON.parse(readFileSync(join(LINE_TABLE_FIXTURES, file), 'utf8')) as Dump;
      for (const code of dump.codes) {
        const { starts, lines, end } = lineRanges(formatOf(dump.version), Buffer.from(code.table, 'hex'), code.firstLine);
        for (let k = 1; k < starts.length; k++) {
          assert.ok(starts[k] > starts[k - 1], `${dump.version} ${code.name}: ascending`);
          assert.notEqual(lines[k], lines[k - 1], `${dump.version} ${code.name}: joined`);
        }
        assert.ok(starts.length === 0 || end > starts[starts.length - 1]);
      }
    }
  });
  it('an offset past the table, or before the code, has no line', () => {
    assert.equal(lineAt('locations', Buffer.from('8000d808', 'hex'), 10, 1000), 0);
    assert.equal(lineAt('linetable310', Buffer.from('0401', 'hex'), 10, 4), 0);
    assert.equal(lineAt('lnotab', Buffer.from('0401', 'hex'), 10, -2), 0);
  });
});
