/**
 * Never harm the traced program: run a command untraced and under `giltrace record`, and compare
 * what the program did (stdout, stderr, exit code). Every run has a time limit, so a traced
 * program that hangs fails the test in a minute instead of blocking the suite.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { StatsJson } from '../../src/contract/stats.js';
import { REPO, giltrace } from './giltrace-cli.js';

export const RUN_LIMIT_MS = 60_000;
/** For node:test's `timeout`: two limited runs plus reading the recording. */
export const TEST_LIMIT_MS = 3 * RUN_LIMIT_MS;

export interface ProgramRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runUntraced(command: readonly string[], env: NodeJS.ProcessEnv): ProgramRun {
  const run = spawnSync(command[0], command.slice(1), {
    cwd: REPO,
    env,
    encoding: 'utf8',
    timeout: RUN_LIMIT_MS,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { code: run.status, signal: run.signal, stdout: run.stdout, stderr: run.stderr };
}

/** The program's part of a `giltrace record` run: giltrace's own lines all start with `giltrace: `. */
export function runTraced(command: readonly string[], env: NodeJS.ProcessEnv, data: string): ProgramRun & { readonly giltraceLines: string[] } {
  const run = giltrace(['record', '-o', data, '--', ...command], { env, timeoutMs: RUN_LIMIT_MS });
  const giltraceLines = run.stderr.split('\n').filter((line) => line.startsWith('giltrace: '));
  const stderr = run.stderr.replace(/^giltrace: .*\n?/gm, '');
  return { code: run.code, signal: run.signal, stdout: run.stdout, stderr, giltraceLines };
}

/** Runs both ways, asserts the program could not tell, returns the recording's stats. */
export function assertBehavesAsUntraced(command: readonly string[], env: NodeJS.ProcessEnv, data: string): StatsJson {
  const untraced = runUntraced(command, env);
  assert.equal(untraced.signal, null, `untraced run did not finish in ${RUN_LIMIT_MS / 1000} s: ${untraced.stderr}`);
  const traced = runTraced(command, env, data);
  assert.equal(traced.signal, null, `traced run did not finish in ${RUN_LIMIT_MS / 1000} s (a hang?): ${traced.stderr}`);
  assert.ok(traced.giltraceLines.some((line) => line.startsWith('giltrace: wrote ')), `no recording written: ${traced.giltraceLines.join('\n')}`);
  assert.equal(traced.stdout, untraced.stdout, 'stdout differs from the untraced run');
  assert.equal(traced.stderr, untraced.stderr, 'stderr differs from the untraced run');
  assert.equal(traced.code, untraced.code, 'exit code differs from the untraced run');
  return readStats(data);
}

export function readStats(data: string): StatsJson {
  const stats = giltrace(['stats', data, '--json'], { timeoutMs: RUN_LIMIT_MS });
  assert.equal(stats.code, 0, `the recording reads: ${stats.stderr}`);
  return JSON.parse(stats.stdout) as StatsJson;
}

/** Names of the threads of the one traced process (with GIL events). */
export function threadNames(stats: StatsJson): string[] {
  assert.equal(stats.processes.length, 1, `one traced process, got ${stats.processes.map((p) => p.pid).join(', ')}`);
  return stats.processes[0].threads.map((thread) => thread.name);
}

export const OS_NAMES_WARNING = /threads show OS names/;

/** pyenv's Python 2.7 (bin/python2.7: pyenvPython() looks for bin/python3), or undefined. */
export function pyenvPython2(): string | undefined {
  const root = join(homedir(), '.pyenv/versions');
  const version = existsSync(root) ? readdirSync(root).filter((name) => /^2\.7\.\d+$/.test(name)).sort().pop() : undefined;
  const python = version && join(root, version, 'bin/python2.7');
  return python && existsSync(python) ? python : undefined;
}
