/**
 * What one GIL cycle (a release and a take: three probe hits, with the frames read at the
 * release) costs the traced program on this machine: the observer effect, measured rather than
 * guessed. A Python loop of calls that release the GIL runs once untraced and once under
 * giltrace's probes, recorded by a per-task perf; the difference per call is the cost. Kept per
 * kernel, CPU, interpreter file and stack depth (0.7-1.4 s to measure).
 *
 * Measured again once the last measure is REMEASURE_AFTER_MS old, and the figure used is the
 * median of the last KEPT_MEASURES of the day: a uprobe trap's cost drifts on this VM (the
 * 3.11 cycle with function context measured 16.1 µs one day and 11.3-14.7 µs the next, three
 * measures a minute apart), and a figure measured once and kept for good had the estimate off
 * by a third.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { retrySync } from '../base/sleep.js';
import { cachedAnswer, fileStamp } from '../probe/disk-cache.js';
import type { PythonTarget } from '../probe/python-target.js';
import { registerGilProbes, type ProbeOptions } from '../probe/uprobes.js';

/** v2: 3.6's measures of v1 were of no GIL at all (see LOOP); v3: measures kept with their times. */
const CACHE_NAME = 'probe-cost-v3';
const REMEASURE_AFTER_MS = 3_600_000;
const KEPT_MEASURES = 5;
/** Measures older than this are not used while newer ones exist (the machine of a day ago may have been another). */
const MEASURE_USED_FOR_MS = 86_400_000;

/** One measure: when (ms since the epoch), and the ns a cycle (null: it could not be measured). */
export interface CostMeasure {
  readonly at: number;
  readonly ns: number | null;
}
/**
 * os.stat() releases the GIL around its system call on every version: one GIL cycle per call,
 * made four frames deep like a worker thread's code (frames read past the bottom of a stack
 * fault in the kernel and would make a shallow loop look dearer than real code). A thread is
 * started first: 3.6 makes its GIL only then, and a program without one releases nothing (its
 * cycle measured 1 µs instead of ~11).
 */
const LOOP = [
  'import os, threading, time',
  'threading.Thread(target=len, args=((),)).start()',
  'def calls(n):',
  '    for _ in range(n): os.stat(".")',
  'def timed(n):',
  '    t = time.perf_counter()',
  '    calls(n)',
  '    return (time.perf_counter() - t) / n',
  'def best():',
  '    return min(timed(4000) for _ in range(5))',
  'def main():',
  '    print("giltrace-ns-per-call", round(best() * 1e9))',
  'main()',
].join('\n');

/**
 * Nanoseconds one GIL cycle costs under giltrace's probes; undefined when it could not be measured.
 * `mayMeasureAgain` false (an attach, whose recording the measure would start a second later: a
 * child the process starts meanwhile is missed): the kept figure however old, measured only if
 * there is none.
 */
export function probeCostPerCycle(target: PythonTarget, probes: ProbeOptions, mayMeasureAgain = true): number | undefined {
  const key = `${os.release()}|${os.cpus()[0]?.model ?? ''}|${target.gilLibrary}|${fileStamp(target.gilLibrary)}|${probes.frameDepth ?? 0}|${probes.takeReturns === true}|${probes.codePointers === true}`;
  const answer = cachedAnswer(
    CACHE_NAME,
    key,
    isMeasures,
    (stale) => ({ measures: [...(stale?.measures ?? []), { at: Date.now(), ns: measure(target, probes) ?? null }].slice(-KEPT_MEASURES) }),
    ({ measures }) => !mayMeasureAgain || Date.now() - measures[measures.length - 1].at < REMEASURE_AFTER_MS,
  );
  return costOf(answer.measures, Date.now());
}

/**
 * The median of the measures that succeeded (the lower middle of an even count): of the last
 * day's, or of all when none is that recent; undefined when none succeeded.
 */
export function costOf(measures: readonly CostMeasure[], now: number): number | undefined {
  const succeeded = measures.filter((m) => m.ns !== null);
  const recent = succeeded.filter((m) => now - m.at < MEASURE_USED_FOR_MS);
  const ns = (recent.length > 0 ? recent : succeeded).map((m) => m.ns!).sort((a, b) => a - b);
  return ns.length === 0 ? undefined : ns[(ns.length - 1) >> 1];
}

function isMeasures(value: unknown): value is { measures: readonly CostMeasure[] } {
  const measures = (value as { measures?: unknown } | null)?.measures;
  return Array.isArray(measures) && measures.length > 0 && measures.every((m) => typeof m?.at === 'number' && (m.ns === null || typeof m.ns === 'number'));
}

function measure(target: PythonTarget, options: ProbeOptions): number | undefined {
  const untraced = nsPerCall([target.executable, '-c', LOOP]);
  if (untraced === undefined) return undefined;
  const probes = registerGilProbes(target, options);
  const dir = mkdtempSync(join(os.tmpdir(), 'giltrace-probe-cost-'));
  try {
    const events = probes.eventNames.flatMap((name) => ['-e', name]);
    const traced = nsPerCall(['perf', 'record', '-q', '-N', '-B', '--no-bpf-event', '-o', join(dir, 'cost.data'), ...events, '--', target.executable, '-c', LOOP]);
    return traced === undefined ? undefined : Math.max(0, traced - untraced);
  } finally {
    retrySync(() => probes.remove().length === 0, 5_000);
    rmSync(dir, { recursive: true, force: true });
  }
}

function nsPerCall(argv: readonly string[]): number | undefined {
  const run = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  const found = /giltrace-ns-per-call (\d+)/.exec(run.stdout ?? '');
  return found ? Number(found[1]) : undefined;
}
