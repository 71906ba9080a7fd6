import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combineChromeTraces, timeRangesOverlap } from './combine.js';
import { toChromeTrace } from './chrome-trace.js';
import { makeSyntheticInput } from '../../test/support/synthetic-timeline.js';
import { GiltraceError } from '../base/errors.js';
import { thirdPartyText } from '../../test/support/fixture-paths.js';

const load = (name: string) => JSON.parse(thirdPartyText(name));

test('combining python-gil-tracer\'s GIL trace with VizTracer output gives what viztracer --combine gave', () => {
  const combined = combineChromeTraces(load('seed_gil_trace_py311.json'), [load('seed_viztracer_result_py311.json')]) as any;
  const expected = load('seed_combined_py311.json');
  assert.deepEqual(combined.traceEvents, expected.traceEvents);
  assert.deepEqual(combined.viztracer_metadata, expected.viztracer_metadata);
  assert.deepEqual(combined.file_info, expected.file_info);
});

test('a giltrace trace combined with real VizTracer output keeps both, unshifted', () => {
  const ours = toChromeTrace(makeSyntheticInput({ handoffs: 10 }));
  const viz = load('viztracer_result_py311.json');
  const combined = combineChromeTraces(JSON.parse(JSON.stringify(ours)), [viz]) as any;
  assert.equal(combined.traceEvents.length, ours.traceEvents.length + viz.traceEvents.length);
  assert.deepEqual(combined.traceEvents.slice(ours.traceEvents.length), viz.traceEvents);
  assert.deepEqual(combined.traceEvents.slice(0, ours.traceEvents.length), JSON.parse(JSON.stringify(ours.traceEvents)));
  assert.equal(combined.viztracer_metadata.baseTimeNanoseconds, viz.viztracer_metadata.baseTimeNanoseconds);
  assert.ok(Object.keys(combined.file_info.files).length > 0);
  // VizTracer still finds its call stacks on the real tids, untouched by our rows.
  const vizTids = new Set(viz.traceEvents.filter((e: any) => e.ph === 'X').map((e: any) => e.tid));
  const oursX = combined.traceEvents.slice(0, ours.traceEvents.length).filter((e: any) => e.ph === 'X');
  assert.ok(oursX.every((e: any) => !vizTids.has(e.tid)));
});

test('traces of different runs are told apart by their time ranges', () => {
  const viz311 = load('viztracer_result_py311.json');
  assert.equal(timeRangesOverlap(load('seed_gil_trace_py311.json'), load('seed_viztracer_result_py311.json')), true);
  assert.equal(timeRangesOverlap(toChromeTrace(makeSyntheticInput({ handoffs: 3 })), viz311), false);
});

test('something that is not a trace is a GiltraceError', () => {
  assert.throws(() => combineChromeTraces({ events: [] }, []), GiltraceError);
  assert.throws(() => combineChromeTraces(toChromeTrace(makeSyntheticInput({ handoffs: 1 })), [[] as unknown as object]), /trace 2 is not a Chrome trace/);
});
