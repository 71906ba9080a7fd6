/**
 * Exact tracing against the way per4m traces the GIL: what each adds to the traced program's time.
 *
 *   node dist/bench/per4m-overhead.js [PYTHON]        (default: python3 on PATH)
 *
 * per4m-style, as its README has it: `perf probe -x LIBPYTHON` on take_gil, take_gil%return,
 * drop_gil and drop_gil%return, then `perf record -e 'GROUP:*' -k CLOCK_MONOTONIC -- CMD` (the
 * command's tasks only, no scheduler events). giltrace: `giltrace record -- CMD` as a user runs it
 * (two probes: take_gil's return is placed, not probed; function context at the default depth;
 * the scheduler tracepoints, system-wide), and with `--stack-depth 0`. And two references:
 * giltrace's perf command line (perf-args.ts, perf starting the command) with its two probes bare
 * (take_gil's and drop_gil's entries, no fetch arguments), with and without the scheduler
 * tracepoints: what the traps and the scheduler events cost before anything giltrace adds (the
 * fetch arguments, the holder samples, perf's file read as it grows). Floors in principle; within
 * this VM's noise of `--stack-depth 0` in practice (the crunchers' rounds can put them above it). Three programs that print their own run time: one thread cycling
 * the GIL through os.read (the least noise), four contended CPU-bound threads with a 10 µs switch
 * interval, and a pipe ping-pong between two threads. Rounds interleave every variant; printed:
 * the median over rounds of giltrace's added time over per4m-style's added time (goal ≤ 0.85,
 * judged by the 95 % interval of that median: bench/median.ts), the same by CPU time (the probes'
 * and tracepoints' handlers count as the program's system time; steadier than wall time where
 * threads contend), and the events giltrace's recordings lost (goal 0). GILTRACE_BENCH_RUNS
 * rounds (default 9: the fewest whose interval leaves out the smallest and largest round);
 * GILTRACE_BENCH_PROGRAM=NAME runs only the programs whose file name contains NAME.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { intervalText, judgeAtMost, median } from './median.js';
import { openPerfData } from '../src/perfdata/index.js';
import { resolvePythonTarget } from '../src/probe/python-target.js';
import { perfRecordArgs } from '../src/record/perf-args.js';

const REPO = new URL('../../', import.meta.url).pathname;
const CLI = join(REPO, 'dist/src/cli/main.js');

const PROGRAMS = [
  { name: 'gil_cycles_solo.py', args: ['200000'] },
  { name: 'crunch_work.py', args: ['10000000', '1e-5'] },
  { name: 'pipe_pingpong.py', args: ['40000'] },
] as const;

const VARIANTS = ['untraced', 'per4m-style', 'giltrace', 'giltrace --stack-depth 0', 'two bare probes + scheduler events', 'two bare probes'] as const;
/** The references: perf as giltrace runs it, the probes without fetch arguments (their own group, `${group}_bare`). */
const BARE = ['two bare probes + scheduler events', 'two bare probes'] as const;
/** giltrace's default --buffer. */
const BUFFER = '16M';
/** Issue 12: exact tracing adds at most this share of what per4m-style probes add. */
const GOAL = 0.85;
type Variant = (typeof VARIANTS)[number];

interface Run {
  readonly seconds: number;
  /** The program's CPU time (user + system): probe handlers count as its system time. */
  readonly cpuSeconds: number;
  /** Events the recording says were lost (giltrace's variants). */
  readonly lost?: number;
}

