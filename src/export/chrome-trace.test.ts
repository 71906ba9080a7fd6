import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromeTraceJsonChunks, toChromeTrace } from './chrome-trace.js';
import { exactMicrosDecimal } from './mono-time.js';
import { makeSyntheticInput, stepTrack } from '../../test/support/synthetic-timeline.js';
import { CPU_TRACK_TID_OFFSET, GIL_TRACK_TID_OFFSET, HOLDER_TRACK_TID_OFFSET } from './track-ids.js';
import { GilState } from '../model/timeline.js';
import { gilStepStacks } from '../analysis/index.js';

type Event = { ph: string; cat?: string; name: string; pid: number; tid: number; ts: number; dur: number; id?: number; args: Record<string, any> };

const input = makeSyntheticInput({ handoffs: 60 });
const trace = JSON.parse(JSON.stringify(toChromeTrace(input))) as { traceEvents: Event[]; viztracer_metadata: Record<string, unknown> };
const events = trace.traceEvents;
const process = input.timeline.processes[0];

test('top level is what viztracer --combine expects', () => {
  assert.ok(Array.isArray(trace.traceEvents));
  assert.equal(typeof trace.viztracer_metadata, 'object');
  assert.equal(trace.viztracer_metadata.overflow, false);
  assert.equal('baseTimeNanoseconds' in trace.viztracer_metadata, false);
});

test('M events name the process, the real threads and our GIL/CPU rows', () => {
  const names = new Map(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, e.args.name]));
  for (const thread of process.threads) {
    assert.equal(names.get(thread.tid), thread.name);
    assert.equal(names.get(GIL_TRACK_TID_OFFSET + thread.tid), `GIL · ${thread.name} (${thread.tid})`);
    assert.equal(names.get(CPU_TRACK_TID_OFFSET + thread.tid), `CPU · ${thread.name} (${thread.tid})`);
  }
  assert.equal(names.get(HOLDER_TRACK_TID_OFFSET), 'GIL holder');
  const processName = events.find((e) => e.ph === 'M' && e.name === 'process_name');
  assert.equal(processName?.args.name, `python3 seed_two_threads.py (${process.pid})`);
});

test('GIL and CPU slices sit on their own tids and carry the real pid and tid', () => {
  const gil = events.filter((e) => e.cat === 'gil' && e.ph === 'X');
  const cpu = events.filter((e) => e.cat === 'cpu');
  assert.ok(gil.length > 100 && cpu.length > 100);
  for (const e of [...gil, ...cpu]) {
    assert.equal(e.pid, process.pid);
    assert.ok(process.threads.some((t) => t.tid === e.args.tid));
    assert.equal(e.args.pid, process.pid);
    assert.equal(e.tid, (e.cat === 'gil' ? GIL_TRACK_TID_OFFSET : CPU_TRACK_TID_OFFSET) + e.args.tid);
    assert.ok(['holding', 'waiting', 'running', 'runnable', 'sleeping', 'blocked'].includes(e.name));
    assert.ok(e.dur > 0);
  }
  // No GIL or CPU slice lands on a real tid (where VizTracer nests call stacks).
  const realTids = new Set(process.threads.map((t) => t.tid));
  assert.ok(events.filter((e) => e.ph === 'X').every((e) => !realTids.has(e.tid)));
});

test('holding slices never overlap within one interpreter', () => {
  const holding = events.filter((e) => e.cat === 'gil' && e.name === 'holding').sort((a, b) => a.ts - b.ts);
  assert.ok(holding.length >= 60);
  for (let i = 1; i < holding.length; i++) {
    const previousEnd = holding[i - 1].ts + holding[i - 1].dur;
    assert.ok(holding[i].ts >= previousEnd - 1e-6, `slice at ${holding[i].ts} overlaps the one ending at ${previousEnd}`);
  }
});

test('timestamps are exactly timeBaseNs/1000 + rel/1000 µs', () => {
  const base = input.timeline.timeBaseNs;
  const thread = process.threads[1];
  const { times, states } = thread.gilTrack;
  const slices = events.filter((e) => e.cat === 'gil' && e.ph === 'X' && e.args.tid === thread.tid);
  let k = 0;
  for (let i = 0; i < states.length; i++) {
    if (states[i] === GilState.none) continue;
    const slice = slices[k++];
    assert.equal(slice.ts, Number(exactMicrosDecimal(base + BigInt(times[i]))));
    const end = i + 1 < times.length ? times[i + 1] : thread.end;
    assert.equal(slice.dur, (end - times[i]) / 1000);
  }
  assert.equal(k, slices.length);
});

test('every hand-off between two threads is a flow from one holding slice to the next', () => {
  const starts = events.filter((e) => e.ph === 's');
  const finishes = new Map(events.filter((e) => e.ph === 'f').map((e) => [e.id, e]));
  assert.ok(starts.length >= 60);
  const holdingAt = new Set(events.filter((e) => e.name === 'holding').map((e) => `${e.tid}@${e.ts}`));
  for (const s of starts) {
    const f = finishes.get(s.id)!;
    assert.ok(f, `flow ${s.id} has no end`);
    assert.notEqual(f.tid, s.tid);
    assert.ok(f.ts > s.ts);
    assert.ok(holdingAt.has(`${s.tid}@${s.ts}`) && holdingAt.has(`${f.tid}@${f.ts}`), 'flows bind to holding slices');
  }
});

