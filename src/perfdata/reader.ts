import { GiltraceError } from '../base/errors.js';
import type { PerfAttr } from './attr.js';
import { RecordType } from './constants.js';
import { decodeComm, decodeLost, decodeMmap, decodeSample, decodeTask, MutableSample, type Fail } from './decode.js';
import type { EventTypeImpl } from './event-type.js';
import type { MutableFeatures } from './features.js';
import type { RecordQueue } from './record-queue.js';
import type { Batch } from './sorter.js';
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

  get bytesRead(): number {
    return this.queue.bytesRead;
  }

  get timeBaseNs(): bigint {
    return this.queue.timeBaseNs;
  }

  /** Pool blocks alive now (tests check the memory bound with it). */
  get liveBlocks(): number {
    return this.queue.pool.live;
  }

  /** Records the pool counts as lying in its blocks: 0 once everything was read (tests check it). */
  get blockRefs(): number {
    return this.queue.pool.pinned;
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
    // the batch names entries of the sorter's queue (see EntryList)
    const e = b.idx[b.next++];
    const entries = b.entries;
    const off = entries.off(e);
    const len = entries.len(e);
    const attr = queue.table.attrs[entries.attr(e)];
    this.failOffset = entries.fileOff(e);
    const views = queue.pool;
    const block = entries.block(e);
    const dv = views.dvs[block];
    const type = dv.getUint32(off, true);
    if (type !== RecordType.SAMPLE) {
      this.result.value = this.decodeOther(type, views.blocks[block], dv, off, len, attr, recordTime(entries.keys[e], b));
      return this.result;
    }
    // the time goes straight into the sample's float field; passed to a call on a path shared
    // with other record types, V8 boxed it into a new heap number for every record
    const smp = this.sample;
    smp.time = recordTime(entries.keys[e], b);
    decodeSample(views.blocks[block], views.words[block], dv, off, len, attr, smp, this.failRecord);
    this.result.value = smp;
    return this.result;
  }

  /** The records that are not samples (comm, fork, exit, mmap, lost): a few per thousand. */
  private decodeOther(type: number, arena: Uint8Array, dv: DataView, off: number, len: number, attr: PerfAttr, time: number): PerfRecord {
    switch (type) {
      case RecordType.COMM: return decodeComm(arena, dv, off, len, attr, time, this.failRecord);
      case RecordType.FORK:
      case RecordType.EXIT: return decodeTask(dv, off, len, attr, time, this.failRecord);
      case RecordType.MMAP:
      case RecordType.MMAP2: return decodeMmap(arena, dv, off, len, attr, time, this.failRecord);
      default: return decodeLost(dv, off, len, attr, time, this.failRecord);
    }
  }

  /** Early exit from a for-of loop: release the file. */
  return(): IteratorResult<PerfRecord> {
    this.queue.stop();
    return this.doneResult;
  }
}

/** A record's time: its sort key, or for records from before the first timestamp the earliest time known (0 if none). */
function recordTime(key: number, b: Batch): number {
  return key !== -Infinity ? key : b.leadKey === b.leadKey ? b.leadKey : 0;
}
