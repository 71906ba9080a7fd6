/** Helpers for end-to-end tests: run the built CLI for real, find the real interpreters. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StatsJson, ThreadStats, ProcessStats } from '../../src/contract/stats.js';
import type { Drop, Timeline } from '../../src/model/timeline.js';
import { CLI, EXAMPLES, REPO_ROOT as REPO, TEST_PROGRAMS as PROGRAMS } from '../support/fixture-paths.js';
import { ownersBeingCleanedUp } from '../../src/record/cleanup-watcher.js';

export { CLI, EXAMPLES, PROGRAMS, REPO };

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function giltrace(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? REPO,
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    // (the JSON stats of a program of many threads outgrow spawnSync's default 1 MB)
    maxBuffer: 256 << 20,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** Starts the CLI in the background (for signal tests). */
export function giltraceAsync(args: readonly string[], options: { cwd?: string } = {}) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<CliResult>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'giltrace-test-'));
}

/** pyenv's build of Python X.Y on this machine, or undefined when it is not installed. */
export function pyenvPython(minor: string): string | undefined {
  const root = join(homedir(), '.pyenv/versions');
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root)
    .filter((name) => name.startsWith(`${minor}.`) && /^\d+\.\d+\.\d+$/.test(name))
    .sort()
    .pop();
  const python = version && join(root, version, 'bin/python3');
  return python && existsSync(python) ? python : undefined;
}

export const PYENV_MINORS = ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13'] as const;

/** Records `args` with giltrace and returns the stats JSON of the recording. */
export function recordAndStats(command: readonly string[], dir: string): { record: CliResult; stats: StatsJson } {
  const data = join(dir, 'rec.data');
  const record = giltrace(['record', '-o', data, '--', ...command]);
  if (record.code === null || record.stderr.includes('giltrace: internal error')) {
    throw new Error(`record failed: ${record.stderr}`);
  }
  const stats = giltrace(['stats', data, '--json']);
  if (stats.code !== 0) throw new Error(`stats failed (${stats.code}): ${stats.stderr}`);
  return { record, stats: JSON.parse(stats.stdout) as StatsJson };
}

/** The one process that ran `script` (the traced python). */
export function tracedProcess(stats: StatsJson): ProcessStats {
  if (stats.processes.length !== 1) throw new Error(`expected one traced process, got ${stats.processes.length}`);
  return stats.processes[0];
}

/**
 * giltrace probe definitions whose owning giltrace process is gone: must never exist once its
 * cleanup watcher is done. A recording returns as soon as its file is complete and leaves the
 * watcher to remove the probes when perf has closed its events (record/perf-finish.ts): this
 * waits for such watchers (up to 20 s, far more than they take), then looks.
 */
export function leftoverProbes(): string[] {
  const deadline = Date.now() + 20_000;
  for (;;) {
    // watchers first: one that is gone by now has finished, so the probes read after it are current
    const watched = ownersBeingCleanedUp();
    const left = orphanProbeLines();
    if (!left.some((line) => watched.has(ownerOf(line))) || Date.now() > deadline) return left;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}

function orphanProbeLines(): string[] {
  let text = '';
  try {
    text = readFileSync('/sys/kernel/tracing/uprobe_events', 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((line) => ownerOf(line) > 0 && !isAlive(ownerOf(line)));
}

function ownerOf(probeLine: string): number {
  return Number(/giltrace_(\d+)_/.exec(probeLine)?.[1] ?? 0);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function mainThread(process: ProcessStats): ThreadStats {
  const main = process.threads.find((thread) => thread.tid === process.pid);
  if (!main) throw new Error(`no main thread (tid ${process.pid}) among ${process.threads.map((t) => t.tid).join(', ')}`);
  return main;
}

/**
 * Threads other than the main one, in the order they started (the stats list threads so). Not in
 * tid order: thread ids wrap at pid_max (32768 here), and a thread started after another then has
 * the lower id (CI, 12-07: usleep_holder.py's spinner taken for its holder).
 */
export function otherThreads(process: ProcessStats): ThreadStats[] {
  return process.threads.filter((thread) => thread.tid !== process.pid);
}


/**
 * A program's own account of where its threads were, [tid, start, end, name] (CLOCK_MONOTONIC
 * ns): each entry with the recording's drops of that thread in [start, end] (undefined: the
 * thread is not in the recording).
 */
export function dropsDuring(timeline: Timeline, log: readonly (readonly [number, number, number, string])[]): { tid: number; name: string; drops: Drop[] | undefined }[] {
  const threads = new Map(timeline.processes.flatMap((p) => p.threads).map((t) => [t.tid, t]));
  const base = timeline.timeBaseNs;
  return log.map(([tid, start, end, name]) => ({
    tid,
    name,
    drops: threads.get(tid)?.drops.filter((d) => {
      const at = base + BigInt(Math.round(d.time));
      return at >= BigInt(start) && at <= BigInt(end);
    }),
  }));
}
