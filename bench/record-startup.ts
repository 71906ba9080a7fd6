/**
 * The fixed cost of a recording: `giltrace record -- PYTHON -c pass` against the same command
 * untraced, and `giltrace run` (record + summary + report) beside them. Needs root and perf.
 *
 *   node dist/bench/record-startup.js [PYTHON]        (default: python3 as PATH finds it)
 *
 * One warm-up recording first (it fills the caches a first run on a machine fills: what an
 * interpreter is, where its GIL functions are, what a probe hit costs), then
 * GILTRACE_BENCH_RUNS rounds (default 5) of untraced / record / run back to back, so that the
 * machine's drift hits each alike. Prints the medians and what giltrace adds; the goal is
 * record ≤ untraced + 0.5 s.
 *
 * What a recording's fixed cost is made of (12-04, 2 loaded vCPUs, an ELF python3.11):
 * node's own start ~0.1 s, giltrace's imports ~0.1 s, perf's start until it records ~0.15-0.2 s
 * (it reads /proc/kallsyms twice), the traced command under the probes (~+0.03 s for the
 * ~1,700 GIL cycles of Python's start-up), perf writing the file ~0.02 s. No longer in it:
 * asking the interpreter and reading its ELF files (cached on disk, ~0.3 s), a second node
 * for the cleanup watcher (a shell script now, ~0.1 s of CPU), perf closing its events after
 * the file is written (left to perf and the watcher, 0.3-0.4 s). A pyenv shim adds `pyenv
 * which` (~0.3 s here) that giltrace runs to find the interpreter.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { median } from './median.js';
import { retrySync, sleepSync } from '../src/base/sleep.js';
import { listProbeGroups } from '../src/probe/uprobes.js';

const REPO = new URL('../../', import.meta.url).pathname;
const CLI = join(REPO, 'dist/src/cli/main.js');
const GOAL_SECONDS = 0.5;

type Variant = 'untraced' | 'record' | 'run';

function timed(file: string, args: readonly string[]): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(file, args, { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`${file} ${args.join(' ')} failed (${run.status ?? run.signal}): ${run.stderr}`);
  return seconds;
}

/**
 * Waits until the last recording's probes are gone (its watcher removes them once its perf has
 * closed its events), at most 5 s. perf closes each event in a kernel grace period, holding the
 * lock that adding a probe and opening an event take: a recording started within ~0.3 s of the
 * last one's end waited 0.16-0.27 s for it here (12-06), which the command itself, run once,
 * never pays.
 */
function afterLastTeardown(): void {
  retrySync(() => listProbeGroups().length === 0, 5000, 20);
  sleepSync(50);
}

function runOnce(variant: Variant, python: string, dir: string): number {
  afterLastTeardown();
  const command = [python, '-c', 'pass'];
  if (variant === 'untraced') return timed(python, command.slice(1));
  const data = join(dir, `${variant}.data`);
  const args = variant === 'record' ? ['record', '-o', data] : ['run', '-o', join(dir, 'report.html'), '--data', data];
  // as the `giltrace` command runs: the file itself, whose first lines start node (cli/main.ts)
  return timed(CLI, [...args, '--', ...command]);
}

/** What PATH finds for a bare name, for the output: a pyenv shim costs the same traced and untraced, plus a `pyenv which`. */
function describe(python: string): string {
  if (python.includes('/')) return python;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      const found = realpathSync(join(dir, python));
      return `${python} = ${join(dir, python)}${found !== join(dir, python) ? ` → ${found}` : ''}`;
    } catch {
      // not in this folder
    }
  }
  return python;
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const python = argv[0] ?? 'python3';
  const runs = Number(process.env.GILTRACE_BENCH_RUNS ?? 5);
  const dir = mkdtempSync(join(tmpdir(), 'giltrace-startup-'));
  try {
    const warmUp = runOnce('record', python, dir);
    const variants: Variant[] = ['untraced', 'record', 'run'];
    const times = new Map<Variant, number[]>(variants.map((v) => [v, []]));
    for (let i = 0; i < runs; i++) for (const v of variants) times.get(v)!.push(runOnce(v, python, dir));
    const base = median(times.get('untraced')!);
    const show = (v: Variant) => times.get(v)!.map((s) => s.toFixed(2)).join(' ');
    console.log(`${describe(python)} -c pass, median of ${runs} (warm-up recording: ${warmUp.toFixed(2)} s)`);
    console.log(`  untraced:          ${base.toFixed(3)} s  (${show('untraced')})`);
    for (const v of ['record', 'run'] as const) {
      const seconds = median(times.get(v)!);
      const goal = v === 'record' ? `  goal ≤ +${GOAL_SECONDS.toFixed(1)} s: ${seconds - base <= GOAL_SECONDS ? 'met' : 'NOT met'}` : '';
      console.log(`  giltrace ${v.padEnd(7)}:  ${seconds.toFixed(3)} s  (${show(v)}), +${(seconds - base).toFixed(3)} s${goal}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
