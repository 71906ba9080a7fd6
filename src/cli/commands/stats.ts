import { analyzeRecordingStats } from '../analyze-recording.js';
import { formatSummary } from '../summary-table.js';
import { requireReadable } from './report.js';

export function statsCommand(file: string, options: { json: boolean }): void {
  requireReadable(file);
  const { stats, verdict } = analyzeRecordingStats(file);
  if (options.json) {
    process.stdout.write(JSON.stringify(stats, null, 2) + '\n');
  } else {
    process.stdout.write(formatSummary(stats, verdict, process.stdout.isTTY === true));
  }
}
