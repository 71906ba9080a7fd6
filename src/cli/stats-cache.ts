/**
 * A recording's stats kept between commands: `run` (or `report`) analyses a recording, and a
 * later `stats` or `diff` of the same file answers from what it found instead of reading it
 * again (the 161 MB bench recording: ~0.25 s instead of ~1.9 s). Kept in the disk cache
 * (probe/disk-cache.ts, one file a recording), used only while every file the numbers came from
 * is unchanged and by the same build of giltrace (its compiled code's stamp is in the key), and
 * only for giltrace's own recordings, whose analysis reads nothing else (Analysis.inputs).
 * GILTRACE_NO_CACHE=1 reads every recording afresh.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { STATS_SCHEMA, type StatsJson } from '../contract/stats.js';
import { cachedInFolder, codeStamp } from '../probe/disk-cache.js';
import type { Analysis } from './analysis.js';
import type { VerdictText } from './verdict-text.js';

const STATS_CACHE = 'stats-v1';
/** The folder of this compiled file: the command line's bundle, whose stamp changes with any rebuild. */
const CODE = fileURLToPath(new URL('.', import.meta.url));

export type RecordingStats = Pick<Analysis, 'stats' | 'verdict'>;

/** The whole recording's stats and verdict: kept from an earlier command, or `compute`d (and kept when they can be). */
export function recordingStats(path: string, compute: () => Omit<Analysis, 'timeline'>): RecordingStats {
  const key = keyOf(path);
  if (key === undefined) return compute();
  const stats = cachedInFolder(STATS_CACHE, key, isStatsJson, () => {
    const analysis = compute();
    return { answer: analysis.stats, files: analysis.inputs };
  });
  return { stats, verdict: stats.verdict as VerdictText };
}

/** What a command that analysed the whole recording found (`run`, `report`), kept for a later `stats` or `diff`. */
export function keepRecordingStats(path: string, analysis: Omit<Analysis, 'timeline'>): void {
  recordingStats(path, () => analysis);
}

/** The file as its real path (one recording reached two ways is one entry), with the code's stamp; undefined when it cannot be resolved (its error comes from the analysis). */
function keyOf(path: string): string | undefined {
  try {
    return JSON.stringify([realpathSync(path), codeStamp(CODE)]);
  } catch {
    return undefined;
  }
}

function isStatsJson(value: unknown): value is StatsJson & { verdict: VerdictText } {
  const stats = value as Partial<StatsJson> | null;
  return typeof stats === 'object' && stats !== null && stats.schema === STATS_SCHEMA && Array.isArray(stats.processes) && typeof stats.verdict === 'object';
}
