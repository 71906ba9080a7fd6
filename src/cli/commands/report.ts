import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, writeFileSync, writeSync } from 'node:fs';
import { extname } from 'node:path';
import { assert, GiltraceError } from '../../base/errors.js';
import { chromeTraceJsonChunks, encodeReport, gatherReport, htmlReportOf, writePerfettoTrace } from '../../export/index.js';
import { analyzeRecording, analyzeRecordingRange, analyzeRecordingReport, type Analysis, type AnalyzeOptions, type ReportAnalysis } from '../analyze-recording.js';
import { parseRange, rangeText, type RangeOptions } from '../time-range.js';
import { checkReportExtension } from '../report-formats.js';
import { keepRecordingStats } from '../stats-cache.js';

export function reportCommand(file: string, output: string, options: RangeOptions = {}): void {
  const range = parseRange(options);
  requireReadable(file);
  const analysis = analyzeFor(output, file, range ? { range } : {});
  // a part of a recording: its title says which, and its times count from the recording's start
  const command = analysis.stats.processes[0]?.command;
  const part = range && 'report' in analysis
    ? { title: `giltrace: ${command ? `${command}, ` : ''}${rangeText(range)} of the recording`, recordingStart: analysis.report.start - range.from }
    : undefined;
  writeReport(analysis, output, part);
  console.error(`giltrace: wrote ${output}`);
}

/**
 * The recording analysed for a report in `output`'s format: the HTML report is drawn from tracks
 * gathered window by window (its memory bounded however long the recording); the Chrome and
 * Perfetto exports are exact, step for step, so they read the whole timeline, or the range's
 * (`--from/--to`: the part of a long recording to look at, in memory that follows the part).
 */
export function analyzeFor(output: string, file: string, options: AnalyzeOptions = {}): Analysis | ReportAnalysis {
  checkReportExtension(output);
  if (extname(output).toLowerCase() === '.html') {
    const analysis = analyzeRecordingReport(file, options);
    // the whole recording read window by window, as `stats` reads it: its stats are those `stats` and `diff` would find
    if (!options.range && !options.placeTakes && !options.ignoreHolderSamples && options.windowEvents === undefined) keepRecordingStats(file, analysis);
    return analysis;
  }
  const range = options.range;
  return range ? analyzeRecordingRange(file, { ...options, range }) : analyzeRecording(file, options);
}

/** @param analysis from analyzeFor(output) */
export function writeReport(analysis: Analysis | ReportAnalysis, output: string, part?: { title: string; recordingStart: number }): void {
  checkReportExtension(output);
  const extension = extname(output).toLowerCase();
  const words = { stats: analysis.stats, verdict: analysis.verdict, ...part };
  assert(extension === '.html' || 'timeline' in analysis, 'the exports are made from the whole timeline (analyzeFor)');
  try {
    if (extension === '.html') {
      const report = 'report' in analysis ? analysis.report : gatherReport(analysis.timeline);
      writeFileSync(output, htmlReportOf(encodeReport(report, words)));
      return;
    }
    const input = { timeline: (analysis as Analysis).timeline, ...words };
    if (extension === '.json') {
      // In pieces: the JSON of a long recording is larger than the longest string V8 can hold.
      const fd = openSync(output, 'w');
      try {
        for (const chunk of chromeTraceJsonChunks(input)) writeSync(fd, chunk);
      } finally {
        closeSync(fd);
      }
    } else {
      // in pieces too: a long recording's trace is larger than memory should hold at once
      const clock = { boottimeMinusMonotonicNs: analysis.boottimeMinusMonotonicNs };
      const fd = openSync(output, 'w');
      try {
        writePerfettoTrace(input, clock, (chunk) => writeSync(fd, chunk));
      } finally {
        closeSync(fd);
      }
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
