import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GrowingPerfFile } from './growing-file.js';
import { openPerfData } from './open.js';
import { GOLDEN_FIXTURES } from '../../test/support/fixture-paths.js';

/** Samples in a finished recording, as the file reader reads them. */
function samplesIn(file: string): number {
  let n = 0;
  for (const record of openPerfData(file).records()) if (record.type === 'sample') n++;
  return n;
}

test('a recording read while perf appends to it, in pieces that cut records anywhere, gives every sample once', () => {
  const source = path.join(GOLDEN_FIXTURES, 'python3.12', 'two_lines.data');
  const bytes = fs.readFileSync(source);
  const header = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const dataOffset = Number(header.getBigUint64(40, true));
  const dataSize = Number(header.getBigUint64(48, true));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'giltrace-growing-'));
  try {
    const file = path.join(dir, 'growing.data');
    // as perf writes it while it records: the header and attrs, a data size of 0, then the records as they come
    const head = Buffer.from(bytes.subarray(0, dataOffset));
    head.writeBigUInt64LE(0n, 48);
    fs.writeFileSync(file, head);
    const growing = new GrowingPerfFile(file);
    const counts = new Map<number, number>();
    const visit = (attr: { config: number }, sample: { raw: Uint8Array | undefined }): void => {
      assert.ok(sample.raw !== undefined, 'a tracepoint sample has its payload');
      counts.set(attr.config, (counts.get(attr.config) ?? 0) + 1);
    };
    growing.readNew(visit);
    let at = dataOffset;
    let step = 1;
    while (at < dataOffset + dataSize) {
      step = (step * 7919 + 13) % 9000 + 1; // 1 to 9000 bytes: mid-header, mid-payload, several records
      const end = Math.min(at + step, dataOffset + dataSize);
      fs.appendFileSync(file, bytes.subarray(at, end));
      at = end;
      growing.readNew(visit);
    }
    growing.close();
    const total = samplesIn(source);
    assert.equal(growing.samples, total);
    assert.equal([...counts.values()].reduce((a, b) => a + b, 0), total);
    assert.ok(counts.size >= 4, 'the GIL probes\' and the scheduler\'s events');
    assert.ok(total > 1000, `the fixture has samples (${total})`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

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
