/** Timeline (or its windows, gathered: report-accumulator.ts) + stats → the serialized shape the HTML report embeds (src/contract/report-data.ts). */
import {
  REPORT_BLOB_ELEMENT_ID,
  REPORT_DATA_SCHEMA,
  type ReportData,
  type ReportFunctionContext,
  type ReportGil,
  type ReportProcess,
  type ReportThread,
} from '../contract/report-data.js';
import type { StatsJson, VerdictJson } from '../contract/stats.js';
import { hasFunctionContext, WAIT_HISTOGRAM_EDGES_NS } from '../analysis/index.js';
import { BlobBuilder, encodeInts, encodeTimes, narrowIds } from './report-columns.js';
import type { CoarseSteps } from './coarse-steps.js';
import { gatherReport, type GatheredGil, type GatheredProcess, type GatheredReport, type GatheredThread } from './report-accumulator.js';
import type { ReportInput } from './report-input.js';

/** What the page says besides the tracks. */
export interface ReportWords {
  readonly stats: StatsJson;
  readonly verdict?: VerdictJson;
  readonly title?: string;
  /** A part of a recording: where the recording began (ReportData.recordingStart). */
  readonly recordingStart?: number;
}

/** The report's JSON part and its binary blob (uncompressed; html-report.ts compresses it). */
export function toReportData(input: ReportInput): { data: ReportData; blob: Uint8Array } {
  return encodeReport(gatherReport(input.timeline, input.maxSteps), input);
}

/** The tracks gathered, with the stats and verdict, encoded: the report's data and blob. */
export function encodeReport(report: GatheredReport, words: ReportWords): { data: ReportData; blob: Uint8Array } {
  const blob = new BlobBuilder();
  // Stacks per GIL step only when the recording read them: otherwise every id would be 0.
  const withStacks = hasFunctionContext(report);
  const processes = report.processes.map((p) => toReportProcess(blob, p, withStacks));
  const bytes = blob.finish();
  const data: ReportData = {
    schema: REPORT_DATA_SCHEMA,
    title: words.title ?? defaultTitle(words.stats),
    timeBaseNs: report.timeBaseNs.toString(),
    start: report.start,
    end: report.end,
    lostEvents: report.lostEvents,
    processes,
    ...(report.resolutionNs !== undefined ? { resolutionNs: report.resolutionNs } : {}),
    ...(words.recordingStart !== undefined && words.recordingStart < report.start ? { recordingStart: words.recordingStart } : {}),
    stats: words.stats,
    verdict: words.verdict,
    histogramEdgesNs: WAIT_HISTOGRAM_EDGES_NS,
    waitHistograms: report.processes.flatMap((p) => p.threads.flatMap((t) => t.waitHistogram ?? [])),
    ...(withStacks ? { functionContext: toFunctionContext(report) } : {}),
    blob: { elementId: REPORT_BLOB_ELEMENT_ID, encoding: 'gzip+base64', byteLength: bytes.byteLength },
  };
  return { data, blob: bytes };
}

function defaultTitle(stats: StatsJson): string {
  const command = stats.processes[0]?.command;
  return command ? `giltrace: ${command}` : 'giltrace report';
}

function toReportProcess(blob: BlobBuilder, process: GatheredProcess, withStacks: boolean): ReportProcess {
  return {
    pid: process.pid,
    start: process.start,
    end: process.end,
    threads: process.threads.map((t) => toReportThread(blob, t, withStacks)),
    gils: process.gils.map((g) => toReportGil(blob, g)),
    anomalies: process.anomalies,
  };
}

function toReportThread(blob: BlobBuilder, thread: GatheredThread, withStacks: boolean): ReportThread {
  const { gilTrack, cpuTrack, drops } = thread;
  return {
    pid: thread.pid,
    tid: thread.tid,
    name: thread.name,
    start: thread.start,
    end: thread.end,
    gil: thread.gil,
    gilTrack: toReportTrack(blob, gilTrack),
    cpuTrack: toReportTrack(blob, cpuTrack),
    drops: { times: encodeTimes(blob, drops.times), flags: encodeInts(blob, drops.flags) },
    // One small id per GIL step (no times: the step's own time says when), u8 for most recordings.
    ...(withStacks && gilTrack.extra ? { gilStacks: encodeInts(blob, narrowIds(gilTrack.extra)) } : {}),
  };
}

/** The functions and stacks tables, callers' names interned (they repeat across stacks). */
function toFunctionContext(report: GatheredReport): ReportFunctionContext {
  const callerNames: string[] = [];
  const callerIds = new Map<string, number>();
  const nameId = (name: string) => {
    let id = callerIds.get(name);
    if (id === undefined) callerIds.set(name, (id = callerNames.push(name) - 1));
    return id;
  };
  return {
    functions: report.functions.map((f) => ({ name: f.name, file: f.file, line: f.line })),
    callerNames,
    stacks: report.stacks.map((s) => [s.leaf, ...s.callers.map(nameId)]),
  };
}

/** GIL and CPU states fit a byte. */
function toReportTrack(blob: BlobBuilder, track: CoarseSteps) {
  return { times: encodeTimes(blob, track.times), states: encodeInts(blob, track.values instanceof Uint8Array ? track.values : Uint8Array.from(track.values)) };
}

function toReportGil(blob: BlobBuilder, gil: GatheredGil): ReportGil {
  return {
    key: gil.key,
    pid: gil.pid,
    holders: { times: encodeTimes(blob, gil.holders.times), tids: encodeInts(blob, gil.holders.values instanceof Int32Array ? gil.holders.values : Int32Array.from(gil.holders.values)) },
    waiters: { times: encodeTimes(blob, gil.waiters.times), counts: encodeInts(blob, gil.waiters.values instanceof Uint16Array ? gil.waiters.values : Uint16Array.from(gil.waiters.values)) },
  };
}
