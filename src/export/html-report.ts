/**
 * The HTML report: ONE self-contained file (no network: opens from disk, offline). It holds
 * the report-ui bundle and the report data (src/contract/report-data.ts) as inline scripts.
 * (node:zlib is used as a pure function: gzip of an in-memory buffer, no I/O.)
 */
import { gzipSync } from 'node:zlib';
import { escapeHtml } from '../base/html.js';
import type { ReportData } from '../contract/report-data.js';
import { toReportData } from './report-data.js';
import type { ReportInput } from './report-input.js';
import { REPORT_UI_BUNDLE } from './report-ui-bundle.js';

export function toHtmlReport(input: ReportInput): string {
  return htmlReportOf(toReportData(input));
}

/** The page for report data already made (report-data.ts: encodeReport). */
export function htmlReportOf({ data, blob }: { data: ReportData; blob: Uint8Array }): string {
  // Level 1: nearly the ratio of level 6 on these columns, several times faster.
  const packed = Buffer.from(gzipSync(blob, { level: 1 })).toString('base64');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No network at all, even if someone edits the file: the report must work offline.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${escapeHtml(data.title)}</title>`,
    '</head>',
    '<body>',
    `<noscript>This giltrace report needs JavaScript to draw its timeline.</noscript>`,
    `<script type="application/json" id="giltrace-data">${jsonForScript(JSON.stringify(data))}</script>`,
    // base64 has no '<': nothing in it can end the element.
    `<script type="application/octet-stream" id="${data.blob.elementId}">${packed}</script>`,
    `<script>${jsForScript(REPORT_UI_BUNDLE)}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** JSON may hold `<` only inside strings, where `\u003c` means the same: nothing can close the element. */
function jsonForScript(json: string): string {
  return json.replace(/</g, '\\u003c');
}

/** The bundle is minified JS; `</script` could only occur inside a string or regexp, where `<\/` is equivalent. */
function jsForScript(js: string): string {
  return js.replace(/<\/script/gi, '<\\/script');
}
