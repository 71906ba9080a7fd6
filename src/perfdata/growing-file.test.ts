import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GrowingPerfFile } from './growing-file.js';
import { openPerfData } from './open.js';
import { PERF_TYPE_TRACEPOINT } from './constants.js';
import { GOLDEN_FIXTURES } from '../../test/support/fixture-paths.js';

/** Samples in a finished recording, as the file reader reads them. */
function samplesIn(file: string): number {
  let n = 0;
  for (const record of openPerfData(file).records()) if (record.type === 'sample') n++;
  return n;
}

/**
 * Writes `source` into a fresh file piece by piece as perf would (file form: the header and attrs
 * first with a data size of 0, then the records; pipe form: from its 16-byte header on), pieces
 * of 1 to 9000 bytes that cut records anywhere, reading after each: the samples it visited.
 */
function readWhileWritten(source: string, dir: string): { samples: number; visited: number; configs: number; consumed: number; dataEnd: number } {
  const bytes = fs.readFileSync(source);
  const header = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const pipe = header.getUint32(8, true) === 16;
  const dataOffset = pipe ? 0 : Number(header.getBigUint64(40, true));
  const dataEnd = pipe ? bytes.length : dataOffset + Number(header.getBigUint64(48, true));
  const file = path.join(dir, path.basename(source));
  const head = Buffer.from(bytes.subarray(0, dataOffset));
  if (!pipe) head.writeBigUInt64LE(0n, 48);
  fs.writeFileSync(file, head);
  const growing = new GrowingPerfFile(file);
  const configs = new Set<number>();
  let visited = 0;
  const visit = (attr: { type: number; config: number }, sample: { raw: Uint8Array | undefined }): void => {
    if (attr.type === PERF_TYPE_TRACEPOINT) assert.ok(sample.raw !== undefined, 'a tracepoint sample has its payload');
    configs.add(attr.config);
    visited++;
  };
  growing.readNew(visit);
  let at = dataOffset;
  let step = 1;
  while (at < dataEnd) {
    step = ((step * 7919 + 13) % 9000) + 1;
    const end = Math.min(at + step, dataEnd);
    fs.appendFileSync(file, bytes.subarray(at, end));
    at = end;
    const before = growing.consumed;
    growing.readNew(visit);
    // whole records only: never past what is written, never back
    assert.ok(growing.consumed <= at && growing.consumed >= before, `consumed ${growing.consumed} of ${at} written (${before} before)`);
  }
  growing.close();
  return { samples: growing.samples, visited, configs: configs.size, consumed: growing.consumed, dataEnd };
}

const FORMS = [
  ['file form', path.join(GOLDEN_FIXTURES, 'python3.12', 'two_lines.data')],
  ['file form, zstd (-z)', path.join(GOLDEN_FIXTURES, 'third-party', 'uprobe_sched_py312_zstd.perf.data')],
  ['pipe form', path.join(GOLDEN_FIXTURES, 'third-party', 'uprobe_sched_py312_pipe.perf.data')],
  ['pipe form, zstd (-z)', path.join(GOLDEN_FIXTURES, 'third-party', 'sched_zstd_pipe.perf.data')],
] as const;

for (const [form, source] of FORMS) {
  test(`${form}: a recording read while it is written, in pieces that cut records anywhere, gives every sample once`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'giltrace-growing-'));
    try {
      const read = readWhileWritten(source, dir);
      const total = samplesIn(source);
      assert.ok(total > 100, `the fixture has samples (${total})`);
      assert.equal(read.samples, total);
      assert.equal(read.visited, total);
      assert.ok(read.configs >= 2, `samples of several events (${read.configs})`);
      assert.equal(read.consumed, read.dataEnd, 'every record read whole: consumed to the end of the data');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a file perf has not begun (absent, or its header cut) gives nothing yet, and no error', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'giltrace-growing-'));
  try {
    const file = path.join(dir, 'growing.data');
    const growing = new GrowingPerfFile(file);
    growing.readNew(() => assert.fail('no sample'));
    fs.writeFileSync(file, Buffer.from('PERFILE2'));
    growing.readNew(() => assert.fail('no sample'));
    growing.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
