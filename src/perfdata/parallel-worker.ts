/**
 * The worker thread of a parallel read: reads the file and queues and sorts its records
 * (RecordQueue over shared memory), handing each time-ordered batch to the main thread, which
 * decodes while this thread reads on. At most two batches are out: the one being decoded and the
 * one just posted; a batch's memory is reused only after the main thread acknowledged it.
 */
import { closeSync } from 'node:fs';
import { isMainThread, workerData, type MessagePort } from 'node:worker_threads';
import { GiltraceError } from '../base/errors.js';
import { FileRangeSource } from './byte-source.js';
import type { MutableFeatures } from './features.js';
import { readFileHeader } from './file-header.js';
import { Ctrl, type HeaderRecordMessage, type WorkerInput, type WorkerMessage } from './parallel-protocol.js';
import { RecordQueue } from './record-queue.js';
import { Batch } from './sorter.js';

/** The consumer stopped early: unwinds the producer. */
class Stopped extends Error {}

/** The worker's side of the conversation: post a message, then wake the main thread. */
class Messenger {
  readonly ctrl: Int32Array;
  constructor(private readonly port: MessagePort, ctrl: SharedArrayBuffer) {
    this.ctrl = new Int32Array(ctrl);
  }

  post(message: WorkerMessage): void {
    this.port.postMessage(message);
    this.bump();
  }

  fail(err: unknown): void {
    const giltrace = err instanceof GiltraceError;
    this.post({
      kind: 'error', giltrace, message: err instanceof Error ? err.message : String(err),
      file: giltrace ? err.file : undefined, offset: giltrace ? err.offset : undefined,
    });
  }

  exit(): void {
    Atomics.store(this.ctrl, Ctrl.EXITED, 1);
    this.bump();
  }

  private bump(): void {
    Atomics.add(this.ctrl, Ctrl.POSTED, 1);
    Atomics.notify(this.ctrl, Ctrl.POSTED);
  }
}

class BatchProducer {
  readonly queue: RecordQueue;
  private readonly headerRecords: HeaderRecordMessage[] = [];
  private announcedBlocks = 0;
  private seq = 0;

  constructor(input: WorkerInput, private readonly messenger: Messenger) {
    const features: MutableFeatures = { present: [] };
    const h = readFileHeader(input.fd, input.path, input.fileSize, features);
    this.queue = new RecordQueue({
      path: input.path, form: 'file', source: new FileRangeSource(input.fd, input.path, h.dataOffset, h.dataOffset + h.dataSize),
      attrs: h.attrs, formats: h.formats, eventDescs: h.eventDescs, features, unknownFeatures: h.unknownFeatures,
      maxQueueBytes: input.maxQueueBytes, blockSize: input.blockSize,
    }, true);
    this.queue.onHeaderRecord = (type, record, fileOffset, payload) => this.headerRecords.push({ type, record, fileOffset, payload });
  }

  run(): void {
    const q = this.queue;
    q.readHeader();
    this.post({ kind: 'ready', hasBase: q.hasBase, baseHi: q.baseHi, baseLo: q.baseLo, ...this.news() });
    q.start();
    const sorter = q.sorter;
    // the next batch reuses the memory of the one before the last: the release waits until the
    // main thread has decoded that one, and reading goes on meanwhile
    sorter.beforeRelease = () => {
      if (!this.waitConsumed(this.seq - 1)) throw new Stopped();
      sorter.inFlight = sorter.inFlight.slice(-1);
    };
    let spare = new Batch(1024, true);
    try {
      while (q.fillBatch()) {
        const b = sorter.batch;
        this.seq++;
        this.post({
          kind: 'batch', seq: this.seq, count: b.count, leadKey: b.leadKey,
          keys: b.keys, blocks: b.blocks, offs: b.offs, lens: b.lens, attrs: b.attrs, fileOffs: b.fileOffs, ...this.news(),
        });
        // handed over: the sorter may release the next round, but keeps this one's blocks pinned
        b.next = b.count;
        sorter.inFlight.push(b);
        sorter.batch = spare;
        spare = b;
      }
    } catch (err) {
      if (err instanceof Stopped) return;
      throw err;
    }
    q.end();
    this.post({ kind: 'end', ...this.news() });
  }

  /** Waits until the main thread acknowledged batch `seq` (or asked to stop: false). */
  private waitConsumed(seq: number): boolean {
    const ctrl = this.messenger.ctrl;
    for (;;) {
      if (Atomics.load(ctrl, Ctrl.STOP) !== 0) return false;
      const done = Atomics.load(ctrl, Ctrl.CONSUMED);
      if (done >= seq) return true;
      Atomics.wait(ctrl, Ctrl.CONSUMED, done);
    }
  }

  /** What the main thread has not heard of yet: new blocks, header records, the counters. */
  private news(): { newBlocks: Array<[number, SharedArrayBuffer]>; headerRecords: HeaderRecordMessage[]; stats: RecordQueue['stats']; liveBlocks: number } {
    const pool = this.queue.pool;
    const newBlocks: Array<[number, SharedArrayBuffer]> = [];
    for (let id = this.announcedBlocks; id < pool.blocks.length; id++) newBlocks.push([id, pool.blocks[id].buffer as SharedArrayBuffer]);
    this.announcedBlocks = pool.blocks.length;
    this.queue.syncStats();
    return { newBlocks, headerRecords: this.headerRecords.splice(0), stats: { ...this.queue.stats }, liveBlocks: pool.live };
  }

  private post(message: WorkerMessage): void {
    this.messenger.post(message);
  }
}

if (!isMainThread && (workerData as { giltraceParallelRead?: WorkerInput } | null)?.giltraceParallelRead !== undefined) {
  const input = (workerData as { giltraceParallelRead: WorkerInput }).giltraceParallelRead;
  const messenger = new Messenger(input.port, input.ctrl);
  let producer: BatchProducer | undefined;
  try {
    producer = new BatchProducer(input, messenger);
    producer.run();
  } catch (err) {
    messenger.fail(err);
  } finally {
    // this thread owns the file descriptor from the start: close it exactly once
    if (producer !== undefined) producer.queue.end();
    else closeSync(input.fd);
    messenger.exit();
  }
}
