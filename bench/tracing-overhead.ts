/**
 * What tracing costs the traced program, and what function context adds to it.
 *
 *   node dist/bench/tracing-overhead.js [PYTHON]        (default: python3 on PATH)
 *
 * Two programs that print their own run time: one thread cycling the GIL alone through os.read
 * (bench/programs/gil_cycles_solo.py: the probes' cost per cycle with the least noise), and two
 * threads passing bytes through pipes (pipe_pingpong.py: a GIL release and take around every read
 * and write, hand-offs between threads as a busy service has them). GIL cycles come as fast as the
 * kernel allows, so the probes' cost dominates. Each runs untraced and under
 * `giltrace record --stack-depth D` for D = 0 (no function context), 3 (the default) and 8 (the
 * deepest; GILTRACE_BENCH_DEPTHS=1,2,3 for others), GILTRACE_BENCH_RUNS times (default 5),
 * interleaved so that the machine's drift hits
 * every variant alike. Prints the medians, the added time per GIL cycle (cycles counted in the
 * recording) and the median over rounds of function context's added time over plain tracing's
 * in the same round: the goal is at most 1.10 at the default depth. Depth 8 reads past the bottom of these threads' stacks
 * (5 frames deep): each frame missing there costs a fault in the kernel, which it shows.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './median.js';
import { openPerfData } from '../src/perfdata/index.js';
import { probeRoleOf } from '../src/contract/probe-names.js';

const REPO = new URL('../../', import.meta.url).pathname;
const CLI = join(REPO, 'dist/src/cli/main.js');

interface Program {
  readonly name: string;
  readonly args: readonly string[];
}

const PROGRAMS: readonly Program[] = [
  { name: 'gil_cycles_solo.py', args: ['200000'] },
  { name: 'pipe_pingpong.py', args: ['40000'] },
];

/** giltrace's default --stack-depth (cli/main.ts). */
const DEFAULT_DEPTH = 3;

/** undefined: untraced; a number: traced with that stack depth. */
type Variant = number | undefined;

interface Run {
  /** The program's wall time. */
  readonly seconds: number;
  /** Its CPU time (user + system): the probes' handlers count as system time of the traced threads. */
  readonly cpuSeconds: number;
  readonly cycles: number;
}

function runOnce(python: string, program: Program, variant: Variant, dir: string): Run {
  const script = join(REPO, 'bench/programs', program.name);
  const data = join(dir, 'bench.data');
  const command = [python, script, ...program.args];
  const argv = variant === undefined ? command : [CLI, 'record', '--stack-depth', String(variant), '-o', data, '--', ...command];
  // (giltrace as its command runs: the file itself, whose first lines start node: cli/main.ts)
  const run = spawnSync(argv[0], argv.slice(1), {
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (run.status !== 0) throw new Error(`${argv.join(' ')} failed: ${run.stderr}`);
  // the program prints its wall time (what users feel), then its CPU time
  const [seconds, cpuSeconds] = run.stdout.trim().split('\n').pop()!.split(' ').map(Number);
  return { seconds, cpuSeconds, cycles: variant === undefined ? 0 : countTakes(data) };
}

/** GIL acquisitions in the recording: take_gil entries of the traced program. */
function countTakes(file: string): number {
  const data = openPerfData(file);
  const takes = new Set(data.eventTypes.filter((e) => e.name.startsWith('giltrace_') && probeRoleOf(e.name.split(':')[1]) === 'take').map((e) => e.index));
  let n = 0;
  for (const record of data.records()) if (record.type === 'sample' && takes.has(record.event.index)) n++;
  return n;
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const python = argv[0] ?? 'python3';
  const runs = Number(process.env.GILTRACE_BENCH_RUNS ?? 5);
  const depths = (process.env.GILTRACE_BENCH_DEPTHS ?? `${DEFAULT_DEPTH},8`).split(',').map(Number);
  const variants: Variant[] = [undefined, 0, ...depths];
  const dir = mkdtempSync(join(tmpdir(), 'giltrace-overhead-'));
  try {
    for (const program of PROGRAMS) {
      const results = new Map<Variant, Run[]>(variants.map((v) => [v, []]));
      for (let i = 0; i < runs; i++) for (const v of variants) results.get(v)!.push(runOnce(python, program, v, dir));
      const base = median(results.get(undefined)!.map((r) => r.seconds));
      console.log(`${program.name} (${python}), median of ${runs}: untraced ${base.toFixed(3)} s`);
      for (const v of variants.slice(1)) {
        const seconds = median(results.get(v)!.map((r) => r.seconds));
        const cycles = median(results.get(v)!.map((r) => r.cycles));
        console.log(
          `  stack depth ${v}: ${seconds.toFixed(3)} s, +${(seconds - base).toFixed(3)} s for ${cycles} GIL cycles = ` +
            `${(((seconds - base) / cycles) * 1e6).toFixed(2)} µs per cycle`,
        );
      }
      // the ratio per round (each round ran every variant back to back), then the median: the
      // untraced anchor drifts by tens of percent between minutes on this VM, a round much less
      for (const v of variants.slice(2)) {
        const ratios = (key: 'seconds' | 'cpuSeconds') =>
          results.get(v)!.map((r, i) => {
            const base = results.get(undefined)![i][key];
            return (r[key] - base) / (results.get(0)![i][key] - base);
          });
        const wall = ratios('seconds');
        const cpu = ratios('cpuSeconds');
        const goal = v === DEFAULT_DEPTH ? ' (the default; goal ≤ 1.10)' : '';
        console.log(
          `  function context at depth ${v} / plain tracing, added time: ${median(wall).toFixed(3)}${goal}` +
            ` (rounds: ${wall.map((x) => x.toFixed(2)).join(' ')}); added CPU time: ${median(cpu).toFixed(3)}`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
