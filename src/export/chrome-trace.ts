/**
 * Timeline → Chrome trace JSON (the layout below is its contract): loads in Perfetto UI and
 * chrome://tracing, and `viztracer --combine` accepts it. Times are absolute CLOCK_MONOTONIC µs
 * (see mono-time.ts), so VizTracer output of the same run lines up without shifting.
 *
 * Layout, per process (real pid):
 *   - real tids: only `thread_name` M events (VizTracer's call stacks go there when combined);
 *   - `GIL holder` row per interpreter (tid 3e8+i): who held the GIL, cat "gil_holder";
 *   - `GIL · <thread>` row per thread (tid 1e8+tid): cat "gil", "holding" / "waiting", flow
 *     arrows "handoff" from one holding slice to the next thread's; with function context, each
 *     slice's args name its Python function (`function`, `file`, `line`, `stack`: innermost
 *     first, "a <- b <- c"), charged as the stats charge it (see slice-functions.ts);
 *   - `CPU · <thread>` row per thread (tid 2e8+tid): cat "cpu", running/runnable/sleeping/blocked;
 *   - counter "GIL waiters".
 * Every slice carries the real pid and tid in `args`.
 */
import { CPU_STATE_NAMES, GilState, type ProcessTimeline, type ThreadTimeline } from '../model/timeline.js';
import { forEachInterval } from './intervals.js';
import { MonotonicMicros, durationMicros } from './mono-time.js';
import type { ReportInput } from './report-input.js';
import { SliceFunctions } from './slice-functions.js';
import { cpuTrackTid, gilTrackTid, holderTrackTid } from './track-ids.js';

export type ChromeEvent = Record<string, unknown>;

export interface ChromeTrace {
  traceEvents: ChromeEvent[];
  viztracer_metadata: Record<string, unknown>;
  [key: string]: unknown;
}

/** The whole trace as one object (the CLI JSON.stringify's it; see chromeTraceJsonChunks for huge ones). */
export function toChromeTrace(input: ReportInput): ChromeTrace {
  return { traceEvents: [...chromeTraceEvents(input)], viztracer_metadata: chromeTraceMetadata(input) };
}

/**
 * The same JSON text as JSON.stringify(toChromeTrace(input)), in pieces: a recording with
 * millions of intervals makes a text longer than V8's maximum string length, so the CLI
 * should write these chunks to the file one after another.
 */
export function* chromeTraceJsonChunks(input: ReportInput): Generator<string> {
  yield '{"traceEvents":[';
  let batch: string[] = [];
  let first = true;
  for (const event of chromeTraceEvents(input)) {
    batch.push(JSON.stringify(event));
    if (batch.length === 4096) {
      yield (first ? '' : ',') + batch.join(',');
      first = false;
      batch = [];
    }
  }
  if (batch.length > 0) yield (first ? '' : ',') + batch.join(',');
  yield `],"viztracer_metadata":${JSON.stringify(chromeTraceMetadata(input))}}`;
}

function chromeTraceMetadata(input: ReportInput): Record<string, unknown> {
  // VizTracer reads `overflow` (lost data) when combining; no `baseTimeNanoseconds`: our ts are
  // already on VizTracer's clock and that key would make combine adopt a wall-clock offset.
  return { overflow: input.timeline.lostEvents > 0, producer: 'giltrace', clock: 'CLOCK_MONOTONIC' };
}

export function* chromeTraceEvents(input: ReportInput): Generator<ChromeEvent> {
  const clock = new MonotonicMicros(input.timeline.timeBaseNs);
  const functions = SliceFunctions.of(input.timeline);
  let nextFlowId = 1;
  for (const process of input.timeline.processes) {
    yield* processMetadata(input, process);
    for (const thread of process.threads) {
      yield* gilSlices(clock, thread, functions);
      yield* cpuSlices(clock, thread);
    }
    for (let g = 0; g < process.gils.length; g++) {
      const flows = yield* holderSlicesAndFlows(clock, process, g, nextFlowId);
      nextFlowId += flows;
      yield* waiterCounter(clock, process, g);
    }
  }
}

function* processMetadata(input: ReportInput, process: ProcessTimeline): Generator<ChromeEvent> {
  const { pid } = process;
  const command = input.stats.processes.find((p) => p.pid === pid)?.command;
  const name = (tid: number, value: string): ChromeEvent => ({ ph: 'M', name: 'thread_name', pid, tid, args: { name: value } });
  const order = (tid: number, index: number): ChromeEvent => ({ ph: 'M', name: 'thread_sort_index', pid, tid, args: { sort_index: index } });
  yield { ph: 'M', name: 'process_name', pid, tid: pid, args: { name: command ? `${command} (${pid})` : `pid ${pid}` } };
  for (let g = 0; g < process.gils.length; g++) {
    yield name(holderTrackTid(g), process.gils.length > 1 ? `GIL holder ${process.gils[g].key}` : 'GIL holder');
    yield order(holderTrackTid(g), -1000 + g);
  }
  for (let i = 0; i < process.threads.length; i++) {
    const thread = process.threads[i];
    const label = `${thread.name} (${thread.tid})`;
    yield name(thread.tid, thread.name);
    yield name(gilTrackTid(thread.tid), `GIL · ${label}`);
    yield order(gilTrackTid(thread.tid), 2 * i);
    yield name(cpuTrackTid(thread.tid), `CPU · ${label}`);
    yield order(cpuTrackTid(thread.tid), 2 * i + 1);
  }
}

