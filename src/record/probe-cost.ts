/**
 * What one GIL cycle (a release and a take: three probe hits, with the frames read at the
 * release) costs the traced program on this machine: the observer effect, measured rather than
 * guessed. A Python loop of calls that release the GIL runs once untraced and once under
 * giltrace's probes, recorded by a per-task perf; the difference per call is the cost. Kept per
 * kernel, CPU, interpreter file and stack depth (~1 s to measure, once).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { retrySync } from '../base/sleep.js';
import { cachedAnswer } from '../probe/disk-cache.js';
import type { PythonTarget } from '../probe/python-target.js';
import { registerGilProbes, type ProbeOptions } from '../probe/uprobes.js';

/** v2: 3.6's measures of v1 were of no GIL at all (see LOOP). */
const CACHE_NAME = 'probe-cost-v2';
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

/** Nanoseconds one GIL cycle costs under giltrace's probes; undefined when it could not be measured. */
export function probeCostPerCycle(target: PythonTarget, probes: ProbeOptions): number | undefined {
  const key = `${os.release()}|${os.cpus()[0]?.model ?? ''}|${target.gilLibrary}|${fileStamp(target.gilLibrary)}|${probes.frameDepth ?? 0}|${probes.takeReturns === true}|${probes.codePointers === true}`;
  const answer = cachedAnswer(CACHE_NAME, key, (value): value is { nsPerCycle: number | null } => typeof value === 'object' && value !== null && 'nsPerCycle' in value, () => ({
    nsPerCycle: measure(target, probes) ?? null,
  }));
  return answer.nsPerCycle ?? undefined;
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

function fileStamp(file: string): string {
  try {
    const st = statSync(file);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return '';
  }
}
