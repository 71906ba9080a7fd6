/**
 * The sampler's thread (sample-worker.ts), started and stopped from the main thread: for
 * `giltrace record --sample` (sample-target.ts) and for an exact recording's holder samples
 * (record-target.ts).
 */
import { Worker } from 'node:worker_threads';
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
  /** How many code addresses the drops' naming found new so far (it counts up). */
  newCodes(): number;
}

/**
 * Starts the sampler's thread (loading it takes ~0.1 s: `ready` says when it ticks).
 *
 * V8's optimizing compiler stays on from the first tick. It was off for the sampler's first 3 s
 * (12-04 to 12-06), which saved giltrace CPU (a 3 s run: 460-535 ms against 850) but made each
 * tick slower (81 µs a tick interpreted, the ping-pong's steady state), and a tick preempts the
 * program (sampler-slice.ts): the pipe ping-pong (80 000 rounds, 21 interleaved rounds, 12-06)
 * ran +10.8 % sampled with it off at first, -1.1 % with it on; four crunchers +3.2 % / +2.2 %
 * (11 rounds), the sampler's CPU 471 / 651 ms over their 2.4 s. The program's time is the cost.
 */
export function startSamplerThread(request: SessionRequest): RunningSampler {
  const control = new SharedArrayBuffer(CONTROL.size * 4);
  const flags = new Int32Array(control);
  const data: SampleWorkerData = { request, control };
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
  done.catch(() => undefined); // awaited by stop(); an early failure must not be an unhandled rejection
  return {
    ready: Promise.race([started, done.then(() => undefined)]),
    setRoot: (pid) => Atomics.store(flags, CONTROL.rootPid, pid),
    newCodes: () => Atomics.load(flags, CONTROL.newCodes),
    stop: () => {
      Atomics.store(flags, CONTROL.stop, 1);
      Atomics.notify(flags, CONTROL.stop);
      return done;
    },
  };
}
