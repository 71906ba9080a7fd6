/**
 * Property tests: for any timeline the model can produce (random threads taking turns on one
 * GIL, waiting before each take, random CPU states and drop reasons), every exporter keeps
 * the model's intervals exactly and its own invariants.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toChromeTrace } from './chrome-trace.js';
import { toHtmlReport } from './html-report.js';
import { toPerfettoTrace } from './perfetto/perfetto-trace.js';
import { toReportData } from './report-data.js';
import { exactMicrosDecimal } from './mono-time.js';
import { StepTrackBuilder, deriveGil, holdsOf } from '../../test/support/synthetic-timeline.js';
import { GilState, type Drop, type ThreadTimeline, type Timeline } from '../model/timeline.js';
import { STATS_SCHEMA, type StatsJson } from '../contract/stats.js';
import type { EncodedTimes } from '../contract/report-data.js';

const turn = fc.record({ holder: fc.nat(3), hold: fc.integer({ min: 1, max: 5_000_000 }), gap: fc.integer({ min: 0, max: 80_000 }), waitFrom: fc.double({ min: 0, max: 1, noNaN: true }) });
const arbitraryTimeline = fc
  .record({
    threads: fc.integer({ min: 1, max: 4 }),
    turns: fc.array(turn, { minLength: 1, maxLength: 40 }),
    cpu: fc.array(fc.tuple(fc.integer({ min: 1, max: 3_000_000 }), fc.nat(3)), { maxLength: 60 }),
    forced: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
    base: fc.bigInt({ min: 0n, max: 2n ** 62n }),
  })
  .map(({ threads, turns, cpu, forced, base }) => buildTimeline(threads, turns, cpu, forced, base));

function buildTimeline(
  count: number,
  turns: { holder: number; hold: number; gap: number; waitFrom: number }[],
  cpu: [number, number][],
  forced: boolean[],
  base: bigint,
): Timeline {
  const pid = 100;
  const gil = new Array(count).fill(0).map(() => new StepTrackBuilder());
  const drops: Drop[][] = gil.map(() => []);
  const lastFree = new Array(count).fill(0);
  gil.forEach((b) => b.push(0, GilState.none));
  let now = 0;
  turns.forEach((t, i) => {
    const who = t.holder % count;
    const takeAt = now + t.gap;
    // The taker waited over the last part of the time it did not hold the GIL.
    const waitAt = Math.round(lastFree[who] + (takeAt - lastFree[who]) * t.waitFrom);
    if (waitAt < takeAt) gil[who].push(waitAt, GilState.waiting);
    gil[who].push(takeAt, GilState.holding);
    now = takeAt + t.hold;
    gil[who].push(now, GilState.none);
    drops[who].push({ time: now, tid: pid + who, forced: forced[i % forced.length], known: i % 3 !== 0, stack: 0 });
    lastFree[who] = now;
  });
  const end = now + 1000;
  const threads: ThreadTimeline[] = gil.map((b, k) => {
    const cpuTrack = new StepTrackBuilder();
    let t = 0;
    cpuTrack.push(0, (k + 2) % 4);
    for (const [step, state] of cpu) if ((t += step) < end) cpuTrack.push(t, (state + k) % 4);
    const gilTrack = b.build();
    const waits: number[] = [];
    for (let i = 0; i < gilTrack.states.length; i++) {
      if (gilTrack.states[i] === GilState.waiting) waits.push((gilTrack.times[i + 1] ?? end) - gilTrack.times[i]);
    }
    const acquisitions = [...gilTrack.states].filter((s) => s === GilState.holding).length;
    return {
      pid, tid: pid + k, name: `T${k}`, start: 0, end, gil: 'g', gilTrack, cpuTrack: cpuTrack.build(), drops: drops[k], acquisitions,
      waits: Float64Array.from(waits), waitStarts: new Float64Array(waits.length), waitStacks: new Int32Array(waits.length), holds: holdsOf(gilTrack, end, drops[k]),
    };
  });
  return {
    timeBaseNs: base, start: 0, end, lostEvents: 0, functions: [], stacks: [],
    processes: [{ pid, start: 0, end, threads, gils: [deriveGil('g', pid, threads)], anomalies: {} }],
  };
}

const stats: StatsJson = { schema: STATS_SCHEMA, recording: { duration_ns: 0, events: 0, lost_events: 0, warnings: [] }, processes: [] };

/** Model intervals that are not 'none', in the exporters' order: [tid, state, start, end]. */
function gilIntervals(timeline: Timeline): [number, number, number, number][] {
  return timeline.processes[0].threads.flatMap((t) =>
    [...t.gilTrack.states].flatMap((s, i): [number, number, number, number][] => {
      const stop = i + 1 < t.gilTrack.times.length ? t.gilTrack.times[i + 1] : t.end;
      return s === GilState.none || !(stop > t.gilTrack.times[i]) ? [] : [[t.tid, s, t.gilTrack.times[i], stop]];
    }),
  );
}

