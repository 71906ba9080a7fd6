/**
 * The exporters on a real recording (perf uprobes on take_gil/drop_gil + sched events, Python
 * 3.12, seed_two_threads.py; test/fixtures/third-party/), read by the real pipeline.
 * Cross-checked against `perf script` of the same file: the first take_gil of worker 7680.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { computeStats, computeVerdict } from '../analysis/index.js';
import { toVerdictText } from '../cli/verdict-text.js';
import { buildTimeline } from '../model/build-timeline.js';
import { newAdapterFacts, toTimelineEvents } from '../model/perf-to-timeline-events.js';
import { openPerfData } from '../perfdata/index.js';
import { toChromeTrace } from './chrome-trace.js';
import { toHtmlReport } from './html-report.js';
import { toPerfettoTrace } from './perfetto/perfetto-trace.js';
import { GilState } from '../model/timeline.js';
import { PERFETTO_SCHEMA, thirdParty, thirdPartyText } from '../../test/support/fixture-paths.js';

const data = openPerfData(thirdParty('uprobe_sched_py312.perf.data'));
const timeline = buildTimeline(toTimelineEvents(data.records(), {}, newAdapterFacts()), { timeBaseNs: data.timeBaseNs });
const stats = computeStats(timeline, { events: 0, warnings: [], processes: new Map() });
const input = { timeline, stats, verdict: toVerdictText(computeVerdict(stats, timeline)) };

/** perf script's time of the first `take_gil__return` of tid 7680, in ns (from its text dump). */
function firstTakeReturnNs(tid: number): bigint {
  const text = thirdPartyText('uprobe_sched_py312.perf-script.txt.gz');
  const line = text.split('\n').find((l) => l.includes(`/${tid} `) && l.includes('take_gil__return'))!;
  const [s, frac] = /(\d+)\.(\d{9}):/.exec(line)!.slice(1);
  return BigInt(s) * 1_000_000_000n + BigInt(frac);
}

test('Chrome JSON of a real recording: the first holding slice of a worker starts where perf says', () => {
  const trace = JSON.parse(JSON.stringify(toChromeTrace(input))) as { traceEvents: any[] };
  const first = trace.traceEvents.find((e) => e.name === 'holding' && e.args?.tid === 7680);
  const expected = firstTakeReturnNs(7680);
  assert.equal(first.ts, Number(`${expected / 1000n}.${String(expected % 1000n).padStart(3, '0')}`));
  const holding = trace.traceEvents.filter((e) => e.cat === 'gil' && e.name === 'holding').sort((a, b) => a.ts - b.ts);
  for (let i = 1; i < holding.length; i++) assert.ok(holding[i].ts >= holding[i - 1].ts + holding[i - 1].dur - 1e-6);
  const names = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.tid);
  for (const t of timeline.processes.flatMap((p) => p.threads)) assert.ok(names.includes(t.tid));
});

test('Perfetto trace of a real recording decodes and names every thread', () => {
  const Trace = protobuf.loadSync(PERFETTO_SCHEMA).lookupType('perfetto.protos.Trace');
  const decoded = Trace.toObject(Trace.decode(toPerfettoTrace(input)), { longs: String }) as { packet: any[] };
  const threads = decoded.packet.filter((p) => p.trackDescriptor?.thread).map((p) => Number(p.trackDescriptor.thread.tid));
  assert.deepEqual(threads.sort(), timeline.processes.flatMap((p) => p.threads.map((t) => t.tid)).sort());
  const worker = timeline.processes[0].threads.find((t) => t.tid === 7680)!;
  const take = worker.gilTrack.times[[...worker.gilTrack.states].indexOf(GilState.holding)];
  assert.equal(timeline.timeBaseNs + BigInt(take), firstTakeReturnNs(7680));
});

test('HTML report of a real recording is self-contained and small', () => {
  const html = toHtmlReport(input);
  assert.doesNotMatch(html, /<script[^>]*\bsrc=/i);
  assert.ok(html.length < 200_000, `${html.length} bytes`);
});
