/**
 * `giltrace stats` end to end (a fresh `node dist/src/cli/main.js stats --json FILE` process:
 * start-up, reading, model, analysis, JSON) vs `perf script -F tid,cpu,time,event,trace` on the
 * same file, in the same run: what a user waits for, not the reader alone. Also its peak RSS.
 *
 *   node dist/bench/stats-end-to-end.js RECORDING      (or GILTRACE_BENCH_DATA=RECORDING)
 *   node dist/bench/stats-end-to-end.js RECORDING --giltrace OTHER/dist/src/cli/main.js
 *       (time another build of giltrace against this one, alternating: before/after a change)
 *
 * Each side runs GILTRACE_BENCH_RUNS times (default 5), alternating, each in a fresh process;
 * medians are compared (this 2-CPU machine is shared: single runs wander by ±30 %). Wall time and
 * peak RSS of the child come from /usr/bin/time (GNU time) when it is installed; without it,
 * wall time only. Goals (issue 12): ≥ 10x perf script, peak RSS ≤ 150 MB.
 *
 * Measured 12-04 on the 227 MB / 1.9 M-record bench recording, load ~1-2 on the 2 vCPUs, 7 runs
 * each, medians: main 3.17 s wall, 3.82 s CPU, 230 MB; the faststats branch (no event objects,
 * chunked step tracks, one joint sweep per thread instead of interval lists) 1.99 s, 2.56 s,
 * 187 MB; perf script 5.21 s, 5.21 s. CPU time exceeds wall time: V8's GC and compiler threads.
 * README.md (Development) says where the rest goes.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { perfScriptSeconds } from './perfdata-throughput.js';

const RUNS = Number(process.env.GILTRACE_BENCH_RUNS ?? 5);
const GILTRACE = new URL('../src/cli/main.js', import.meta.url).pathname;
const GNU_TIME = '/usr/bin/time';

interface Run {
  readonly seconds: number;
  /** CPU seconds (user + system) of the child: steadier than wall time on a loaded machine; undefined without GNU time. */
  readonly cpuSeconds: number | undefined;
  /** Peak resident set of the child (MB); undefined without GNU time. */
  readonly rssMb: number | undefined;
}

/**
 * One `giltrace stats --json FILE` (or another command on FILE), timed, with its peak RSS when GNU
 * time is there. The recording is read afresh (GILTRACE_NO_CACHE=1: no stats kept from an earlier
 * command, cli/stats-cache.ts), unless `kept`.
 */
