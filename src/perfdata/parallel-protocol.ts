/**
 * What the two threads of a parallel read say to each other. The worker reads, cuts, queues and
 * sorts (RecordQueue); the main thread decodes (PerfReader). Record bytes and batches live in
 * SharedArrayBuffers: messages carry only their handles, never copies.
 */
import type { MessagePort } from 'node:worker_threads';
import type { PerfReadStats } from './types.js';

/** Slots of the shared Int32Array both threads synchronise on with Atomics. */
export const Ctrl = {
  /** Messages the worker has posted (incremented after each post; the main thread waits on it). */
  POSTED: 0,
  /** Batches the main thread has finished decoding (the worker waits on it before reusing their memory). */
  CONSUMED: 1,
  /** Set by the main thread when the consumer stopped early. */
  STOP: 2,
  /** Set by the worker as its last act. */
  EXITED: 3,
  SIZE: 4,
} as const;

export interface WorkerInput {
  readonly path: string;
  readonly fd: number;
  readonly fileSize: number;
  readonly maxQueueBytes: number | undefined;
  readonly blockSize: number | undefined;
  readonly ctrl: SharedArrayBuffer;
  readonly port: MessagePort;
}

/** A header record met in the data (pipe-style records in a file), for the decoder's table too. */
export interface HeaderRecordMessage {
  readonly type: number;
  readonly record: Uint8Array;
  readonly fileOffset: number;
  readonly payload: Uint8Array;
}

interface WithNews {
  /** Pool blocks created since the previous message: [id, its shared memory]. */
  readonly newBlocks: Array<[number, SharedArrayBuffer]>;
  readonly headerRecords: HeaderRecordMessage[];
  readonly stats: PerfReadStats;
  readonly liveBlocks: number;
}

export interface ReadyMessage extends WithNews {
  readonly kind: 'ready';
  readonly hasBase: boolean;
  readonly baseHi: number;
  readonly baseLo: number;
}

export interface BatchMessage extends WithNews {
  readonly kind: 'batch';
  /** 1, 2, 3...: the main thread acknowledges it in Ctrl.CONSUMED once decoded. */
  readonly seq: number;
  readonly count: number;
  readonly leadKey: number;
  readonly keys: Float64Array;
  readonly blocks: Int32Array;
  readonly offs: Int32Array;
  readonly lens: Int32Array;
  readonly attrs: Int32Array;
  readonly fileOffs: Float64Array;
}

export interface EndMessage extends WithNews {
  readonly kind: 'end';
}

export interface ErrorMessage {
  readonly kind: 'error';
  /** A GiltraceError (bad input) keeps its file and offset; anything else is a bug. */
  readonly giltrace: boolean;
  readonly message: string;
  readonly file: string | undefined;
  readonly offset: number | undefined;
}

export type WorkerMessage = ReadyMessage | BatchMessage | EndMessage | ErrorMessage;
