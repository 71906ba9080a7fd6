import { compareRuns } from '../../analysis/index.js';
import { analyzeRecordingStats } from '../analyze-recording.js';
import { formatDiff } from '../diff-table.js';
import { requireReadable } from './report.js';

export function diffCommand(fileA: string, fileB: string, options: { json: boolean }): void {
  requireReadable(fileA);
  requireReadable(fileB);
  const diff = compareRuns(analyzeRecordingStats(fileA).stats, analyzeRecordingStats(fileB).stats, { a: fileA, b: fileB });
  if (options.json) {
    process.stdout.write(JSON.stringify(diff, null, 2) + '\n');
  } else {
    process.stdout.write(formatDiff(diff, process.stdout.isTTY === true));
  }
}
