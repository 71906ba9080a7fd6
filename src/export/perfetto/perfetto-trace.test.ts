import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { toPerfettoTrace } from './perfetto-trace.js';
import { toChromeTrace } from '../chrome-trace.js';
import { makeSyntheticInput } from '../../../test/support/synthetic-timeline.js';
import { PERFETTO_SCHEMA } from '../../../test/support/fixture-paths.js';

// The oracle: protobufjs with a schema written from the official protos apart from the encoder's
// constants (test/fixtures/perfetto/README.md says where each message comes from). Enums decode
// to their official names, so a wrong clock id or flag value shows as a wrong name.
const root = protobuf.loadSync(PERFETTO_SCHEMA);
const Trace = root.lookupType('perfetto.protos.Trace');
const SequenceFlags = root.lookupEnum('perfetto.protos.TracePacket.SequenceFlags').values;
const BuiltinClock = root.lookupEnum('perfetto.protos.BuiltinClock').values;

function decode(bytes: Uint8Array): any[] {
  return (Trace.toObject(Trace.decode(bytes), { longs: String, enums: String, defaults: false }) as { packet: any[] }).packet;
}

const input = makeSyntheticInput({ handoffs: 200 });
const bytes = toPerfettoTrace(input);
const packets = decode(bytes);
const process = input.timeline.processes[0];

const interned = packets.find((p) => p.internedData)!.internedData;
const sequence = packets.find((p) => p.internedData)!.trustedPacketSequenceId;
const nameOf = new Map<string, string>(interned.eventNames.map((n: any) => [String(n.iid), n.name]));
const categoryOf = new Map<string, string>(interned.eventCategories.map((n: any) => [String(n.iid), n.name]));
const tracks = packets.filter((p) => p.trackDescriptor).map((p) => p.trackDescriptor);
const events = packets.filter((p) => p.trackEvent);

test('the trace opens with a ClockSnapshot: CLOCK_MONOTONIC at the time base, the primary trace clock', () => {
  const [first] = packets;
  assert.ok(first.clockSnapshot, 'the first packet is the clock snapshot, before any timestamp');
  assert.deepEqual(first.clockSnapshot.clocks, [{ clockId: BuiltinClock.BUILTIN_CLOCK_MONOTONIC, timestamp: String(input.timeline.timeBaseNs) }]);
  assert.equal(first.clockSnapshot.primaryTraceClock, 'BUILTIN_CLOCK_MONOTONIC');
  assert.equal(packets.filter((p) => p.clockSnapshot).length, 1);
});

test('every timestamp is on CLOCK_MONOTONIC: the defaults of the one sequence, set with its incremental state', () => {
  const opening = packets.findIndex((p) => p.internedData);
  const open = packets[opening];
  assert.equal(open.sequenceFlags, SequenceFlags.SEQ_INCREMENTAL_STATE_CLEARED | SequenceFlags.SEQ_NEEDS_INCREMENTAL_STATE);
  // traced writes its own packets on sequence 1: a trace concatenated with a system trace must not share it.
  assert.ok(open.trustedPacketSequenceId > 1, `sequence ${open.trustedPacketSequenceId}`);
  assert.deepEqual(open.tracePacketDefaults, { timestampClockId: BuiltinClock.BUILTIN_CLOCK_MONOTONIC });
  const timed = packets.filter((p) => p.timestamp !== undefined);
  assert.ok(timed.length > 1000);
  assert.ok(packets.indexOf(timed[0]) > opening, 'no timestamp before the defaults');
  for (const p of timed) {
    assert.equal(p.trustedPacketSequenceId, open.trustedPacketSequenceId);
    assert.equal(p.timestampClockId, undefined, 'no packet overrides the default clock');
    assert.equal(p.sequenceFlags, SequenceFlags.SEQ_NEEDS_INCREMENTAL_STATE);
  }
  assert.equal(packets.filter((p) => p.tracePacketDefaults || p.sequenceFlags & SequenceFlags.SEQ_INCREMENTAL_STATE_CLEARED).length, 1);
});

