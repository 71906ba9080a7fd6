/** Timeline + stats → the serialized shape the HTML report embeds (src/contract/report-data.ts). */
import {
  DROP_FORCED,
  DROP_KNOWN,
  REPORT_BLOB_ELEMENT_ID,
  REPORT_DATA_SCHEMA,
  type ReportData,
  type ReportFunctionContext,
  type ReportGil,
  type ReportProcess,
  type ReportThread,
  type WaitHistogram,
} from '../contract/report-data.js';
import { computeWaitHistogram, gilStepStacks, hasFunctionContext, WAIT_HISTOGRAM_EDGES_NS } from '../analysis/index.js';
import type { PyStack } from '../model/python-stacks.js';
import type { GilTimeline, ProcessTimeline, StepTrack, ThreadTimeline, Timeline } from '../model/timeline.js';
import { BlobBuilder, encodeInts, encodeTimes, narrowIds } from './report-columns.js';
import { coarsenSteps, resolutionFor, thinDrops } from './coarse-steps.js';
import type { ReportInput } from './report-input.js';

/** The report's JSON part and its binary blob (uncompressed; html-report.ts compresses it). */
export function toReportData(input: ReportInput): { data: ReportData; blob: Uint8Array } {
  const { timeline } = input;
  const blob = new BlobBuilder();
  const waitHistograms: WaitHistogram[] = [];
  for (const process of timeline.processes) {
    for (const thread of process.threads) {
      const histogram = computeWaitHistogram(thread);
      if (histogram !== undefined) waitHistograms.push(histogram);
    }
  }
  // Stacks per GIL step only when the recording read them: otherwise every id would be 0.
  const stacks = hasFunctionContext(timeline) ? timeline.stacks : undefined;
  const resolutionNs = resolutionFor(stepColumns(timeline), timeline.start, input.maxSteps);
  const coarse = resolutionNs === undefined ? undefined : { origin: timeline.start, resolution: resolutionNs };
  const processes = timeline.processes.map((p) => toReportProcess(blob, p, stacks, coarse));
  const bytes = blob.finish();
  const data: ReportData = {
    schema: REPORT_DATA_SCHEMA,
    title: input.title ?? defaultTitle(input),
    timeBaseNs: timeline.timeBaseNs.toString(),
    start: timeline.start,
    end: timeline.end,
    lostEvents: timeline.lostEvents,
    processes,
    ...(resolutionNs !== undefined ? { resolutionNs } : {}),
    stats: input.stats,
    verdict: input.verdict,
    histogramEdgesNs: WAIT_HISTOGRAM_EDGES_NS,
    waitHistograms,
    ...(stacks ? { functionContext: toFunctionContext(timeline) } : {}),
    blob: { elementId: REPORT_BLOB_ELEMENT_ID, encoding: 'gzip+base64', byteLength: bytes.byteLength },
  };
  return { data, blob: bytes };
}

function defaultTitle(input: ReportInput): string {
  const command = input.stats.processes[0]?.command;
  return command ? `giltrace: ${command}` : 'giltrace report';
}

/** Where the report's spans begin and how long they are, when its tracks are coarsened (coarse-steps.ts). */
interface Coarse {
  readonly origin: number;
  readonly resolution: number;
}

/** The times of every track and every thread's drops: what the report would draw. */
function stepColumns(timeline: Timeline): Float64Array[] {
  return timeline.processes.flatMap((process) => [
    ...process.threads.flatMap((t) => [t.gilTrack.times, t.cpuTrack.times, Float64Array.from(t.drops, (d) => d.time)]),
    ...process.gils.flatMap((g) => [g.holders.times, g.waiters.times]),
  ]);
}

function toReportProcess(blob: BlobBuilder, process: ProcessTimeline, stacks: readonly PyStack[] | undefined, coarse: Coarse | undefined): ReportProcess {
  return {
    pid: process.pid,
    start: process.start,
    end: process.end,
    threads: process.threads.map((t) => toReportThread(blob, t, stacks, coarse)),
    gils: process.gils.map((g) => toReportGil(blob, g, process.end, coarse)),
    anomalies: process.anomalies,
  };
}

