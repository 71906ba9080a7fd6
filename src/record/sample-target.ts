/**
 * `giltrace record --sample`: runs the command (or watches attached processes) while a worker
 * thread samples every Python process of it HZ times a second (sampling-session.ts). No probes,
 * no perf, no code in the target: nothing to clean up, and the target never stops.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { constants as osConstants } from 'node:os';
import { GiltraceError } from '../base/errors.js';
import type { AttachedProcess } from '../contract/recording-manifest.js';
import { findPythonRuntime } from '../probe/python-runtime.js';
import { isRunning } from '../probe/running-process.js';
import { ProcessSampler } from './gil-sampler.js';
import { SignalRelay } from './record-target.js';
import { runsPythonHook, withPythonHook } from './python-hook.js';
import type { SessionRequest, SessionResult } from './sampling-session.js';
import { startSamplerThread } from './sampler-thread.js';
import { removeTempFilesOfDeadRuns, tempFilePath } from './temp-files.js';

export interface SampleRequest {
  readonly command: readonly string[];
  /** Attached processes (then `command` is only their description). */
  readonly attach?: { readonly processes: readonly AttachedProcess[]; readonly durationMs?: number };
  readonly hz: number;
  /** The most of one CPU the sampler's thread may use (0.1: 10 %; SessionRequest.cpuBudget). */
  readonly cpuBudget?: number;
  readonly output: string;
  readonly stop?: AbortSignal;
  /** Called once the processes were found sampleable and sampling began. */
  readonly onSampling?: () => void;
}

export interface SampleResult extends SessionResult {
  /** The command's exit code (128+N for signal N); 0 when attached. */
  readonly exitCode: number;
}

const ATTACHED_POLL_MS = 100;

export async function sampleTarget(request: SampleRequest): Promise<SampleResult> {
  checkWritable(request.output);
  // (no cleanup watcher here: what a killed sampled run left, the next run removes)
  removeTempFilesOfDeadRuns();
  const signals = new SignalRelay();
  let cleanUp = (): unknown => undefined;
  try {
    signals.throwIfInterrupted();
    if (request.attach) {
      for (const { pid } of request.attach.processes) checkSampleable(pid);
      const sampler = startSamplerThread(sessionRequest(request, request.attach.processes.map((p) => p.pid)));
      await sampler.ready;
      request.onSampling?.();
      await whileAttached(request, signals);
      return { exitCode: 0, ...(await sampler.stop()) };
    }
    // Python thread names: giltrace's hook in the programs it starts writes them to a file of ours
    const names = runsPythonHook(request.command, process.env) ? pythonNamesFile() : undefined;
    cleanUp = () => names && fs.rmSync(names, { force: true });
    // the sampler is up before the command starts, so that its first moments are seen
    const sampler = startSamplerThread(sessionRequest(request, [], names));
    await sampler.ready;
    request.onSampling?.();
    signals.throwIfInterrupted();
    const [file, ...args] = request.command;
    const env = names ? { ...withPythonHook(process.env), GILTRACE_NAMES: names } : process.env;
    const child = spawn(file, args, { stdio: 'inherit', env });
    const exited = childExit(child, file);
    if (child.pid !== undefined) sampler.setRoot(child.pid);
    signals.forwardTo(child);
    const interrupt = () => child.kill('SIGINT');
    request.stop?.addEventListener('abort', interrupt);
    try {
      const exitCode = await exited;
      const result = await sampler.stop();
      return { exitCode, ...result };
    } catch (e) {
      await sampler.stop().catch(() => undefined);
      throw e;
    } finally {
      request.stop?.removeEventListener('abort', interrupt);
      signals.forwardTo(undefined);
    }
  } catch (e) {
    fs.rmSync(request.output, { force: true });
    throw e;
  } finally {
    cleanUp();
    signals.dispose();
  }
}

/** An empty file only this user may read and write, for the Python names (undefined when none can be made: no names then). */
function pythonNamesFile(): string | undefined {
  const path = tempFilePath('names');
  try {
    fs.closeSync(fs.openSync(path, 'wx', 0o600));
    return path;
  } catch {
    return undefined;
  }
}

function checkWritable(path: string): void {
  try {
    fs.closeSync(fs.openSync(path, 'w'));
  } catch (e) {
    throw new GiltraceError(`cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** An attached process must be a Python whose memory giltrace may read: said at once, in one line. */
function checkSampleable(pid: number): void {
  const runtime = findPythonRuntime(pid);
  if ('why' in runtime) throw new GiltraceError(`cannot sample process ${pid}: ${runtime.why}`);
  new ProcessSampler(runtime).close();
}

/** What the sampler's thread is asked to do for `giltrace record --sample`. */
function sessionRequest(request: SampleRequest, roots: readonly number[], pythonNames?: string): SessionRequest {
  return {
    roots,
    command: request.command,
    hz: request.hz,
    ...(request.cpuBudget !== undefined ? { cpuBudget: request.cpuBudget } : {}),
    output: request.output,
    ...(pythonNames !== undefined ? { pythonNames } : {}),
    ...(request.attach ? { attached: request.attach.processes.map((p) => ({ pid: p.pid, command: p.command })) } : {}),
  };
}

function childExit(child: ReturnType<typeof spawn>, file: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(new GiltraceError(error.code === 'ENOENT' ? `command not found: ${file}` : `cannot run ${file}: ${error.message}`));
    });
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0)));
  });
}

/** Attached: samples until the duration ends, a signal comes, or no attached process is left. */
function whileAttached(request: SampleRequest, signals: SignalRelay): Promise<void> {
  const attach = request.attach!;
  return new Promise<void>((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    const finish = () => {
      for (const t of timers) clearTimeout(t), clearInterval(t);
      signals.stopOn(undefined);
      request.stop?.removeEventListener('abort', finish);
      resolve();
    };
    signals.stopOn(finish);
    if (request.stop?.aborted) return finish();
    request.stop?.addEventListener('abort', finish);
    if (attach.durationMs !== undefined) timers.push(setTimeout(finish, attach.durationMs));
    timers.push(setInterval(() => {
      if (!attach.processes.some((p) => isRunning(p.pid))) finish();
    }, ATTACHED_POLL_MS));
  });
}
