import { closeSync } from 'node:fs';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { GiltraceError } from '../base/errors.js';
import type { BlockViews } from './block-pool.js';
import { EventTable } from './event-table.js';
import type { FileHeader } from './file-header.js';
import type { MutableFeatures } from './features.js';
import { Ctrl, type BatchMessage, type WorkerInput, type WorkerMessage } from './parallel-protocol.js';
import { emptyStats, type RecordFeed } from './record-queue.js';
import { Batch } from './sorter.js';
import type { PerfReadStats } from './types.js';

/** How long the main thread waits for a word from the worker before checking it is still there. */
const WAIT_MS = 1000;

/**
 * The main thread's side of a parallel read of a file-form recording: a worker thread reads,
 * queues and sorts (parallel-worker.ts) while this thread decodes the batches it hands over.
 * Takes over `fd`: the worker closes it when it stops.
 */
export class ParallelFeed implements RecordFeed {
  readonly table: EventTable;
  readonly stats: PerfReadStats;
  readonly timeBaseNs: bigint;
  batch = new Batch(0);
  readonly views: BlockViews & { blocks: Uint8Array[]; dvs: DataView[]; words: Int32Array[] } = { blocks: [], dvs: [], words: [] };
  liveBlocks = 0;

  private readonly ctrl: Int32Array;
  private readonly port: MessagePort;
  private readonly worker: Worker;
  private seq = 0;
  private done = false;

  constructor(private readonly path: string, fd: number, fileSize: number, header: FileHeader, features: MutableFeatures, options: { maxQueueBytes?: number; blockSize?: number }) {
    this.table = new EventTable(path, header.attrs, header.formats, header.eventDescs, features, header.unknownFeatures);
    this.stats = emptyStats(header.unknownFeatures);
    const ctrl = new SharedArrayBuffer(4 * Ctrl.SIZE);
    this.ctrl = new Int32Array(ctrl);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const input: WorkerInput = { path, fd, fileSize, maxQueueBytes: options.maxQueueBytes, blockSize: options.blockSize, ctrl, port: port2 };
    try {
      this.worker = new Worker(new URL('./parallel-worker.js', import.meta.url), { workerData: { giltraceParallelRead: input }, transferList: [port2] });
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    // the worker must never keep the process alive: a consumer may drop the reader unfinished
    this.worker.unref();
    const ready = this.receive();
    if (ready.kind !== 'ready') throw new Error(`internal error: the parallel reader began with '${ready.kind}'`);
    this.timeBaseNs = ready.hasBase ? (BigInt(ready.baseHi) << 32n) | BigInt(ready.baseLo) : 0n;
    this.table.nameAll();
  }

  start(): void {
    // the worker starts releasing rounds on its own once the header is read
  }

  fillBatch(): boolean {
    while (!this.done) {
      // the batch just decoded may now be overwritten
      Atomics.store(this.ctrl, Ctrl.CONSUMED, this.seq);
      Atomics.notify(this.ctrl, Ctrl.CONSUMED);
      const m = this.receive();
      if (m.kind === 'end') {
        this.finish();
        return false;
      }
      if (m.kind !== 'batch') throw new Error(`internal error: unexpected '${m.kind}' from the parallel reader`);
      this.seq = m.seq;
      this.batch = batchOf(m);
      if (m.count > 0) return true;
    }
    return false;
  }

  stop(): void {
    if (this.done) return;
    Atomics.store(this.ctrl, Ctrl.STOP, 1);
    Atomics.notify(this.ctrl, Ctrl.CONSUMED);
    this.finish();
  }

  private finish(): void {
    this.done = true;
    this.batch = new Batch(0);
    this.port.close();
  }

  /** The worker's next message, applied; a worker error is rethrown here, in stream order. */
  private receive(): WorkerMessage {
    for (;;) {
      const posted = Atomics.load(this.ctrl, Ctrl.POSTED);
      const got = receiveMessageOnPort(this.port);
      if (got !== undefined) return this.apply(got.message as WorkerMessage);
      if (Atomics.load(this.ctrl, Ctrl.EXITED) !== 0 && receiveMessageOnPort(this.port) === undefined) {
        this.finish();
        throw new Error('internal error: the parallel reader stopped without a word');
      }
      Atomics.wait(this.ctrl, Ctrl.POSTED, posted, WAIT_MS);
    }
  }

  private apply(m: WorkerMessage): WorkerMessage {
    if (m.kind === 'error') {
      this.finish();
      if (!m.giltrace) throw new Error(m.message);
      throw rebuildError(m.message, m.file, m.offset);
    }
    const views = this.views;
    for (const [id, buffer] of m.newBlocks) {
      views.blocks[id] = new Uint8Array(buffer);
      views.dvs[id] = new DataView(buffer);
      views.words[id] = new Int32Array(buffer, 0, buffer.byteLength >>> 2);
    }
    for (const r of m.headerRecords) this.table.applyHeaderRecord(r.type, r.record, 0, r.record.length, r.fileOffset, r.payload);
    Object.assign(this.stats, m.stats);
    this.liveBlocks = m.liveBlocks;
    return m;
  }
}

function batchOf(m: BatchMessage): Batch {
  const b = new Batch(0);
  b.keys = m.keys;
  b.blocks = m.blocks;
  b.offs = m.offs;
  b.lens = m.lens;
  b.attrs = m.attrs;
  b.fileOffs = m.fileOffs;
  b.count = m.count;
  b.leadKey = m.leadKey;
  return b;
}

/** The worker's GiltraceError again, with the same message, file and offset. */
function rebuildError(message: string, file: string | undefined, offset: number | undefined): GiltraceError {
  const prefix = file === undefined ? '' : `${file}${offset === undefined ? '' : ` at byte ${offset}`}: `;
  return new GiltraceError(message.startsWith(prefix) ? message.slice(prefix.length) : message, { file, offset });
}
