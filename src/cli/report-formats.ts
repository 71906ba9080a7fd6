/**
 * The report formats `report -o` and `run -o` write, told by the file name's extension. Apart
 * from report.ts so that `run` checks its -o before the program runs without loading the
 * analysis and the exporters then (they load while perf starts: commands/run.ts).
 */
import { extname } from 'node:path';
import { GiltraceError } from '../base/errors.js';

const FORMATS = ['.html', '.json', '.pftrace'] as const;

/** `hint`: what else the user may have meant (run's recording is --data, not -o). */
export function checkReportExtension(output: string, hint = ''): void {
  const extension = extname(output).toLowerCase();
  if (!(FORMATS as readonly string[]).includes(extension)) {
    throw new GiltraceError(`cannot tell the report format from '${output}': use a file name ending in ${FORMATS.join(', ')}${hint}`);
  }
}
