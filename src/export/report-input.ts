/** What every exporter takes: the model's timeline, the analysis' stats, and the verdict text. */
import type { StatsJson, VerdictJson } from '../contract/stats.js';
import type { Timeline } from '../model/timeline.js';

export interface ReportInput {
  readonly timeline: Timeline;
  readonly stats: StatsJson;
  readonly verdict?: VerdictJson;
  readonly title?: string;
  /** The HTML report's steps drawn exactly, at most (default REPORT_MAX_STEPS; see coarse-steps.ts). */
  readonly maxSteps?: number;
  /** The timeline is a part of a recording that began here (ReportData.recordingStart). */
  readonly recordingStart?: number;
}