/** `perf probe` copies the probed library into ~/.debug (its build-id cache): a scratch HOME keeps it out of the real one. */
function perf(args: readonly string[], home: string): string {
  const run = spawnSync('perf', args, { encoding: 'utf8', timeout: 300_000, env: { ...process.env, HOME: home } });
  if (run.status !== 0) throw new Error(`perf ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

/** per4m's four probes on the interpreter's libpython, in a group of this bench's own; the two entries alone in `${group}_bare`. */
function addPer4mProbes(library: string, group: string, home: string): void {
  for (const spec of ['take_gil=take_gil', 'take_gil=take_gil%return', 'drop_gil=drop_gil', 'drop_gil=drop_gil%return']) {
    perf(['probe', '-q', '-f', '-x', library, `${group}:${spec}`], home);
  }
  for (const spec of ['take_gil=take_gil', 'drop_gil=drop_gil']) perf(['probe', '-q', '-f', '-x', library, `${group}_bare:${spec}`], home);
}

function isBare(variant: Variant): variant is (typeof BARE)[number] {
  return (BARE as readonly string[]).includes(variant);
}

function commandLine(command: readonly string[], variant: Variant, group: string, data: string): string[] {
  if (variant === 'untraced') return [...command];
  if (variant === 'per4m-style') return ['perf', 'record', '-q', '-N', '-B', '-e', `${group}:*`, '-k', 'CLOCK_MONOTONIC', '-o', data, '--', ...command];
  if (isBare(variant)) {
    const args = perfRecordArgs({ output: data, probeEvents: [`${group}_bare:*`], bufferSize: BUFFER, compress: false, schedEvents: variant !== 'two bare probes' });
    return ['perf', ...args, '--', ...command];
  }
  return [CLI, 'record', ...(variant === 'giltrace' ? [] : ['--stack-depth', '0']), '-o', data, '--', ...command];
}

function runOnce(command: readonly string[], variant: Variant, group: string, data: string): Run {
  const argv = commandLine(command, variant, group, data);
  const run = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 300_000 });
  if (run.status !== 0) throw new Error(`${argv.join(' ')} failed: ${run.stderr}`);
  // the program prints its wall time, then its CPU time
  const [seconds, cpuSeconds] = run.stdout.trim().split('\n').pop()!.split(' ').map(Number);
  if (!variant.startsWith('giltrace')) return { seconds, cpuSeconds };
  const recording = openPerfData(data);
  for (const _ of recording.records());
  return { seconds, cpuSeconds, lost: recording.stats.lostEvents };
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const python = argv[0] ?? 'python3';
  const runs = Number(process.env.GILTRACE_BENCH_RUNS ?? 9);
  const library = resolvePythonTarget([python]).gilLibrary;
  const group = `per4m_bench_${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'giltrace-per4m-'));
  try {
    // inside: a probe perf refuses (a stripped interpreter) must not leave the ones before it
    addPer4mProbes(library, group, dir);
    const only = process.env.GILTRACE_BENCH_PROGRAM;
    for (const program of PROGRAMS.filter((p) => !only || p.name.includes(only))) {
      const command = [python, join(REPO, 'bench/programs', program.name), ...program.args];
      const results = new Map<Variant, Run[]>(VARIANTS.map((v) => [v, []]));
      for (let i = 0; i < runs; i++) for (const v of VARIANTS) results.get(v)!.push(runOnce(command, v, group, join(dir, 'bench.data')));
      const seconds = (v: Variant) => median(results.get(v)!.map((r) => r.seconds));
      console.log(`${program.name} ${program.args.join(' ')} (${python}), median of ${runs}: ` + VARIANTS.map((v) => `${v} ${seconds(v).toFixed(3)} s`).join(', '));
      for (const v of VARIANTS.slice(2)) {
        // per round, then the median: the untraced anchor drifts between minutes on this VM
        const ratios = (key: 'seconds' | 'cpuSeconds') =>
          results.get(v)!.map((r, i) => {
            const base = results.get('untraced')![i][key];
            return (r[key] - base) / (results.get('per4m-style')![i][key] - base);
          });
        const wall = ratios('seconds');
        const cpu = ratios('cpuSeconds');
        const lost = results.get(v)!.reduce((sum, r) => sum + (r.lost ?? 0), 0);
        const goal = isBare(v) ? ` (a reference: ${intervalText(wall)})` : ` (goal ≤ ${GOAL}; ${judgeAtMost(wall, GOAL)})`;
        // CPU time as well: where threads contend, wall time wanders with the scheduling
        console.log(
          `  ${v} / per4m-style, added time: ${median(wall).toFixed(3)}${goal} (rounds: ${wall.map((x) => x.toFixed(2)).join(' ')}); ` +
            `added CPU time: ${median(cpu).toFixed(3)} (${intervalText(cpu)})` +
            (isBare(v) ? '' : `; lost events in ${runs} recordings: ${lost}`),
        );
      }
    }
  } finally {
    // tolerant: when the first probe failed there is none to delete, and that failure is the one to see
    for (const g of [group, `${group}_bare`]) spawnSync('perf', ['probe', '-q', '-d', `${g}:*`], { env: { ...process.env, HOME: dir } });
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
