import { extname } from 'node:path';
import { formatSummary } from '../summary-table.js';
import { recordToFile, type RecordCliOptions } from './record.js';
import { sampleToFile } from './sample.js';
import { analyzeFor, checkReportExtension, openInBrowser, writeReport } from './report.js';

export interface RunCliOptions extends RecordCliOptions {
  readonly output: string;
  readonly data: string;
  readonly open: boolean;
  /** Sample this many times a second instead of tracing exactly. */
  readonly sample?: number;
}

/** record + summary + report; exits with the traced command's exit code. */
export async function runCommand(command: readonly string[], options: RunCliOptions): Promise<number> {
  // before the program runs: a report that cannot be written wasted the whole run
  checkReportExtension(options.output, extname(options.output).toLowerCase() === '.data' ? ` (the recording's file is --data ${options.output})` : '');
  const recorded = options.sample !== undefined
    ? { targets: [], ...(await sampleToFile(command, { ...options, sample: options.sample })) }
    : await recordToFile(command, options);
  const analysis = analyzeFor(options.output, options.data, { target: recorded.targets[0], command: recorded.command });
  // stderr, like time(1): the traced program's stdout stays its own.
  process.stderr.write('\n' + formatSummary(analysis.stats, analysis.verdict, process.stderr.isTTY === true));
  writeReport(analysis, options.output);
  console.error(`giltrace: report written to ${options.output}; recording kept in ${options.data}`);
  if (options.open) openInBrowser(options.output);
  return recorded.result.exitCode;
}
