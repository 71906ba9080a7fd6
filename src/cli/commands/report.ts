import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, writeFileSync, writeSync } from 'node:fs';
import { extname } from 'node:path';
import { GiltraceError } from '../../base/errors.js';
import { chromeTraceJsonChunks, toHtmlReport, toPerfettoTrace } from '../../export/index.js';
import { analyzeRecording, type Analysis } from '../analyze-recording.js';

export function reportCommand(file: string, output: string): void {
  requireReadable(file);
  checkReportExtension(output);
  writeReport(analyzeRecording(file), output);
  console.error(`giltrace: wrote ${output}`);
}

const FORMATS = ['.html', '.json', '.pftrace'] as const;

function checkReportExtension(output: string): void {
  const extension = extname(output).toLowerCase();
  if (!(FORMATS as readonly string[]).includes(extension)) {
    throw new GiltraceError(`cannot tell the report format from '${output}': use a file name ending in ${FORMATS.join(', ')}`);
  }
}

export function writeReport(analysis: Analysis, output: string): void {
  checkReportExtension(output);
  const input = { timeline: analysis.timeline, stats: analysis.stats, verdict: analysis.verdict };
  const extension = extname(output).toLowerCase();
  try {
    if (extension === '.json') {
      // In pieces: the JSON of a long recording is larger than the longest string V8 can hold.
      const fd = openSync(output, 'w');
      try {
        for (const chunk of chromeTraceJsonChunks(input)) writeSync(fd, chunk);
      } finally {
        closeSync(fd);
      }
    } else {
      const clock = { boottimeMinusMonotonicNs: analysis.boottimeMinusMonotonicNs };
      writeFileSync(output, extension === '.html' ? toHtmlReport(input) : toPerfettoTrace(input, clock));
    }
  } catch (error) {
    throw new GiltraceError(`cannot write ${output}: ${(error as Error).message}`);
  }
}

export function requireReadable(file: string): void {
  try {
    accessSync(file, constants.R_OK);
  } catch {
    throw new GiltraceError(`cannot read ${file}: no such file (record one with: giltrace record -o ${file} -- python3 app.py)`);
  }
}

/** Best effort: a report is still written when no browser can be started. */
export function openInBrowser(file: string): void {
  const opener = spawn('xdg-open', [file], { stdio: 'ignore', detached: true });
  opener.on('error', () => console.error(`giltrace: no browser opener (xdg-open) found; open ${file} yourself`));
  opener.unref();
}
