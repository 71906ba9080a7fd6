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
}
