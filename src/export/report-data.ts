/** Timeline + stats → the serialized shape the HTML report embeds (src/contract/report-data.ts). */
import {
  DROP_FORCED,
  DROP_KNOWN,
  REPORT_DATA_SCHEMA,
  type ReportData,
  type ReportGil,
  type ReportProcess,
  type ReportThread,
  type WaitHistogram,
} from '../contract/report-data.js';
import type { GilTimeline, ProcessTimeline, StepTrack, ThreadTimeline } from '../model/timeline.js';
import { encodeInts, encodeTimes } from './report-columns.js';
import type { ReportInput } from './report-input.js';
import { WAIT_HISTOGRAM_EDGES_NS, computeWaitHistogram } from './wait-histogram.js';

export function toReportData(input: ReportInput): ReportData {
  const { timeline } = input;
  const waitHistograms: WaitHistogram[] = [];
  for (const process of timeline.processes) {
    for (const thread of process.threads) {
      const histogram = computeWaitHistogram(thread);
      if (histogram !== undefined) waitHistograms.push(histogram);
    }
  }
  return {
    schema: REPORT_DATA_SCHEMA,
    title: input.title ?? defaultTitle(input),
    timeBaseNs: timeline.timeBaseNs.toString(),
    start: timeline.start,
    end: timeline.end,
    lostEvents: timeline.lostEvents,
    processes: timeline.processes.map(toReportProcess),
    stats: input.stats,
    verdict: input.verdict,
    histogramEdgesNs: WAIT_HISTOGRAM_EDGES_NS,
    waitHistograms,
  };
}

function defaultTitle(input: ReportInput): string {
  const command = input.stats.processes[0]?.command;
  return command ? `giltrace: ${command}` : 'giltrace report';
}

function toReportProcess(process: ProcessTimeline): ReportProcess {
  return {
    pid: process.pid,
    start: process.start,
    end: process.end,
    threads: process.threads.map(toReportThread),
    gils: process.gils.map(toReportGil),
    anomalies: process.anomalies,
  };
}

function toReportThread(thread: ThreadTimeline): ReportThread {
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
    gilTrack: toReportTrack(thread.gilTrack),
    cpuTrack: toReportTrack(thread.cpuTrack),
    drops: { times: encodeTimes(dropTimes), flags: encodeInts(dropFlags) },
  };
}

function toReportTrack(track: StepTrack) {
  return { times: encodeTimes(track.times), states: encodeInts(track.states) };
}

function toReportGil(gil: GilTimeline): ReportGil {
  return {
    key: gil.key,
    pid: gil.pid,
    holders: { times: encodeTimes(gil.holders.times), tids: encodeInts(gil.holders.tids) },
    waiters: { times: encodeTimes(gil.waiters.times), counts: encodeInts(gil.waiters.counts) },
  };
}
