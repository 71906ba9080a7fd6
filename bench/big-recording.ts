/**
 * The large recording the benchmarks share: bench/programs/contention.py recorded by giltrace
 * itself. Made once and reused (it takes a while); GILTRACE_BENCH_DATA points to another file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const REPO = new URL('../../', import.meta.url).pathname;

export function bigRecording(): string {
  return process.env.GILTRACE_BENCH_DATA || contentionRecording('contention.data', process.env.GILTRACE_BENCH_SECONDS ?? '14');
}

/** The same program recorded for `seconds` into bench/.data/`name` (once: later runs reuse it). */
export function contentionRecording(name: string, seconds: string): string {
  const dir = join(REPO, 'bench/.data');
  const file = join(dir, name);
  if (existsSync(file) && statSync(file).size > 0) return file;
  mkdirSync(dir, { recursive: true });
  console.error(`bench: recording ${file} (4 threads contending for ${seconds} s, ≥ ${Math.round(Number(seconds) / 7)} M events)...`);
  const result = spawnSync(
    // as the `giltrace` command runs (the file's first lines start node), with its default
    // buffers (16M per CPU), so rounds are as big as in users' recordings
    join(REPO, 'dist/src/cli/main.js'),
    ['record', '-o', file, '--', 'python3', join(REPO, 'bench/programs/contention.py'), seconds],
    { stdio: 'inherit' },
  );
  if (result.status !== 0) throw new Error(`recording the benchmark program failed (exit ${result.status})`);
  return file;
}