test('the waiters counter follows the model', () => {
  const counter = events.filter((e) => e.ph === 'C');
  assert.equal(counter.length, process.gils[0].waiters.counts.length);
  assert.deepEqual(counter.map((e) => e.args.waiters), [...process.gils[0].waiters.counts]);
});

test('holding slices say how the GIL was dropped', () => {
  const reasons = events.filter((e) => e.name === 'holding').map((e) => e.args.drop);
  assert.ok(reasons.includes('forced') && reasons.includes('voluntary'));
});

test('the streamed text is the same JSON as the object', () => {
  assert.equal([...chromeTraceJsonChunks(input)].join(''), JSON.stringify(toChromeTrace(input)));
});

test('a thread that never touched the GIL gets a CPU row only, and times beyond 2^53 ns stay exact', () => {
  const base = 2n ** 60n + 7n;
  const lonely = {
    pid: 9, tid: 10, name: 'io', start: 0, end: 3000, gil: undefined,
    gilTrack: stepTrack([[0, GilState.none]]), cpuTrack: stepTrack([[0, 2], [1000, 0]]),
    drops: [], acquisitions: 0, waits: new Float64Array(0), waitStarts: new Float64Array(0), waitStacks: new Int32Array(0),
    holds: { starts: new Float64Array(0), ends: new Float64Array(0), stacks: new Int32Array(0), acquiredIn: new Int32Array(0) },
  };
  const timeline = {
    timeBaseNs: base, start: 0, end: 3000, lostEvents: 2, functions: [], stacks: [],
    processes: [{ pid: 9, start: 0, end: 3000, threads: [lonely], gils: [], anomalies: {} }],
  };
  const t = toChromeTrace({ timeline, stats: { ...input.stats, processes: [] } });
  const slices = t.traceEvents.filter((e) => e.ph === 'X');
  assert.deepEqual(slices.map((e) => e.name), ['sleeping', 'running']);
  assert.equal(slices[1].ts, Number(exactMicrosDecimal(base + 1000n)));
  assert.equal(t.viztracer_metadata.overflow, true);
});

test('GIL slices carry their Python function, charged as the function stats charge it', () => {
  const { stacks, functions } = input.timeline;
  for (const thread of process.threads) {
    const ids = gilStepStacks(thread, stacks);
    const expected = [...thread.gilTrack.states].flatMap((s, i) => {
      const stop = i + 1 < thread.gilTrack.times.length ? thread.gilTrack.times[i + 1] : thread.end;
      return s === GilState.none || !(stop > thread.gilTrack.times[i]) ? [] : [ids[i]];
    });
    const slices = events.filter((e) => e.cat === 'gil' && e.ph === 'X' && e.args.tid === thread.tid);
    assert.equal(slices.length, expected.length);
    slices.forEach((e, k) => {
      if (expected[k] === 0) return assert.equal('function' in e.args, false, 'an unknown stack names no function');
      const stack = stacks[expected[k]];
      const fn = functions[stack.leaf];
      assert.equal(e.args.function, fn.name, `${thread.name} slice ${k}`);
      assert.equal(e.args.stack, [fn.name, ...stack.callers].join(' <- '));
      assert.equal(e.args.file, fn.file || undefined);
      assert.equal(e.args.line, fn.line || undefined);
    });
  }
  const worker = events.filter((e) => e.cat === 'gil' && e.ph === 'X' && e.args.tid === process.threads[1].tid);
  const holding = worker.filter((e) => e.name === 'holding');
  assert.deepEqual(
    { function: holding[0].args.function, file: holding[0].args.file, line: holding[0].args.line, stack: holding[0].args.stack },
    { function: 'some_computation', file: '/srv/app.py', line: 7, stack: 'some_computation <- Thread.run <- Thread._bootstrap_inner <- Thread._bootstrap' },
  );
  const blocking = events.filter((e) => e.name === 'holding' && e.args.function === 'write_log');
  assert.ok(blocking.length > 0 && blocking.every((e) => e.args.drop === 'voluntary'), 'the holds that block on I/O end in write_log');
  // Its first wait comes before any drop, where stacks are read: no function is known, none is named.
  assert.equal(worker[0].name, 'waiting');
  assert.deepEqual(worker[0].args, { pid: process.pid, tid: process.threads[1].tid });
  // Its last hold ends as the thread finishes (no Python frame): charged where it asked for the GIL.
  assert.equal(holding.at(-1)!.args.function, 'some_computation');
  assert.ok(events.filter((e) => e.cat === 'cpu').every((e) => !('function' in e.args)), 'CPU slices name no function');
});

test('without function context the slices carry no function', () => {
  const plain = toChromeTrace(makeSyntheticInput({ handoffs: 10, functionContext: false }));
  const gil = plain.traceEvents.filter((e) => e.cat === 'gil' && e.ph === 'X');
  assert.ok(gil.length > 10);
  assert.ok(gil.every((e) => !('function' in (e.args as object)) && !('stack' in (e.args as object))));
});
