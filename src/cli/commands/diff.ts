import { compareRuns } from '../../analysis/index.js';
import { analyzeRecordingStats } from '../analyze-recording.js';
import { recordingStats } from '../stats-cache.js';
import { formatDiff } from '../diff-table.js';
import { requireReadable } from './report.js';

export function diffCommand(fileA: string, fileB: string, options: { json: boolean }): void {
  requireReadable(fileA);
  requireReadable(fileB);
  const statsOf = (file: string) => recordingStats(file, () => analyzeRecordingStats(file)).stats;
  const diff = compareRuns(statsOf(fileA), statsOf(fileB), { a: fileA, b: fileB });
  if (options.json) {
    process.stdout.write(JSON.stringify(diff, null, 2) + '\n');
  } else {
    process.stdout.write(formatDiff(diff, process.stdout.isTTY === true));
  }
}
