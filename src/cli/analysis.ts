/** What analysing a recording gives every command: exact recordings (analyze-recording.ts) and sampled ones (analyze-sampled-recording.ts) alike. */
import type { StatsJson } from '../contract/stats.js';
import type { Timeline } from '../model/timeline.js';
import type { VerdictText } from './verdict-text.js';

export interface Analysis {
  readonly timeline: Timeline;
  /** CLOCK_BOOTTIME − CLOCK_MONOTONIC when recorded, when the recording says (giltrace's manifest). */
  readonly boottimeMinusMonotonicNs?: bigint;
  readonly stats: StatsJson;
  readonly verdict: VerdictText;
  /**
   * The files the numbers came from, when they are all they came from: giltrace's own exact
   * recordings (the recording and its extra recordings, found or not). Absent for others, whose
   * drops are told apart by this machine's interpreter files (stats-cache.ts keeps only the former).
   */
  readonly inputs?: readonly string[];
}
