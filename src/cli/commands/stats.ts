import { analyzeRecordingStats } from '../analyze-recording.js';
import { recordingStats } from '../stats-cache.js';
import { formatSummary } from '../summary-table.js';
import { requireReadable } from './report.js';
import { parseRange, type RangeOptions } from '../time-range.js';

export function statsCommand(file: string, options: { json: boolean } & RangeOptions): void {
  const range = parseRange(options);
  requireReadable(file);
  const { stats, verdict } = range ? analyzeRecordingStats(file, { range }) : recordingStats(file, () => analyzeRecordingStats(file));
  if (options.json) {
    process.stdout.write(JSON.stringify(stats, null, 2) + '\n');
  } else {
    process.stdout.write(formatSummary(stats, verdict, process.stdout.isTTY === true));
  }
}
