/**
 * The sampler's thread: runs a SamplingSession until the main thread sets the stop flag, then
 * posts its result (or its error, as a message: the main thread says it in one line).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SamplingSession, type SessionRequest } from './sampling-session.js';

export interface SampleWorkerData {
  readonly request: SessionRequest;
  /** Int32 slots (sampling-session.ts CONTROL): stop, the command's pid. */
  readonly control: SharedArrayBuffer;
}

export type SampleWorkerReply =
  | { readonly ready: true }
  | { readonly result: ReturnType<SamplingSession['run']> }
  | { readonly error: string };

const data = workerData as SampleWorkerData;
let reply: SampleWorkerReply;
try {
  const session = new SamplingSession(data.request);
  // ready: the command may start now, and is sampled from its first moments
  parentPort!.postMessage({ ready: true } satisfies SampleWorkerReply);
  reply = { result: session.run(new Int32Array(data.control)) };
} catch (e) {
  reply = { error: (e as Error).message };
}
parentPort!.postMessage(reply);
