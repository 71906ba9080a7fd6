/**
 * The exports of a real recording, as a user meets them: the Chrome trace lines up with what the
 * traced program itself printed from time.monotonic() (same clock, no shift), names every process
 * and thread, never overlaps holding slices; the HTML and Perfetto files are written.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { PERFETTO_SCHEMA } from '../support/fixture-paths.js';
import { giltrace, pyenvPython, scratchDir } from './giltrace-cli.js';

const dir = scratchDir();
after(() => rmSync(dir, { recursive: true, force: true }));
const python = pyenvPython('3.12') ?? pyenvPython('3.11');

const PROGRAM = `
import threading, time
def spin():
    t = 0
    for i in range(300_000):
        t += i
time.sleep(0.05)
print("before", time.monotonic_ns(), flush=True)
worker = threading.Thread(target=spin, name="late-worker")
worker.start()
worker.join()
print("after", time.monotonic_ns(), flush=True)
`;

interface ChromeEvent {
  ph: string;
  name: string;
  cat?: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: Record<string, unknown>;
}

test('Chrome trace of a real run: same clock as time.monotonic(), names, no overlapping holders', { skip: !python && 'no pyenv Python' }, () => {
  const data = join(dir, 'clock.data');
  const recorded = giltrace(['record', '-o', data, '--', python!, '-c', PROGRAM]);
  assert.equal(recorded.code, 0, recorded.stderr);
  const before = Number(/before (\d+)/.exec(recorded.stdout)![1]) / 1000; // µs
  const afterPrint = Number(/after (\d+)/.exec(recorded.stdout)![1]) / 1000;

  const json = join(dir, 'trace.json');
  assert.equal(giltrace(['report', data, '-o', json]).code, 0);
  const trace = JSON.parse(readFileSync(json, 'utf8')) as { traceEvents: ChromeEvent[]; viztracer_metadata: object };
  assert.equal(typeof trace.viztracer_metadata, 'object');

  const names = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args?.name);
  assert.ok(names.includes('late-worker'), `thread names: ${names.join(', ')}`);
  assert.ok(trace.traceEvents.some((e) => e.ph === 'M' && e.name === 'process_name'));

  // The worker exists only between the two prints: its GIL slices must fall between them.
  const workerSlices = trace.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'gil' && e.args?.tid !== e.args?.pid && e.args?.tid !== undefined);
  assert.ok(workerSlices.length > 0, 'the worker has GIL slices');
  const first = Math.min(...workerSlices.map((e) => e.ts));
  const last = Math.max(...workerSlices.map((e) => e.ts + (e.dur ?? 0)));
  assert.ok(first >= before && first - before < 20_000, `first worker slice at ${first} µs, printed ${before} µs just before starting it`);
  assert.ok(last <= afterPrint, `last worker slice ends at ${last} µs, before the program printed ${afterPrint} µs`);

  const holding = trace.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'gil' && e.name === 'holding').sort((a, b) => a.ts - b.ts);
  for (let i = 1; i < holding.length; i++) {
    assert.ok(holding[i - 1].ts + holding[i - 1].dur! <= holding[i].ts + 1e-3, `holding slices overlap at ${holding[i].ts} µs`);
  }

  for (const output of ['report.html', 'trace.pftrace']) {
    assert.equal(giltrace(['report', data, '-o', join(dir, output)]).code, 0);
    assert.ok(statSync(join(dir, output)).size > 1000);
  }
  assert.ok(statSync(join(dir, 'trace.pftrace')).size < statSync(json).size / 2, 'Perfetto is more compact than JSON');

  // the recording knew BOOTTIME's offset: the trace's clock snapshot places it on a system trace's clock
  const root = protobuf.loadSync(PERFETTO_SCHEMA);
  const Trace = root.lookupType('perfetto.protos.Trace');
  const BuiltinClock = root.lookupEnum('perfetto.protos.BuiltinClock').values;
  const packets = (Trace.toObject(Trace.decode(readFileSync(join(dir, 'trace.pftrace'))), { longs: String }) as { packet: any[] }).packet;
  const clocks = packets[0].clockSnapshot?.clocks ?? [];
  assert.deepEqual(clocks.map((c: { clockId: number }) => c.clockId).sort(), [BuiltinClock.BUILTIN_CLOCK_MONOTONIC, BuiltinClock.BUILTIN_CLOCK_BOOTTIME].sort());
  const offset = BigInt(clocks.find((c: any) => c.clockId === BuiltinClock.BUILTIN_CLOCK_BOOTTIME).timestamp) - BigInt(clocks.find((c: any) => c.clockId === BuiltinClock.BUILTIN_CLOCK_MONOTONIC).timestamp);
  const timerList = /clock 2:[\s\S]*?\.offset:\s+(\d+) nsecs/.exec(readFileSync('/proc/timer_list', 'latin1'));
  assert.equal(offset, BigInt(timerList![1]), 'BOOTTIME − MONOTONIC as the kernel says');
});
