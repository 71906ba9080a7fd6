/**
 * `stats` and `report` of a part of a recording (`--from` / `--to`), on a golden recording of the
 * two-thread example: the parts add up to the whole, the report and the exports cover the part,
 * bad ranges get a one-line error.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { StatsJson } from '../../src/contract/stats.js';
import type { ReportData } from '../../src/contract/report-data.js';
import { CASES, recordingPath } from '../fixtures/fixtures.js';
import { giltrace, scratchDir } from './giltrace-cli.js';

const dir = scratchDir();
after(() => rmSync(dir, { recursive: true, force: true }));
const recording = recordingPath(CASES.find((c) => c.python === '3.12' && c.script.includes('two_threads'))!);

function stats(...args: string[]): StatsJson {
  const result = giltrace(['stats', '--json', ...args, recording]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as StatsJson;
}

test('stats of the parts of a recording add up to its stats, thread by thread', () => {
  const whole = stats();
  const first = stats('--to', '0.25');
  const second = stats('--from', '250ms');
  assert.deepEqual(first.recording.range, { from_ns: 0, to_ns: 250e6 });
  assert.deepEqual(second.recording.range, { from_ns: 250e6 });
  assert.ok(first.processes[0].duration_ns <= 250e6);
  for (const thread of whole.processes[0].threads) {
    const parts = [first, second].map((s) => s.processes[0].threads.find((t) => t.tid === thread.tid));
    for (const key of ['lifetime_ns', 'held_ns', 'wait_ns', 'no_gil_ns', 'running_ns', 'sleeping_ns'] as const) {
      assert.equal(parts.reduce((sum, t) => sum + (t?.[key] ?? 0), 0), thread[key], `${thread.name}: ${key}`);
    }
  }
});

test('a report of a part covers that part, exactly, and says which part it is', () => {
  const output = join(dir, 'part.html');
  const result = giltrace(['report', '--from', '0.1', '--to', '0.3', '-o', output, recording]);
  assert.equal(result.code, 0, result.stderr);
  const html = readFileSync(output, 'utf8');
  const data = JSON.parse(html.match(/<script type="application\/json" id="giltrace-data">(.*?)<\/script>/s)![1].replace(/\\u003c/g, '<')) as ReportData;
  assert.equal(data.end - data.start, 200e6);
  assert.equal(data.start - data.recordingStart!, 100e6, 'the page counts its times from the recording\'s start');
  assert.equal(data.resolutionNs, undefined);
  assert.match(data.title, /0\.1 s to 0\.3 s of the recording$/);
  assert.deepEqual(data.stats.recording.range, { from_ns: 100e6, to_ns: 300e6 });
});

test('an export of a part (Chrome JSON, Perfetto) covers that part, as the whole export has it there, on the same clock', () => {
  type Slice = { ph: string; cat?: string; name: string; ts: number; dur?: number; tid: number; args?: { tid?: number } };
  const exported = (...args: string[]) => {
    const output = join(dir, `export-${args.join('')}.json`);
    const result = giltrace(['report', ...args, '-o', output, recording]);
    assert.equal(result.code, 0, result.stderr);
    return (JSON.parse(readFileSync(output, 'utf8')) as { traceEvents: Slice[] }).traceEvents.filter((e) => e.ph === 'X');
  };
  const part = exported('--from', '0.1', '--to', '0.3');
  const whole = exported();
  const from = Math.min(...part.map((e) => e.ts));
  const to = Math.max(...part.map((e) => e.ts + e.dur!));
  assert.ok(Math.abs(to - from - 200_000) <= 1, `the part spans 200 ms: ${from} to ${to}`);
  const range = stats('--from', '0.1', '--to', '0.3');
  for (const thread of range.processes[0].threads) {
    const held = (slices: Slice[], clip: boolean) => slices
      .filter((e) => e.cat === 'gil' && e.name === 'holding' && e.args?.tid === thread.tid)
      .reduce((sum, e) => sum + Math.max(0, (clip ? Math.min(e.ts + e.dur!, to) - Math.max(e.ts, from) : e.dur!)), 0);
    const slices = part.filter((e) => e.cat === 'gil' && e.args?.tid === thread.tid).length;
    // µs rounding: one per slice at most
    assert.ok(Math.abs(held(part, false) - thread.held_ns / 1000) <= slices + 1, `${thread.name}: ${held(part, false)} µs held in the part's export, ${thread.held_ns / 1000} in its stats`);
    assert.ok(Math.abs(held(part, false) - held(whole, true)) <= slices + 1, `${thread.name}: the part's export holds as the whole export between the same times`);
  }
  const pftrace = join(dir, 'part.pftrace');
  const result = giltrace(['report', '--from', '0.1', '--to', '0.3', '-o', pftrace, recording]);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(statSync(pftrace).size > 0);
});

test('a range that is not one gets a one-line error and exit code 2', () => {
  const cases: [string[], RegExp][] = [
    [['stats', '--from', '50', recording], /nothing was recorded from 50 s on: the recording lasts 0\.\d+ s/],
    [['stats', '--from', '0.3', '--to', '0.2', recording], /--to \(0\.2\) must come after --from \(0\.3\)/],
    [['stats', '--from', 'soon', recording], /--from soon: not a time/],
    [['report', '--from', '50', '-o', join(dir, 'x.pftrace'), recording], /nothing was recorded from 50 s on/],
  ];
  for (const [args, message] of cases) {
    const result = giltrace(args);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, message);
  }
});
