import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { GiltraceError } from '../base/errors.js';
import { appendFeatureSection } from './append-feature.js';
import { openPerfData } from './index.js';
import { GOLDEN_FIXTURES } from '../../test/support/fixture-paths.js';

/** A real file-form recording made by giltrace (zstd data, a full set of perf's own features). */
const RECORDING = path.join(GOLDEN_FIXTURES, 'python3.12/two_threads.data');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'giltrace-append-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function copy(name: string): string {
  const file = path.join(tmp, name);
  fs.copyFileSync(RECORDING, file);
  return file;
}

function summary(file: string): { features: unknown; records: number; times: number; other: Map<number, string> } {
  const data = openPerfData(file);
  let records = 0;
  let times = 0;
  for (const r of data.records()) {
    records++;
    times += r.time;
  }
  const { otherSections, present, ...features } = data.features;
  const other = new Map([...(otherSections ?? new Map<number, Uint8Array>())].map(([k, v]) => [k, Buffer.from(v).toString()]));
  return { features: { ...features, present: present.filter((id) => id < 64) }, records, times, other };
}

test('an added section reads back; records and perf features are unchanged; adding again replaces it', () => {
  const before = summary(RECORDING);
  const file = copy('a.data');
  appendFeatureSection(file, 255, Buffer.from('{"first":1}'));
  const once = summary(file);
  assert.deepEqual(once.other, new Map([[255, '{"first":1}']]));
  assert.deepEqual({ ...once, other: undefined }, { ...before, other: undefined });

  appendFeatureSection(file, 200, Buffer.from('middle'));
  appendFeatureSection(file, 255, Buffer.from('second, longer than the first'));
  const twice = summary(file);
  assert.deepEqual(twice.other, new Map([[200, 'middle'], [255, 'second, longer than the first']]));
  assert.deepEqual({ ...twice, other: undefined }, { ...before, other: undefined });
  assert.ok(fs.statSync(file).size < fs.statSync(RECORDING).size + 200, 'the tail is rewritten, not appended again');
});

test('perf itself still reads the file and its own header features', { skip: spawnSync('perf', ['--version']).status !== 0 ? 'perf not installed' : false }, () => {
  const file = copy('b.data');
  appendFeatureSection(file, 255, Buffer.from('x'.repeat(5000)));
  const script = (f: string) => spawnSync('perf', ['script', '-i', f, '-F', 'tid,time,event'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const header = (f: string) => spawnSync('perf', ['report', '-i', f, '--header-only'], { encoding: 'utf8' }).stdout.replace(/^# (captured on|data offset|data size|feat offset).*$/gm, '');
  const original = script(RECORDING);
  assert.equal(original.status, 0);
  const changed = script(file);
  assert.equal(changed.status, 0, changed.stderr);
  assert.equal(changed.stdout, original.stdout);
  assert.ok(changed.stdout.split('\n').length > 1000);
  assert.equal(header(file), header(RECORDING));
});

test('pipe-form data, unfinished recordings and other files are refused with a GiltraceError', () => {
  const notPerf = path.join(tmp, 'text.data');
  fs.writeFileSync(notPerf, 'hello, this is not a perf.data file at all, but long enough for a header read'.repeat(3));
  assert.throws(() => appendFeatureSection(notPerf, 255, Buffer.from('x')), GiltraceError);
  const unfinished = copy('c.data');
  const fd = fs.openSync(unfinished, 'r+');
  fs.writeSync(fd, Buffer.alloc(8), 0, 8, 48); // data size 0: perf was killed before it finished
  fs.closeSync(fd);
  assert.throws(() => appendFeatureSection(unfinished, 255, Buffer.from('x')), /not finished/);
  assert.throws(() => appendFeatureSection(path.join(tmp, 'missing.data'), 255, Buffer.from('x')), GiltraceError);
});