test('Chrome JSON: exact µs, one slice per model interval, holding never overlaps', () => {
  fc.assert(
    fc.property(arbitraryTimeline, (timeline) => {
      const trace = JSON.parse(JSON.stringify(toChromeTrace({ timeline, stats }))) as { traceEvents: any[] };
      const slices = trace.traceEvents.filter((e) => e.cat === 'gil' && e.ph === 'X');
      const expected = gilIntervals(timeline);
      assert.equal(slices.length, expected.length);
      slices.forEach((e, i) => {
        const [tid, state, start, stop] = expected[i];
        assert.equal(e.args.tid, tid);
        assert.equal(e.name, state === GilState.holding ? 'holding' : 'waiting');
        assert.equal(e.ts, Number(exactMicrosDecimal(timeline.timeBaseNs + BigInt(start))));
        assert.equal(e.dur, (stop - start) / 1000);
      });
      const holding = slices.filter((e) => e.name === 'holding').map((e) => e.args).length;
      const spans = expected.filter((x) => x[1] === GilState.holding).sort((a, b) => a[2] - b[2]);
      assert.equal(holding, spans.length);
      for (let i = 1; i < spans.length; i++) assert.ok(spans[i][2] >= spans[i - 1][3]);
    }),
    { numRuns: 60 },
  );
});

test('Perfetto: balanced begin/end per track, timestamps exact in ns', () => {
  fc.assert(
    fc.property(arbitraryTimeline, (timeline) => {
      const bytes = toPerfettoTrace({ timeline, stats });
      const begins = readBeginTimestamps(bytes);
      const expected = gilIntervals(timeline).map(([, , start]) => timeline.timeBaseNs + BigInt(start));
      // GIL begins come first per thread in our output; every one of them must be present.
      for (const t of expected) assert.ok(begins.has(t), `a slice begins at ${t}`);
    }),
    { numRuns: 40 },
  );
});

test('HTML report data: every column decodes back to the model (independent decoder)', () => {
  fc.assert(
    fc.property(arbitraryTimeline, (timeline) => {
      assert.ok(toHtmlReport({ timeline, stats }).length > 0);
      const { data, blob } = toReportData({ timeline, stats });
      data.processes[0].threads.forEach((t, k) => {
        const model = timeline.processes[0].threads[k];
        assert.deepEqual(decodeTimes(blob, t.gilTrack.times), [...model.gilTrack.times]);
        assert.deepEqual(decodeTimes(blob, t.cpuTrack.times), [...model.cpuTrack.times]);
        assert.deepEqual(decodeTimes(blob, t.drops.times), model.drops.map((d) => d.time));
      });
      const g = data.processes[0].gils[0];
      assert.deepEqual(decodeTimes(blob, g.holders.times), [...timeline.processes[0].gils[0].holders.times]);
    }),
    { numRuns: 60 },
  );
});

function decodeTimes(blob: Uint8Array, column: EncodedTimes): number[] {
  const bytes = blob.subarray(column.data.offset, column.data.offset + column.data.byteLength);
  if (column.enc === 'f64') return [...new Float64Array(bytes.slice().buffer)];
  const out: number[] = [];
  if (column.length === 0) return out;
  out.push(column.first);
  let value = 0;
  let shift = 1;
  for (const byte of bytes) {
    value += (byte & 127) * shift;
    shift *= 128;
    if (byte < 128) {
      out.push(out[out.length - 1] + value);
      value = 0;
      shift = 1;
    }
  }
  return out;
}

/** Timestamps of every TYPE_SLICE_BEGIN packet, by a minimal independent protobuf walk. */
function readBeginTimestamps(bytes: Uint8Array): Set<bigint> {
  const found = new Set<bigint>();
  const varint = (buf: Uint8Array, at: { i: number }) => {
    let v = 0n;
    let s = 0n;
    for (;;) {
      const b = buf[at.i++];
      v |= BigInt(b & 127) << s;
      s += 7n;
      if (b < 128) return v;
    }
  };
  const fields = (buf: Uint8Array) => {
    const out: { field: number; value: bigint | Uint8Array }[] = [];
    const at = { i: 0 };
    while (at.i < buf.length) {
      const key = Number(varint(buf, at));
      const wire = key & 7;
      if (wire === 0) out.push({ field: key >> 3, value: varint(buf, at) });
      else if (wire === 2) {
        const n = Number(varint(buf, at));
        out.push({ field: key >> 3, value: buf.subarray(at.i, at.i + n) });
        at.i += n;
      } else if (wire === 1) at.i += 8;
      else throw new Error(`wire type ${wire}`);
    }
    return out;
  };
  for (const packet of fields(bytes)) {
    const inner = fields(packet.value as Uint8Array);
    const ts = inner.find((f) => f.field === 8)?.value as bigint | undefined;
    const event = inner.find((f) => f.field === 11)?.value as Uint8Array | undefined;
    if (ts === undefined || !event) continue;
    if (fields(event).some((f) => f.field === 9 && f.value === 1n)) found.add(ts);
  }
  return found;
}
