import { extname } from 'node:path';
import { checkReportExtension } from '../report-formats.js';
import { recordToFile, type RecordCliOptions } from './record.js';
import { sampleToFile } from './sample.js';

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
  // The analysis and the exporters (~0.15 s of imports) load while perf starts and the program
  // runs, not before the recording begins: started here, they load at the first wait (perf's
  // start, or the sampler's).
  const reporting = Promise.all([import('./report.js'), import('../summary-table.js')]);
  reporting.catch(() => undefined); // awaited below; a failed recording must not leave it unhandled
  const recorded = options.sample !== undefined
    ? { targets: [], ...(await sampleToFile(command, { ...options, sample: options.sample })) }
    : await recordToFile(command, options);
  const [{ analyzeFor, openInBrowser, writeReport }, { formatSummary }] = await reporting;
  const analysis = analyzeFor(options.output, options.data, { target: recorded.targets[0], command: recorded.command });
  // stderr, like time(1): the traced program's stdout stays its own.
  process.stderr.write('\n' + formatSummary(analysis.stats, analysis.verdict, process.stderr.isTTY === true));
  writeReport(analysis, options.output);
  console.error(`giltrace: report written to ${options.output}; recording kept in ${options.data}`);
  if (options.open) openInBrowser(options.output);
  return recorded.result.exitCode;
}
