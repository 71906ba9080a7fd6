/**
 * The report-ui bundle (src/report-ui/ built by esbuild into one IIFE), written as
 * dist/src/export/report-ui-bundle.js by scripts/build-report-ui.mjs during `npm run build`.
 */
export declare const REPORT_UI_BUNDLE: string;
