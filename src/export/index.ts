/**
 * export/: pure serializers of a recording's timeline + stats (no I/O: the CLI writes files).
 *   toHtmlReport        one self-contained HTML file (the report-ui bundle and the data inlined);
 *                       htmlReportOf(encodeReport(…)) the same from tracks gathered window by
 *                       window (ReportAccumulator: a recording read without its whole timeline)
 *   toChromeTrace       Chrome trace JSON object (chromeTraceJsonChunks: the same text, streamed)
 *   toPerfettoTrace     Perfetto protobuf trace (.pftrace); writePerfettoTrace the same in pieces
 *   combineChromeTraces giltrace JSON + VizTracer JSON of the same run → one trace
 */
export type { ReportInput } from './report-input.js';
export { htmlReportOf, toHtmlReport } from './html-report.js';
export { toChromeTrace, chromeTraceJsonChunks, type ChromeTrace } from './chrome-trace.js';
export { toPerfettoTrace, writePerfettoTrace } from './perfetto/perfetto-trace.js';
export { combineChromeTraces, timeRangesOverlap } from './combine.js';
export { encodeReport, toReportData } from './report-data.js';
export { gatherReport, ReportAccumulator, type GatheredReport } from './report-accumulator.js';
