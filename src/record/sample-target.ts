/**
 * `giltrace record --sample`: runs the command (or watches attached processes) while a worker
 * thread samples every Python process of it HZ times a second (sampling-session.ts). No probes,
 * no perf, no code in the target: nothing to clean up, and the target never stops.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { GiltraceError } from '../base/errors.js';
import type { AttachedProcess } from '../contract/recording-manifest.js';
import { findPythonRuntime } from '../probe/python-runtime.js';
import { isRunning } from '../probe/running-process.js';
import { ProcessSampler } from './gil-sampler.js';
import { SignalRelay } from './record-target.js';
import { runsPythonHook, withPythonHook } from './python-hook.js';
import type { SampleWorkerData, SampleWorkerReply } from './sample-worker.js';
import { CONTROL, type SessionResult } from './sampling-session.js';

export interface SampleRequest {
  readonly command: readonly string[];
  /** Attached processes (then `command` is only their description). */
  readonly attach?: { readonly processes: readonly AttachedProcess[]; readonly durationMs?: number };
  readonly hz: number;
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
  const signals = new SignalRelay();
  let cleanUp = (): unknown => undefined;
  try {
    signals.throwIfInterrupted();
    if (request.attach) {
      for (const { pid } of request.attach.processes) checkSampleable(pid);
      const sampler = await startSampler(request, request.attach.processes.map((p) => p.pid));
      request.onSampling?.();
      await whileAttached(request, signals);
      return { exitCode: 0, ...(await sampler.stop()) };
    }
    // Python thread names: giltrace's hook in the programs it starts writes them to a file of ours
    const names = runsPythonHook(request.command, process.env) ? pythonNamesFile() : undefined;
    cleanUp = () => names && fs.rmSync(names, { force: true });
    // the sampler is up before the command starts, so that its first moments are seen
    const sampler = await startSampler(request, [], names);
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
  const path = join(tmpdir(), `giltrace-names-${process.pid}-${randomBytes(6).toString('hex')}`);
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

interface RunningSampler {
  /** The command's process, once started (the sampler was started before it). */
  setRoot(pid: number): void;
  /** Stops the ticks and resolves when the recording is complete. */
  stop(): Promise<SessionResult>;
}

/** Resolves once the sampler's thread is ticking. */
async function startSampler(request: SampleRequest, roots: readonly number[], pythonNames?: string): Promise<RunningSampler> {
  const control = new SharedArrayBuffer(CONTROL.size * 4);
  const flags = new Int32Array(control);
  const data: SampleWorkerData = {
    request: {
      roots,
      command: request.command,
      hz: request.hz,
      output: request.output,
      ...(pythonNames !== undefined ? { pythonNames } : {}),
      ...(request.attach ? { attached: request.attach.processes.map((p) => ({ pid: p.pid, command: p.command })) } : {}),
    },
    control,
  };
  withoutOptimizingCompiler();
  const worker = new Worker(new URL('./sample-worker.js', import.meta.url), { workerData: data });
  let ready: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (ready = resolve));
  const done = new Promise<SessionResult>((resolve, reject) => {
    worker.on('message', (reply: SampleWorkerReply) => {
      if ('ready' in reply) ready();
      else if ('error' in reply) reject(new GiltraceError(`sampling failed: ${reply.error}`));
      else resolve(reply.result);
    });
    worker.once('error', (e) => reject(new GiltraceError(`sampling failed: ${e.message}`)));
    worker.once('exit', () => reject(new GiltraceError('sampling stopped without a result')));
  });
  // a long session gets the optimizing compiler back once the sampler's code is warm (see below)
  const warm = setTimeout(withOptimizingCompiler, OPTIMIZE_AFTER_MS);
  warm.unref();
  done
    .catch(() => undefined) // awaited by stop(); an early failure must not be an unhandled rejection
    .finally(() => {
      clearTimeout(warm);
      withOptimizingCompiler();
    });
  await Promise.race([started, done]);
  return {
    setRoot: (pid) => Atomics.store(flags, CONTROL.rootPid, pid),
    stop: () => {
      Atomics.store(flags, CONTROL.stop, 1);
      Atomics.notify(flags, CONTROL.stop);
      return done;
    },
  };
}

/**
 * V8's optimizing compiler (TurboFan, process-wide) is off for the sampler's first seconds: its
 * ticks are syscalls mostly, and over a short run compiling its functions cost more CPU than the
 * compiled code saved. Measured (crunch_work.py, 1000 ticks a second, ~3 s): giltrace's CPU while
 * sampling 850 ms with it, 460-535 ms without (V8's compiler threads were busy the whole time).
 * Over a long session the compiled code wins: from the 6th to the 9th second of a longer run
 * (12-05, three runs each), the sampler's thread took 60-73 µs a tick with it against 113-137 µs
 * without (giltrace's whole process, seconds 6 to 12, four runs: 660-840 ms against 830-980).
 * So it comes back after OPTIMIZE_AFTER_MS (the compiling then costs ~0.4 s of CPU once), and
 * for the analysis. Left alone when the user chose for node (execArgv) themselves.
 */
const OPTIMIZE_AFTER_MS = 3000;

function withoutOptimizingCompiler(): void {
  if (!userChoseTiering()) setFlagsFromString('--no-turbofan');
}

function withOptimizingCompiler(): void {
  if (!userChoseTiering()) setFlagsFromString('--turbofan');
}

function userChoseTiering(): boolean {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => /^--(no-)?(turbofan|opt)\b|^--max-opt/.test(a));
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