test('with BOOTTIME known, the snapshot pairs both clocks and leaves BOOTTIME the trace clock', () => {
  const suspended = 86_400_000_000_123n;
  const [first, ...rest] = decode(toPerfettoTrace(input, { boottimeMinusMonotonicNs: suspended }));
  const base = input.timeline.timeBaseNs;
  assert.deepEqual(first.clockSnapshot.clocks, [
    { clockId: BuiltinClock.BUILTIN_CLOCK_MONOTONIC, timestamp: String(base) },
    { clockId: BuiltinClock.BUILTIN_CLOCK_BOOTTIME, timestamp: String(base + suspended) },
  ]);
  assert.equal(first.clockSnapshot.primaryTraceClock, undefined);
  // The events themselves stay on CLOCK_MONOTONIC; trace_processor converts them through the snapshot.
  assert.deepEqual(rest, packets.slice(1));
});

test('decodes with the official field numbers: process, thread, CPU, holder and waiter tracks', () => {
  const proc = tracks.find((t) => t.process);
  assert.equal(proc.process.pid, process.pid);
  assert.equal(proc.process.processName, 'python3 seed_two_threads.py');
  for (const thread of process.threads) {
    const track = tracks.find((t) => t.thread?.tid === String(thread.tid));
    assert.ok(track, `thread ${thread.tid} has a track`);
    assert.equal(track.thread.threadName, thread.name);
    assert.equal(track.thread.pid, process.pid);
    assert.ok(tracks.some((t) => t.parentUuid === track.uuid && t.name === `${thread.name} CPU`));
  }
  assert.ok(tracks.some((t) => t.name === 'GIL holder' && t.parentUuid === proc.uuid));
  assert.ok(tracks.some((t) => t.name === 'GIL waiters' && t.counter !== undefined));
  assert.equal(new Set(tracks.map((t) => t.uuid)).size, tracks.length);
});

test('slices begin and end in pairs per track, with interned names and categories', () => {
  const open = new Map<string, any>();
  let slices = 0;
  for (const p of events) {
    const e = p.trackEvent;
    assert.equal(p.trustedPacketSequenceId, sequence);
    if (e.type === 'TYPE_SLICE_BEGIN') {
      assert.ok(!open.has(e.trackUuid), 'slices on one track do not nest');
      assert.ok(nameOf.has(String(e.nameIid)) && categoryOf.has(String(e.categoryIids[0])));
      open.set(e.trackUuid, p);
    } else if (e.type === 'TYPE_SLICE_END') {
      const begin = open.get(e.trackUuid);
      assert.ok(begin, 'an end has a begin');
      assert.ok(BigInt(p.timestamp) > BigInt(begin.timestamp));
      open.delete(e.trackUuid);
      slices++;
    }
  }
  assert.equal(open.size, 0);
  assert.ok(slices > 800);
});

test('GIL slices match the model exactly, in absolute CLOCK_MONOTONIC ns', () => {
  const base = input.timeline.timeBaseNs;
  const thread = process.threads[1];
  const uuid = tracks.find((t) => t.thread?.tid === String(thread.tid)).uuid;
  const begins = events.filter((p) => p.trackEvent.trackUuid === uuid && p.trackEvent.type === 'TYPE_SLICE_BEGIN');
  const { times, states } = thread.gilTrack;
  const expected = [...states].flatMap((s, i) => (s === 0 ? [] : [{ t: base + BigInt(times[i]), name: s === 2 ? 'holding' : 'waiting' }]));
  assert.deepEqual(
    begins.map((p) => ({ t: BigInt(p.timestamp), name: nameOf.get(String(p.trackEvent.nameIid)) })),
    expected,
  );
  const reasons = begins.flatMap((p) => p.trackEvent.debugAnnotations ?? []).map((a: any) => a.stringValue);
  assert.ok(reasons.includes('forced') && reasons.includes('voluntary'));
});

