/**
 * `npm run bench`: every benchmark in turn, each printing its figure against an anchor measured
 * in the same run (perf script on the same file, for the reader alone and for `giltrace stats`
 * end to end; the bench recording for `stats`'s memory on a 10x longer one; a browser's own load of the same page; the traced program untraced and traced
 * without function context, or under per4m-style probes, or sampled; the same command untraced;
 * the sampler's CPU beside one idle thread).
 */
import { bigRecording } from './big-recording.js';
import { main as perfdataThroughput } from './perfdata-throughput.js';
import { main as recordStartup } from './record-startup.js';
import { main as samplerCpu } from './sampler-cpu.js';
import { main as reportLoad } from './report-load.js';
import { main as statsEndToEnd } from './stats-end-to-end.js';
import { main as statsMemory } from './stats-memory.js';
import { main as tracingOverhead } from './tracing-overhead.js';
import { main as per4mOverhead } from './per4m-overhead.js';
import { main as samplingOverhead } from './sampling-overhead.js';

console.log('=== perf.data parsing: giltrace vs perf script ===');
await perfdataThroughput([bigRecording()]);
console.log('\n=== giltrace stats end to end vs perf script, peak RSS ===');
await statsEndToEnd([bigRecording()]);
console.log('\n=== giltrace stats and report on a 10x longer recording: peak RSS ===');
await statsMemory([]);
console.log('\n=== HTML report with ≥ 1 M GIL intervals: load to first paint ===');
await reportLoad();
console.log('\n=== Tracing overhead: the traced program with and without function context ===');
await tracingOverhead([]);
console.log('\n=== Exact tracing vs per4m-style probes: added program time, lost events ===');
await per4mOverhead([]);
console.log('\n=== Sampled mode: what sampling at 1000 ticks a second costs the program ===');
await samplingOverhead([]);
console.log('\n=== Sampled mode: the sampler\'s own CPU beside 100 threads ===');
await samplerCpu([]);
console.log('\n=== Fixed cost of a recording: record -- python3 -c pass vs untraced ===');
await recordStartup([]);
