import { GiltraceError } from '../base/errors.js';
import { RecordType } from './constants.js';
import { decodeComm, decodeLost, decodeMmap, decodeSample, decodeTask, MutableSample, type Fail } from './decode.js';
import type { EventTypeImpl } from './event-type.js';
import type { MutableFeatures } from './features.js';
import type { RecordQueue } from './record-queue.js';
import type { PerfData, PerfReadStats, PerfRecord } from './types.js';

/**
 * The consuming half of the reader: decodes the queue's time-ordered batches into records, one
 * reused sample object at a time (see index.ts for the lifetime rules).
 */
export class PerfReader implements PerfData, IterableIterator<PerfRecord> {
  private started = false;
  private readonly sample: MutableSample;
  private readonly result: { done: boolean; value: PerfRecord } = { done: false, value: undefined as unknown as PerfRecord };
  private readonly doneResult = { done: true as const, value: undefined };
  private failOffset = 0;
  private readonly failRecord: Fail = (message) => {
    throw new GiltraceError(message, { file: this.path, offset: this.failOffset });
  };

  constructor(readonly path: string, readonly form: 'file' | 'pipe', private readonly queue: RecordQueue) {
    this.sample = new MutableSample(queue.table.eventTypes[0]);
  }

  get eventTypes(): EventTypeImpl[] {
    return this.queue.table.eventTypes;
  }

  get features(): MutableFeatures {
    return this.queue.table.features;
  }

  get stats(): PerfReadStats {
    return this.queue.stats;
  }

  get timeBaseNs(): bigint {
    return this.queue.timeBaseNs;
  }

  /** Pool blocks alive now (tests check the memory bound with it). */
  get liveBlocks(): number {
    return this.queue.pool.live;
  }

  records(): IterableIterator<PerfRecord> {
    if (this.started) throw new Error('internal error: PerfData.records() may be called once');
    this.started = true;
    this.queue.start();
    return this;
  }

  [Symbol.iterator](): IterableIterator<PerfRecord> {
    return this;
  }

  next(): IteratorResult<PerfRecord> {
    const queue = this.queue;
    let b = queue.batch;
    if (b.next >= b.count) {
      if (!queue.fillBatch()) return this.doneResult;
      b = queue.batch;
    }
    const i = b.next++;
    const off = b.offs[i];
    const len = b.lens[i];
    const attr = queue.table.attrs[b.attrs[i]];
    const key = b.keys[i];
    const time = key !== -Infinity ? key : b.leadKey === b.leadKey ? b.leadKey : 0;
    this.failOffset = b.fileOffs[i];
    const views = queue.pool;
    const block = b.blocks[i];
    const arena = views.blocks[block];
    const dv = views.dvs[block];
    const type = dv.getUint32(off, true);
    let rec: PerfRecord;
    switch (type) {
      case RecordType.SAMPLE: {
        const smp = this.sample;
        smp.time = time;
        decodeSample(arena, views.words[block], dv, off, len, attr, smp, this.failRecord);
        rec = smp;
        break;
      }
      case RecordType.COMM: rec = decodeComm(arena, dv, off, len, attr, time, this.failRecord); break;
      case RecordType.FORK:
      case RecordType.EXIT: rec = decodeTask(dv, off, len, attr, time, this.failRecord); break;
      case RecordType.MMAP:
      case RecordType.MMAP2: rec = decodeMmap(arena, dv, off, len, attr, time, this.failRecord); break;
      default: rec = decodeLost(dv, off, len, attr, time, this.failRecord); break;
    }
    this.result.value = rec;
    return this.result;
  }

  /** Early exit from a for-of loop: release the file. */
  return(): IteratorResult<PerfRecord> {
    this.queue.stop();
    return this.doneResult;
  }
}
