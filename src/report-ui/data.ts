/** The embedded report data, decoded once into the shapes the views draw from. */
import { REPORT_DATA_SCHEMA, type ReportData, type ReportFunctionContext, type ReportStepTrack } from '../contract/report-data.js';
import { decodeInts, decodeTimes, readBlob } from './columns.js';

export interface Track {
  readonly times: Float64Array;
  readonly states: ArrayLike<number>;
}

/** What a timeline row draws, for a thread and for a collapsed group of threads alike. */
export interface UiTracks {
  readonly start: number;
  readonly end: number;
  readonly gil: Track;
  readonly cpu: Track;
  /** GIL releases in time order, each with its DROP_* flags. */
  readonly dropTimes: Float64Array;
  readonly dropFlags: ArrayLike<number>;
}

export interface UiThread extends UiTracks {
  readonly pid: number;
  readonly tid: number;
  readonly name: string;
  /** Python stack id per step of `gil` (see ReportThread.gilStacks); undefined without function context. */
  readonly gilStacks: ArrayLike<number> | undefined;
}

export interface UiGil {
  readonly key: string;
  readonly pid: number;
  /** Holder as an index into the process' threads + 1 (0 = nobody), so the LOD can count per thread. */
  readonly holders: Track;
  readonly holderTids: ArrayLike<number>;
  readonly waiters: Track;
  readonly maxWaiters: number;
}

export interface UiProcess {
  readonly pid: number;
  readonly command: string;
  readonly start: number;
  readonly end: number;
  readonly threads: readonly UiThread[];
  readonly gils: readonly UiGil[];
}

export interface UiData {
  readonly raw: ReportData;
  readonly start: number;
  readonly end: number;
  /** Where the times shown count from: the recording's start (before `start` for a part of a recording). */
  readonly origin: number;
  readonly timeBaseNs: bigint;
  readonly processes: readonly UiProcess[];
  /** The Python functions and stacks the slices name; undefined for recordings without function context. */
  readonly functionContext: ReportFunctionContext | undefined;
}

export async function readReportData(json: string, blobText: (id: string) => string | undefined): Promise<UiData> {
  const raw = JSON.parse(json) as ReportData;
  if (raw?.schema !== REPORT_DATA_SCHEMA) {
    throw new Error(`unsupported report data: expected schema ${REPORT_DATA_SCHEMA}, found ${String(raw?.schema)}`);
  }
  const text = blobText(raw.blob.elementId);
  if (text === undefined) throw new Error(`this report has no timeline data (element #${raw.blob.elementId} is missing)`);
  const buffer = await readBlob(text, raw.blob.byteLength);
  const decodeTrack = (track: ReportStepTrack): Track => ({ times: decodeTimes(buffer, track.times), states: decodeInts(buffer, track.states) });
  const processes = raw.processes.map((p): UiProcess => {
    const threads = p.threads.map(
      (t): UiThread => ({
        pid: t.pid,
        tid: t.tid,
        name: t.name,
        start: t.start,
        end: t.end,
        gil: decodeTrack(t.gilTrack),
        cpu: decodeTrack(t.cpuTrack),
        dropTimes: decodeTimes(buffer, t.drops.times),
        dropFlags: decodeInts(buffer, t.drops.flags),
        gilStacks: t.gilStacks && raw.functionContext ? decodeInts(buffer, t.gilStacks) : undefined,
      }),
    );
    const indexOfTid = new Map(threads.map((t, i) => [t.tid, i + 1]));
    const gils = p.gils.map((g): UiGil => {
      const holderTids = decodeInts(buffer, g.holders.tids);
      const holderIndex = new Uint16Array(holderTids.length);
      for (let i = 0; i < holderTids.length; i++) holderIndex[i] = holderTids[i] === 0 ? 0 : (indexOfTid.get(holderTids[i]) ?? 0);
      const counts = decodeInts(buffer, g.waiters.counts);
      let maxWaiters = 0;
      for (let i = 0; i < counts.length; i++) if (counts[i] > maxWaiters) maxWaiters = counts[i];
      return {
        key: g.key,
        pid: g.pid,
        holders: { times: decodeTimes(buffer, g.holders.times), states: holderIndex },
        holderTids,
        waiters: { times: decodeTimes(buffer, g.waiters.times), states: counts },
        maxWaiters,
      };
    });
    const command = raw.stats.processes.find((s) => s.pid === p.pid)?.command ?? '';
    return { pid: p.pid, command, start: p.start, end: p.end, threads, gils };
  });
  return { raw, start: raw.start, end: raw.end, origin: raw.recordingStart ?? raw.start, timeBaseNs: BigInt(raw.timeBaseNs), processes, functionContext: raw.functionContext };
}

/** Index of the step in effect at `t`: the last i with times[i] <= t, or -1 before the first. */
export function stepAt(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
