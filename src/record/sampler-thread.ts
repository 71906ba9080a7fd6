/**
 * The sampler's thread (sample-worker.ts), started and stopped from the main thread: for
 * `giltrace record --sample` (sample-target.ts) and for an exact recording's holder samples
 * (record-target.ts).
 */
import { Worker } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { GiltraceError } from '../base/errors.js';
import type { SampleWorkerData, SampleWorkerReply } from './sample-worker.js';
import { CONTROL, type SessionRequest, type SessionResult } from './sampling-session.js';

export interface RunningSampler {
  /** Resolves once the sampler's thread is ticking (rejects when it could not start). */
  readonly ready: Promise<void>;
  /** The command's process, once started (the sampler was started before it). */
  setRoot(pid: number): void;
  /** Stops the ticks and resolves when the recording is complete. */
  stop(): Promise<SessionResult>;
}

/** Starts the sampler's thread (loading it takes ~0.1 s: `ready` says when it ticks). */
export function startSamplerThread(request: SessionRequest): RunningSampler {
  const control = new SharedArrayBuffer(CONTROL.size * 4);
  const flags = new Int32Array(control);
  const data: SampleWorkerData = { request, control };
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
  return {
    ready: Promise.race([started, done.then(() => undefined)]),
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