function toReportThread(blob: BlobBuilder, thread: ThreadTimeline, stacks: readonly PyStack[] | undefined, coarse: Coarse | undefined): ReportThread {
  let dropTimes: Float64Array = new Float64Array(thread.drops.length);
  let dropFlags: Uint8Array = new Uint8Array(thread.drops.length);
  thread.drops.forEach((drop, i) => {
    dropTimes[i] = drop.time;
    dropFlags[i] = (drop.forced ? DROP_FORCED : 0) | (drop.known ? DROP_KNOWN : 0);
  });
  let gilTrack = thread.gilTrack;
  let cpuTrack = thread.cpuTrack;
  let gilStacks = stacks ? gilStepStacks(thread, stacks) : undefined;
  if (coarse) {
    ({ times: dropTimes, flags: dropFlags } = thinDrops(dropTimes, dropFlags, coarse.origin, coarse.resolution, DROP_FORCED));
    const gil = coarsenSteps({ times: gilTrack.times, values: gilTrack.states, extra: gilStacks }, thread.end, coarse.origin, coarse.resolution);
    gilTrack = { times: gil.times, states: Uint8Array.from(gil.values) };
    if (gil.extra) gilStacks = Int32Array.from(gil.extra);
    const cpu = coarsenSteps({ times: cpuTrack.times, values: cpuTrack.states }, thread.end, coarse.origin, coarse.resolution);
    cpuTrack = { times: cpu.times, states: Uint8Array.from(cpu.values) };
  }
  return {
    pid: thread.pid,
    tid: thread.tid,
    name: thread.name,
    start: thread.start,
    end: thread.end,
    gil: thread.gil,
    gilTrack: toReportTrack(blob, gilTrack),
    cpuTrack: toReportTrack(blob, cpuTrack),
    drops: { times: encodeTimes(blob, dropTimes), flags: encodeInts(blob, dropFlags) },
    // One small id per GIL step (no times: the step's own time says when), u8 for most recordings.
    ...(gilStacks ? { gilStacks: encodeInts(blob, narrowIds(gilStacks)) } : {}),
  };
}

/** The functions and stacks tables, callers' names interned (they repeat across stacks). */
function toFunctionContext(timeline: Timeline): ReportFunctionContext {
  const callerNames: string[] = [];
  const callerIds = new Map<string, number>();
  const nameId = (name: string) => {
    let id = callerIds.get(name);
    if (id === undefined) callerIds.set(name, (id = callerNames.push(name) - 1));
    return id;
  };
  return {
    functions: timeline.functions.map((f) => ({ name: f.name, file: f.file, line: f.line })),
    callerNames,
    stacks: timeline.stacks.map((s) => [s.leaf, ...s.callers.map(nameId)]),
  };
}

function toReportTrack(blob: BlobBuilder, track: StepTrack) {
  return { times: encodeTimes(blob, track.times), states: encodeInts(blob, track.states) };
}

function toReportGil(blob: BlobBuilder, gil: GilTimeline, end: number, coarse: Coarse | undefined): ReportGil {
  let { holders, waiters } = gil;
  if (coarse) {
    const h = coarsenSteps({ times: holders.times, values: holders.tids }, end, coarse.origin, coarse.resolution);
    holders = { times: h.times, tids: Int32Array.from(h.values) };
    const w = coarsenSteps({ times: waiters.times, values: waiters.counts }, end, coarse.origin, coarse.resolution);
    waiters = { times: w.times, counts: Uint16Array.from(w.values) };
  }
  return {
    key: gil.key,
    pid: gil.pid,
    holders: { times: encodeTimes(blob, holders.times), tids: encodeInts(blob, holders.tids) },
    waiters: { times: encodeTimes(blob, waiters.times), counts: encodeInts(blob, waiters.counts) },
  };
}