function* gilSlices(clock: MonotonicMicros, thread: ThreadTimeline, functions: SliceFunctions | undefined): Generator<ChromeEvent> {
  const { pid, tid, drops } = thread;
  const track = gilTrackTid(tid);
  const slices: ChromeEvent[] = [];
  const stepStacks = functions?.stepStacks(thread);
  let d = 0;
  forEachInterval(thread.gilTrack, thread.end, (state, start, stop, index) => {
    if (state === GilState.none) return;
    const args: Record<string, unknown> = { pid, tid };
    if (state === GilState.holding) {
      // The drop that ends this holding slice, if the model saw one (drops are in time order).
      while (d < drops.length && drops[d].time < stop) d++;
      if (d < drops.length && drops[d].time === stop) {
        args.drop = drops[d].known ? (drops[d].forced ? 'forced' : 'voluntary') : 'unknown';
      }
    }
    const fn = stepStacks && functions!.label(stepStacks[index]);
    if (fn) {
      args.function = fn.function;
      if (fn.file) args.file = fn.file;
      if (fn.line > 0) args.line = fn.line;
      args.stack = fn.stack;
      if (fn.dropLine) args.drop_line = fn.dropLine;
    }
    const name = state === GilState.holding ? 'holding' : 'waiting';
    slices.push({ ph: 'X', cat: 'gil', name, pid, tid: track, ts: clock.micros(start), dur: durationMicros(start, stop), args });
  });
  yield* slices;
}

function* cpuSlices(clock: MonotonicMicros, thread: ThreadTimeline): Generator<ChromeEvent> {
  const { pid, tid } = thread;
  const track = cpuTrackTid(tid);
  const slices: ChromeEvent[] = [];
  forEachInterval(thread.cpuTrack, thread.end, (state, start, stop) => {
    const name = CPU_STATE_NAMES[state] ?? `state ${state}`;
    slices.push({ ph: 'X', cat: 'cpu', name, pid, tid: track, ts: clock.micros(start), dur: durationMicros(start, stop), args: { pid, tid } });
  });
  yield* slices;
}

/** Holder row slices, plus one flow arrow per hand-off between two different threads. Returns flows made. */
function* holderSlicesAndFlows(
  clock: MonotonicMicros,
  process: ProcessTimeline,
  g: number,
  firstFlowId: number,
): Generator<ChromeEvent, number> {
  const gil = process.gils[g];
  const { pid } = process;
  const names = new Map(process.threads.map((t) => [t.tid, t.name]));
  const { times, tids } = gil.holders;
  const row = holderTrackTid(g);
  let flowId = firstFlowId;
  let previousTid = 0;
  let previousStart = 0;
  for (let i = 0; i < tids.length; i++) {
    const tid = tids[i];
    if (tid === 0) continue;
    const start = times[i];
    const stop = i + 1 < times.length ? times[i + 1] : process.end;
    if (!(stop > start)) continue;
    const ts = clock.micros(start);
    yield { ph: 'X', cat: 'gil_holder', name: names.get(tid) ?? `tid ${tid}`, pid, tid: row, ts, dur: durationMicros(start, stop), args: { pid, tid, gil: gil.key } };
    if (previousTid !== 0 && previousTid !== tid) {
      const id = flowId++;
      yield { ph: 's', cat: 'gil', name: 'handoff', id, pid, tid: gilTrackTid(previousTid), ts: clock.micros(previousStart) };
      yield { ph: 'f', bp: 'e', cat: 'gil', name: 'handoff', id, pid, tid: gilTrackTid(tid), ts };
    }
    previousTid = tid;
    previousStart = start;
  }
  return flowId - firstFlowId;
}

function* waiterCounter(clock: MonotonicMicros, process: ProcessTimeline, g: number): Generator<ChromeEvent> {
  const gil = process.gils[g];
  const name = process.gils.length > 1 ? `GIL waiters ${gil.key}` : 'GIL waiters';
  const { times, counts } = gil.waiters;
  for (let i = 0; i < counts.length; i++) {
    yield { ph: 'C', name, pid: process.pid, ts: clock.micros(times[i]), args: { waiters: counts[i] } };
  }
}
