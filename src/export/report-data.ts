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
  const processes = timeline.processes.map((p) => toReportProcess(blob, p, stacks));
  const bytes = blob.finish();
  const data: ReportData = {
    schema: REPORT_DATA_SCHEMA,
    title: input.title ?? defaultTitle(input),
    timeBaseNs: timeline.timeBaseNs.toString(),
    start: timeline.start,
    end: timeline.end,
    lostEvents: timeline.lostEvents,
    processes,
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

function toReportProcess(blob: BlobBuilder, process: ProcessTimeline, stacks: readonly PyStack[] | undefined): ReportProcess {
  return {
    pid: process.pid,
    start: process.start,
    end: process.end,
    threads: process.threads.map((t) => toReportThread(blob, t, stacks)),
    gils: process.gils.map((g) => toReportGil(blob, g)),
    anomalies: process.anomalies,
  };
}

function toReportThread(blob: BlobBuilder, thread: ThreadTimeline, stacks: readonly PyStack[] | undefined): ReportThread {
  const dropTimes = new Float64Array(thread.drops.length);
  const dropFlags = new Uint8Array(thread.drops.length);
  thread.drops.forEach((drop, i) => {
    dropTimes[i] = drop.time;
    dropFlags[i] = (drop.forced ? DROP_FORCED : 0) | (drop.known ? DROP_KNOWN : 0);
  });
  return {
    pid: thread.pid,
    tid: thread.tid,
    name: thread.name,
    start: thread.start,
    end: thread.end,
    gil: thread.gil,
    gilTrack: toReportTrack(blob, thread.gilTrack),
    cpuTrack: toReportTrack(blob, thread.cpuTrack),
    drops: { times: encodeTimes(blob, dropTimes), flags: encodeInts(blob, dropFlags) },
    // One small id per GIL step (no times: the step's own time says when), u8 for most recordings.
    ...(stacks ? { gilStacks: encodeInts(blob, narrowIds(gilStepStacks(thread, stacks))) } : {}),
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

function toReportGil(blob: BlobBuilder, gil: GilTimeline): ReportGil {
  return {
    key: gil.key,
    pid: gil.pid,
    holders: { times: encodeTimes(blob, gil.holders.times), tids: encodeInts(blob, gil.holders.tids) },
    waiters: { times: encodeTimes(blob, gil.waiters.times), counts: encodeInts(blob, gil.waiters.counts) },
  };
}