export function statsOnce(file: string, main = GILTRACE, command: readonly string[] = ['stats', '--json'], kept = false): Run {
  const withTime = fs.existsSync(GNU_TIME);
  // run as the `giltrace` command runs it: its first lines are a shell script that starts node
  // with giltrace's V8 options and malloc settings (cli/main.ts)
  const argv = [main, ...command, file];
  const env = kept ? process.env : { ...process.env, GILTRACE_NO_CACHE: '1' };
  const start = process.hrtime.bigint();
  const out = withTime
    ? spawnSync(GNU_TIME, ['-f', '%e %M %U %S', ...argv], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], env })
    : spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], env });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (out.status !== 0) throw new Error(`giltrace ${command[0]} failed (exit ${out.status}): ${out.stderr}`);
  // GNU time's line is the last one on stderr: "<elapsed s> <max RSS KB> <user s> <system s>"
  const last = withTime ? out.stderr.trim().split('\n').pop()!.split(' ') : [];
  return {
    seconds,
    rssMb: withTime ? Number(last[1]) / 1024 : undefined,
    cpuSeconds: withTime ? Number(last[2]) + Number(last[3]) : undefined,
  };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const list = (xs: readonly number[], digits = 2): string => xs.map((x) => x.toFixed(digits)).join(' ');

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const file = argv[0] ?? process.env.GILTRACE_BENCH_DATA;
  const otherAt = argv.indexOf('--giltrace');
  const other = otherAt >= 0 ? argv[otherAt + 1] : undefined;
  if (file === undefined || !fs.existsSync(file) || (otherAt >= 0 && (other === undefined || !fs.existsSync(other)))) {
    console.error('usage: stats-end-to-end RECORDING [--giltrace OTHER/dist/src/cli/main.js]');
    return 2;
  }
  const ours: Run[] = [];
  const others: Run[] = [];
  const theirs: Array<{ seconds: number; cpuSeconds: number | undefined }> = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(statsOnce(file));
    if (other !== undefined) others.push(statsOnce(file, other));
    const t = perfScriptSeconds(file);
    if (t !== undefined) theirs.push(t);
  }
  const cpuText = (xs: readonly (number | undefined)[]): string => {
    const known = xs.filter((x): x is number => x !== undefined);
    return known.length === xs.length && known.length > 0 ? `, median ${median(known).toFixed(3)} s CPU` : '';
  };
  const describe = (name: string, runs: readonly Run[]): number => {
    const seconds = median(runs.map((r) => r.seconds));
    const rss = runs.map((r) => r.rssMb).filter((r): r is number => r !== undefined);
    const rssText = rss.length > 0 ? `, peak RSS median ${median(rss).toFixed(0)} MB (max ${Math.max(...rss).toFixed(0)}; goal ≤ 150)` : ', peak RSS unknown (no /usr/bin/time)';
    console.log(`${name}: median ${seconds.toFixed(3)} s wall${cpuText(runs.map((r) => r.cpuSeconds))}${rssText}  (runs: ${list(runs.map((r) => r.seconds))} s)`);
    return seconds;
  };
  console.log(`file: ${file} (${(fs.statSync(file).size / 1e6).toFixed(1)} MB); ${RUNS} fresh runs each, alternating; medians`);
  const oursSeconds = describe('giltrace stats --json', ours);
  if (other !== undefined) {
    const otherSeconds = describe(`other build (${other})`, others);
    const cpu = (runs: readonly Run[]) => median(runs.map((r) => r.cpuSeconds ?? NaN));
    const cpuRatio = Number.isFinite(cpu(ours) / cpu(others)) ? `, ${(cpu(ours) / cpu(others)).toFixed(2)} of its CPU time` : '';
    console.log(`this build / other build: ${(oursSeconds / otherSeconds).toFixed(2)} of its wall time${cpuRatio}`);
  }
  if (theirs.length === 0) {
    console.log('perf script: not available (perf not installed or failed)');
    return 0;
  }
  const theirSeconds = median(theirs.map((t) => t.seconds));
  console.log(`perf script -F tid,cpu,time,event,trace: median ${theirSeconds.toFixed(3)} s wall${cpuText(theirs.map((t) => t.cpuSeconds))}  (runs: ${list(theirs.map((t) => t.seconds))} s)`);
  const ourCpu = median(ours.map((r) => r.cpuSeconds ?? NaN));
  const theirCpu = median(theirs.map((t) => t.cpuSeconds ?? NaN));
  const byCpu = Number.isFinite(theirCpu / ourCpu) ? `, ${(theirCpu / ourCpu).toFixed(1)}x by CPU time` : '';
  console.log(`ratio: giltrace stats end to end ${(theirSeconds / oursSeconds).toFixed(1)}x faster than perf script by wall time${byCpu} (goal: 10x)`);
  // the same file asked again (after `run`, or a `diff` against it): the stats kept from the first
  statsOnce(file, GILTRACE, ['stats', '--json'], true);
  const again = Array.from({ length: RUNS }, () => statsOnce(file, GILTRACE, ['stats', '--json'], true).seconds);
  console.log(`giltrace stats again on the same file (its stats kept from the first): median ${median(again).toFixed(3)} s wall, ${(theirSeconds / median(again)).toFixed(1)}x perf script  (runs: ${list(again)} s)`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
  process.exitCode = await main();
}
