/**
 * What the HTML report embeds (schema `giltrace.report-data/1`): the timeline as compact
 * binary columns plus the stats JSON. export/ writes it, report-ui/ reads it; this file is
 * the only thing they share. Additive changes only: old reports must keep opening.
 *
 * Binary columns are little-endian typed arrays, base64-encoded. Step tracks keep the
 * model's meaning: `times[i]` (ns relative to `timeBaseNs`) is where the state becomes
 * `states[i]`, lasting until `times[i + 1]` or the owner's `end`.
 */
import type { StatsJson } from './stats.js';

export const REPORT_DATA_SCHEMA = 'giltrace.report-data/1';

/**
 * A float64 column. `f64`: raw float64 values. `du32`: `first` plus uint32 deltas, chosen when
 * every value is an integer and every step fits in 32 bits (half the size of f64, and the
 * running sum of integers below 2^53 is exact).
 */
export type EncodedTimes =
  | { readonly enc: 'f64'; readonly length: number; readonly data: string }
  | { readonly enc: 'du32'; readonly length: number; readonly first: number; readonly data: string };

export interface EncodedInts {
  readonly enc: 'u8' | 'u16' | 'i32';
  readonly length: number;
  readonly data: string;
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

export interface ReportVerdict {
  readonly kind: string;
  readonly headline: string;
  readonly details: readonly string[];
}

export interface ReportData {
  readonly schema: typeof REPORT_DATA_SCHEMA;
  readonly title: string;
  /** Absolute CLOCK_MONOTONIC ns of time 0, as a decimal string (may exceed 2^53). */
  readonly timeBaseNs: string;
  readonly start: number;
  readonly end: number;
  readonly lostEvents: number;
  readonly processes: readonly ReportProcess[];
  readonly stats: StatsJson;
  readonly verdict: ReportVerdict | undefined;
  readonly histogramEdgesNs: readonly number[];
  readonly waitHistograms: readonly WaitHistogram[];
}