test('hand-off flows leave one holding slice and end in another thread\'s', () => {
  const out = events.flatMap((p) => (p.trackEvent.flowIds ?? []).map((id: string) => ({ id, p })));
  const into = new Map<string, any>(events.flatMap((p) => (p.trackEvent.terminatingFlowIds ?? []).map((id: string) => [id, p] as [string, any])));
  assert.ok(out.length >= 200);
  for (const { id, p } of out) {
    const end = into.get(id);
    assert.ok(end, `flow ${id} ends`);
    assert.notEqual(end.trackEvent.trackUuid, p.trackEvent.trackUuid);
    assert.equal(nameOf.get(String(end.trackEvent.nameIid)), 'holding');
  }
});

test('the waiters counter carries the model values', () => {
  const counter = events.filter((p) => p.trackEvent.type === 'TYPE_COUNTER').map((p) => Number(p.trackEvent.counterValue ?? 0));
  assert.deepEqual(counter, [...process.gils[0].waiters.counts]);
});

test('several times smaller than the Chrome JSON', () => {
  const json = JSON.stringify(toChromeTrace(input)).length;
  assert.ok(json / bytes.length >= 3, `JSON ${json} B vs protobuf ${bytes.length} B`);
});

test('GIL slices carry their Python function as debug annotations, strings interned once', () => {
  const annotationName = new Map<string, string>(interned.debugAnnotationNames.map((n: any) => [String(n.iid), n.name]));
  const values: any[] = interned.debugAnnotationStringValues;
  const valueOf = new Map<string, string>(values.map((v) => [String(v.iid), Buffer.from(v.str).toString('utf8')]));
  assert.equal(new Set(valueOf.values()).size, values.length, 'each string once');
  const chrome = toChromeTrace(input).traceEvents;
  let dropLines = 0;
  for (const thread of process.threads) {
    const uuid = tracks.find((t) => t.thread?.tid === String(thread.tid)).uuid;
    const begins = events.filter((p) => p.trackEvent.trackUuid === uuid && p.trackEvent.type === 'TYPE_SLICE_BEGIN');
    const args = begins.map((p) => {
      const out: Record<string, unknown> = {};
      for (const a of p.trackEvent.debugAnnotations ?? []) {
        const name = annotationName.get(String(a.nameIid))!;
        out[name] = a.stringValueIid !== undefined ? valueOf.get(String(a.stringValueIid)) : a.intValue !== undefined ? Number(a.intValue) : a.stringValue;
      }
      return out;
    });
    // The same function, file, line, stack and drop reason as the Chrome trace's slices.
    const expected = chrome
      .filter((e) => e.cat === 'gil' && e.ph === 'X' && (e.args as any).tid === thread.tid)
      .map((e) => {
        const { pid: _p, tid: _t, ...rest } = e.args as Record<string, unknown>;
        return rest;
      });
    assert.deepEqual(args, expected);
    const own = thread.tid === process.pid ? 'Thread._wait_for_tstate_lock' : 'some_computation';
    assert.ok(args.some((a) => a.function === own && typeof a.file === 'string' && (a.line as number) > 0), `${thread.name} runs ${own}`);
    dropLines += args.filter((a) => a.function === 'write_log' && a.drop_line === 23).length;
  }
  // write_log's drops were read at an instruction of line 23 (synthetic-timeline.ts)
  assert.ok(dropLines > 0, 'slices of write_log carry the line of its drops');
});

test('without function context there are no function annotations', () => {
  const plain = decode(toPerfettoTrace(makeSyntheticInput({ handoffs: 10, functionContext: false })));
  const data = plain.find((p) => p.internedData).internedData;
  assert.equal(data.debugAnnotationStringValues, undefined);
  const annotations = plain.flatMap((p) => p.trackEvent?.debugAnnotations ?? []);
  assert.ok(annotations.length > 0 && annotations.every((a: any) => String(a.nameIid) === '1'), 'only the drop reason');
});
