/**
 * What the HTML report embeds (schema `giltrace.report-data/1`): the timeline as compact
 * binary columns plus the stats JSON. export/ writes it, report-ui/ reads it; this file is
 * the only thing they share. Additive changes only: old reports must keep opening.
 *
 * The timeline's columns live in ONE binary blob (little-endian, each column at an offset
 * aligned to 8 bytes), gzip-compressed and base64-encoded in its own element of the page
 * (`<script type="application/octet-stream" id="giltrace-blob">`): a million intervals make
 * tens of MB raw, and the browser's HTML parser is the slowest reader of them. The JSON only
 * holds references into the blob. Step tracks keep the model's meaning: `times[i]` (ns
 * relative to `timeBaseNs`) is where the state becomes `states[i]`, lasting until
 * `times[i + 1]` or the owner's `end`.
 */
import type { FunctionRef, StatsJson, VerdictJson } from './stats.js';

export const REPORT_DATA_SCHEMA = 'giltrace.report-data/1';

/** Where a column's bytes are in the (decompressed) blob. */
export interface BlobRef {
  readonly offset: number;
  readonly byteLength: number;
}

/**
 * A float64 column. `f64`: raw float64 values. `dvar`: `first` plus the deltas between
 * consecutive values as unsigned LEB128 varints, chosen when every value is a safe integer
 * and the column never decreases (typically 2-3 bytes a value instead of 8; the running sum
 * of integers below 2^53 is exact).
 */
export type EncodedTimes =
  | { readonly enc: 'f64'; readonly length: number; readonly data: BlobRef }
  | { readonly enc: 'dvar'; readonly length: number; readonly first: number; readonly data: BlobRef };

export interface EncodedInts {
  readonly enc: 'u8' | 'u16' | 'i32';
  readonly length: number;
  readonly data: BlobRef;
}

/** How the blob element's text encodes the blob. */
export interface BlobInfo {
  readonly elementId: string;
  readonly encoding: 'gzip+base64';
  /** Size after decompression. */
  readonly byteLength: number;
}

export interface ReportStepTrack {
  readonly times: EncodedTimes;
  /** GIL: 0 none, 1 waiting, 2 holding. CPU: 0 running, 1 runnable, 2 sleeping, 3 blocked. */
  readonly states: EncodedInts;
}

/** Drop flags: bit 0 = forced, bit 1 = reason known. */
export const DROP_FORCED = 1;
export const DROP_KNOWN = 2;

export interface ReportThread {
  readonly pid: number;
  readonly tid: number;
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly gil: string | undefined;
  readonly gilTrack: ReportStepTrack;
  readonly cpuTrack: ReportStepTrack;
  readonly drops: { readonly times: EncodedTimes; readonly flags: EncodedInts };
  /**
   * The Python stack (id in ReportData.functionContext.stacks) of each step of `gilTrack`,
   * parallel to its states: a holding step's hold, charged as the stats charge it (the release,
   * or where the GIL was asked for when the release has no Python frame); a waiting step's wait
   * (where the thread asked for the GIL); 0 for steps without the GIL or not known.
   * Present only in reports of recordings with function context.
   */
  readonly gilStacks?: EncodedInts;
}

export interface ReportGil {
  readonly key: string;
  readonly pid: number;
  readonly holders: { readonly times: EncodedTimes; readonly tids: EncodedInts };
  readonly waiters: { readonly times: EncodedTimes; readonly counts: EncodedInts };
}

export interface ReportProcess {
  readonly pid: number;
  readonly start: number;
  readonly end: number;
  readonly threads: readonly ReportThread[];
  readonly gils: readonly ReportGil[];
  readonly anomalies: Readonly<Record<string, number>>;
}

/**
 * Wait-time histogram of one thread over fixed log-spaced bins shared by the whole report:
 * bin i covers [edges[i], edges[i + 1]) ns; the last bin also takes everything above.
 */
export interface WaitHistogram {
  readonly pid: number;
  readonly tid: number;
  readonly counts: readonly number[];
  /** Total waiting time per bin (ns), to show where the waited time goes, not just how often. */
  readonly totalNs: readonly number[];
}

/**
 * The Python functions and stacks the GIL events named (the model's PythonStacks), for the
 * tooltips and details of GIL slices. Callers are names only, interned in `callerNames`.
 */
export interface ReportFunctionContext {
  /** By function id: 0 `<unknown>`, 1 `<no Python frame>`, then as first seen. */
  readonly functions: readonly FunctionRef[];
  readonly callerNames: readonly string[];
  /** By stack id (0 = unknown): [leaf function id, then caller name ids, innermost first]. */
  readonly stacks: readonly (readonly number[])[];
}

/** The verdict as the stats JSON carries it. */
export type ReportVerdict = VerdictJson;

export interface ReportData {
  readonly schema: typeof REPORT_DATA_SCHEMA;
  readonly title: string;
  /** Absolute CLOCK_MONOTONIC ns of time 0, as a decimal string (may exceed 2^53). */
  readonly timeBaseNs: string;
  readonly start: number;
  readonly end: number;
  readonly lostEvents: number;
  readonly processes: readonly ReportProcess[];
  /**
   * Set when the recording had more steps than a page can draw (export/coarse-steps.ts): the
   * tracks are drawn at this resolution (ns): a span of it with several changes shows the state
   * that filled most of it, drops keep one a span. The stats and tables are exact.
   */
  readonly resolutionNs?: number;
  /**
   * Set for a part of a recording (`report --from/--to`): where the recording began (ns, as
   * `start`), before `start`; the page's times count from it, as they do from `start` otherwise.
   */
  readonly recordingStart?: number;
  readonly stats: StatsJson;
  readonly verdict: ReportVerdict | undefined;
  readonly histogramEdgesNs: readonly number[];
  readonly waitHistograms: readonly WaitHistogram[];
  /** Absent in reports of recordings made without function context (and in reports made before it). */
  readonly functionContext?: ReportFunctionContext;
  readonly blob: BlobInfo;
}

export const REPORT_BLOB_ELEMENT_ID = 'giltrace-blob';
