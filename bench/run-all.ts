/**
 * `npm run bench`: every benchmark in turn, each printing its figure against an anchor measured
 * in the same run (perf script on the same file; a browser's own load of the same page).
 */
import { bigRecording } from './big-recording.js';
import { main as perfdataThroughput } from './perfdata-throughput.js';
import { main as reportLoad } from './report-load.js';

console.log('=== perf.data parsing: giltrace vs perf script ===');
await perfdataThroughput([bigRecording()]);
console.log('\n=== HTML report with ≥ 1 M GIL intervals: load to first paint ===');
await reportLoad();
