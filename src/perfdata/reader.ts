import { GiltraceError } from '../base/errors.js';
import { parseAttr, type PerfAttr } from './attr.js';
import { BLOCK_SIZE, BlockPool } from './block-pool.js';
import { ByteView } from './byte-view.js';
import type { ByteSource } from './byte-source.js';
import { RecordType, TWO_POW_32 } from './constants.js';
import { decodeComm, decodeLost, decodeMmap, decodeSample, decodeTask, MutableSample, type Fail } from './decode.js';
import { makeEventType } from './event-names.js';
import type { EventTypeImpl } from './event-type.js';
import { parseFeature, type EventDesc, type MutableFeatures } from './features.js';
import { RecordCutter } from './record-cutter.js';
import { Sorter } from './sorter.js';
import { parseTracingData } from './tracing-data.js';
import type { TracepointFormat } from './tracepoint-format.js';
import type { PerfData, PerfReadStats, PerfRecord } from './types.js';

const SMALL_ID_LIMIT = 1 << 16;

export interface ReaderInit {
  readonly path: string;
  readonly form: 'file' | 'pipe';
  readonly source: ByteSource;
  readonly attrs: PerfAttr[];
  readonly formats: Map<number, TracepointFormat>;
  readonly eventDescs: EventDesc[];
  readonly features: MutableFeatures;
  readonly unknownFeatures: number;
  /** Sorter memory bound in bytes (tests make it tiny). */
  readonly maxQueueBytes?: number;
  /** Block size of the record pool (tests make it tiny); default from the data size, at most 4 MiB. */
  readonly blockSize?: number;
  /** Called with the cutter before any record: pipe mode reads its 16-byte header there. */
  readonly onCutter?: (cutter: RecordCutter) => void;
}

/**
 * The streaming reader: pulls records from the cutter, handles perf's own records (attrs,
 * tracing data, features, rounds) on the spot, queues the rest in the time sorter, and decodes
 * them when they come out in time order.
 */
export class PerfReader implements PerfData, IterableIterator<PerfRecord> {
  readonly path: string;
  readonly form: 'file' | 'pipe';
  readonly eventTypes: EventTypeImpl[] = [];
  readonly features: MutableFeatures;
  readonly stats: PerfReadStats;

  private readonly attrs: PerfAttr[];
  private readonly formats: Map<number, TracepointFormat>;
  private readonly eventDescs: EventDesc[];
  private readonly namesById = new Map<number, string>();
  private idSmall = new Int32Array(0);
  private readonly idMap = new Map<number, number>();
  private single = true;
  private sampleIdPos = -1;
  private trailerIdEnd = -1;

  private readonly cutter: RecordCutter;
  private readonly source: ByteSource;
  private readonly sorter: Sorter;
  private readonly pool: BlockPool;
  private hasBase = false;
  private baseHi = 0;
  private baseLo = 0;
  private lastTimedKey = -Infinity;
  private ended = false;
  private started = false;
  private readonly sample: MutableSample;
  private readonly result: { done: boolean; value: PerfRecord } = { done: false, value: undefined as unknown as PerfRecord };
  private readonly doneResult = { done: true as const, value: undefined };
  private failOffset = 0;
  private readonly failRecord: Fail = (message) => {
    throw new GiltraceError(message, { file: this.path, offset: this.failOffset });
  };

  constructor(init: ReaderInit) {
    this.path = init.path;
    this.form = init.form;
    this.attrs = init.attrs;
    this.formats = init.formats;
    this.eventDescs = init.eventDescs;
    this.features = init.features;
    this.stats = {
      records: 0, samples: 0, lostEvents: 0, lostRecords: 0, unknownRecordTypes: 0, skippedRecords: 0, unknownIds: 0,
      outOfOrder: 0, untimed: 0, finishedRounds: 0, forcedFlushes: 0, unknownFeatures: init.unknownFeatures, bytes: 0, compressedBytes: 0,
    };
    this.source = init.source;
    // small recordings get small blocks (tests and fuzzing open thousands of them)
    this.pool = new BlockPool(init.blockSize ?? Math.max(256 << 10, Math.min(BLOCK_SIZE, init.source.remaining + 64)));
    this.cutter = new RecordCutter(init.source, init.path, this.pool);
    this.sorter = new Sorter(this.pool, init.maxQueueBytes);
    init.onCutter?.(this.cutter);
    this.attrsChanged(0);
    // pipe mode: perf's header records come first; read until the first timed record so that
    // event types and the time base are known when the caller gets this object
    while (!this.hasBase && !this.sorter.overBudget && this.pump()) { /* keep reading */ }
    if (this.attrs.length === 0) {
      throw new GiltraceError('the recording has no events (no attr records before the data)', { file: this.path, offset: this.cutter.nextOffset });
    }
    for (let i = 0; i < this.attrs.length; i++) this.nameAttr(i);
    this.sample = new MutableSample(this.eventTypes[0]);
    const clocked = this.attrs.find((a) => a.useClockid);
    if (clocked !== undefined && this.features.clockId === undefined) this.features.clockId = clocked.clockid;
  }

  /** Pool blocks alive now (tests check the memory bound with it). */
  get liveBlocks(): number {
    return this.pool.live;
  }

  get timeBaseNs(): bigint {
    return this.hasBase ? (BigInt(this.baseHi) << 32n) | BigInt(this.baseLo) : 0n;
  }

  records(): IterableIterator<PerfRecord> {
    if (this.started) throw new Error('internal error: PerfData.records() may be called once');
    this.started = true;
    return this;
  }

  [Symbol.iterator](): IterableIterator<PerfRecord> {
    return this;
  }

  next(): IteratorResult<PerfRecord> {
    const b = this.sorter.batch;
    if (b.next >= b.count && !this.refill()) return this.doneResult;
    const i = b.next++;
    const off = b.offs[i];
    const len = b.lens[i];
    const attr = this.attrs[b.attrs[i]];
    const key = b.keys[i];
    const time = key !== -Infinity ? key : b.leadKey === b.leadKey ? b.leadKey : 0;
    this.failOffset = b.fileOffs[i];
    const arena = this.pool.blocks[b.blocks[i]];
    const dv = this.pool.dvs[b.blocks[i]];
    const type = dv.getUint32(off, true);
    let rec: PerfRecord;
    switch (type) {
      case RecordType.SAMPLE: {
        const smp = this.sample;
        smp.time = time;
        decodeSample(arena, this.pool.words[b.blocks[i]], dv, off, len, attr, smp, this.failRecord);
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

  /** Reads until the sorter has records ready; false at the end. Closes the file on the way out. */
  private refill(): boolean {
    const s = this.sorter;
    try {
      while (s.readyConsumed) {
        if (this.ended) return false;
        if (!this.pump()) {
          s.finish();
          this.end();
        }
      }
      return true;
    } catch (err) {
      this.end();
      throw err;
    }
  }

  /** Early exit from a for-of loop: release the file. */
  return(): IteratorResult<PerfRecord> {
    this.sorter.batch.next = this.sorter.batch.count;
    this.end();
    return this.doneResult;
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.syncStats();
    this.source.close?.();
  }

  private syncStats(): void {
    this.stats.outOfOrder = this.sorter.outOfOrder;
    this.stats.forcedFlushes = this.sorter.forcedFlushes;
    this.stats.bytes = this.cutter.bytes;
    this.stats.compressedBytes = this.cutter.compressedBytes;
  }

  /** Reads and handles one record; false at the end of the data. */
  private pump(): boolean {
    const c = this.cutter;
    if (!c.next()) return false;
    const stats = this.stats;
    stats.records++;
    const type = c.type;
    if (type === RecordType.SAMPLE) {
      this.queueSample(c);
    } else if (type < RecordType.KERNEL_MAX) {
      switch (type) {
        case RecordType.COMM:
        case RecordType.FORK:
        case RecordType.EXIT:
        case RecordType.MMAP:
        case RecordType.MMAP2:
          this.queueOther(c);
          break;
        case RecordType.LOST:
        case RecordType.LOST_SAMPLES:
          stats.lostRecords++;
          stats.lostEvents += this.lostCount(c);
          this.queueOther(c);
          break;
        default:
          stats.skippedRecords++;
      }
    } else {
      this.handleUserRecord(c);
    }
    if (this.started && this.sorter.readyConsumed) {
      if (this.sorter.overBudget) this.sorter.forceFlush();
      else this.sorter.maybeEvacuate();
    }
    return true;
  }

  private queueSample(c: RecordCutter): void {
    const dv = c.dv;
    const p = c.pos;
    const size = c.size;
    let ai = 0;
    if (this.attrs.length === 0) this.recordFail(c, 'expected attr records before the first sample');
    if (!this.single) {
      const idp = this.sampleIdPos;
      if (idp + 8 > size) this.recordFail(c, `expected a sample id at byte ${idp} of the ${size}-byte sample`);
      ai = this.lookupId(dv.getUint32(p + idp, true) + dv.getUint32(p + idp + 4, true) * TWO_POW_32);
      if (ai < 0) {
        this.stats.unknownIds++;
        return;
      }
    }
    const attr = this.attrs[ai];
    if (size < attr.fixedEnd) this.recordFail(c, `expected a sample of at least ${attr.fixedEnd} bytes for its sample_type, found ${size}`);
    this.stats.samples++;
    const key = attr.timePos >= 0 ? this.timeKey(dv, p + attr.timePos) : this.untimedKey();
    if (c.block >= 0) this.sorter.add(c.block, p, size, key, ai, c.fileOffset);
    else this.sorter.addCopy(c.buf, p, size, key, ai, c.fileOffset);
  }

  private queueOther(c: RecordCutter): void {
    const dv = c.dv;
    const p = c.pos;
    const size = c.size;
    let ai = 0;
    const first = this.attrs[0];
    if (first === undefined) this.recordFail(c, 'expected attr records before the first event record');
    if (!this.single && first.sampleIdAll && this.trailerIdEnd > 0 && size >= this.trailerIdEnd + 8) {
      const at = p + size - this.trailerIdEnd;
      const found = this.lookupId(dv.getUint32(at, true) + dv.getUint32(at + 4, true) * TWO_POW_32);
      if (found >= 0) ai = found;
    }
    const attr = this.attrs[ai];
    let key: number;
    if (attr.sampleIdAll) {
      if (size < attr.trailerSize + 8) this.recordFail(c, `expected a record of at least ${attr.trailerSize + 8} bytes (header + sample_id_all fields), found ${size}`);
      key = attr.trailerTime > 0 ? this.timeKey(dv, p + size - attr.trailerTime) : this.untimedKey();
    } else if ((c.type === RecordType.FORK || c.type === RecordType.EXIT) && size >= 32) {
      key = this.timeKey(dv, p + 24);
    } else {
      key = this.untimedKey();
    }
    if (c.block >= 0) this.sorter.add(c.block, p, size, key, ai, c.fileOffset);
    else this.sorter.addCopy(c.buf, p, size, key, ai, c.fileOffset);
  }

  private lostCount(c: RecordCutter): number {
    const at = c.type === RecordType.LOST ? 16 : 8;
    if (c.size < at + 8) this.recordFail(c, `expected a lost-events record of at least ${at + 8} bytes, found ${c.size}`);
    return c.dv.getUint32(c.pos + at, true) + c.dv.getUint32(c.pos + at + 4, true) * TWO_POW_32;
  }

  /** Sort key of a u64 timestamp: ns relative to the time base, exact in float64 (two u32 halves). */
  private timeKey(dv: DataView, at: number): number {
    const lo = dv.getUint32(at, true);
    const hi = dv.getUint32(at + 4, true);
    if (lo === 0 && hi === 0) return this.untimedKey(); // perf's synthesized records: no time
    if (!this.hasBase) {
      this.hasBase = true;
      this.baseHi = hi;
      this.baseLo = lo;
    }
    const key = (hi - this.baseHi) * TWO_POW_32 + (lo - this.baseLo);
    this.lastTimedKey = key;
    return key;
  }

  private untimedKey(): number {
    this.stats.untimed++;
    return this.lastTimedKey;
  }

  private lookupId(id: number): number {
    if (id < this.idSmall.length) return this.idSmall[id];
    const found = this.idMap.get(id);
    return found === undefined ? -1 : found;
  }

  private recordFail(c: RecordCutter, message: string): never {
    throw new GiltraceError(message, { file: this.path, offset: c.fileOffset });
  }

  /** perf's own records: handled on the spot, never queued. */
  private handleUserRecord(c: RecordCutter): void {
    const view = (): ByteView => new ByteView(c.buf.subarray(c.pos, c.pos + c.size), this.path, c.fileOffset, `record type ${c.type}`);
    switch (c.type) {
      case RecordType.FINISHED_ROUND:
        this.stats.finishedRounds++;
        // while the constructor looks for the first timed record, rounds hold only untimed
        // records: they stay queued and go out with the first round of the iteration
        if (this.started) this.sorter.finishedRound();
        return;
      case RecordType.HEADER_ATTR: {
        const v = view();
        const attrSize = Math.max(v.u32(12, 'attr.size'), 64);
        const ids: number[] = [];
        for (let q = 8 + attrSize; q + 8 <= c.size; q += 8) ids.push(v.u64(q, 'attr id'));
        this.attrs.push(parseAttr(v, 8, c.size - 8, ids));
        this.attrsChanged(c.fileOffset);
        if (this.eventTypes.length > 0) this.nameAttr(this.attrs.length - 1);
        return;
      }
      case RecordType.HEADER_TRACING_DATA: {
        const v = new ByteView(c.buf.subarray(c.payloadPos, c.payloadPos + c.payloadSize), this.path, c.fileOffset + c.size, 'tracing data');
        for (const [k, f] of parseTracingData(v)) this.formats.set(k, f);
        this.features.present.push(1);
        return;
      }
      case RecordType.HEADER_FEATURE: {
        const v = view();
        const id = v.u64(8, 'feature id');
        const body = new ByteView(c.buf.subarray(c.pos + 16, c.pos + c.size), this.path, c.fileOffset + 16, `header feature ${id}`);
        if (!parseFeature(id, body, this.features, this.eventDescs)) this.stats.unknownFeatures++;
        return;
      }
      case RecordType.EVENT_UPDATE: {
        const v = view();
        if (v.u64(8, 'event update type') === 3) this.namesById.set(v.u64(16, 'event update id'), v.cstring(24, c.size - 24, 'event name'));
        return;
      }
      default:
        if (c.type >= RecordType.HEADER_ATTR && c.type < RecordType.USER_MAX) this.stats.skippedRecords++;
        else this.stats.unknownRecordTypes++;
    }
  }

  /** Rebuilds the id → attr index after attrs were added; checks they agree on where ids sit. */
  private attrsChanged(offset: number): void {
    const attrs = this.attrs;
    this.single = attrs.length <= 1;
    let maxId = -1;
    for (let i = 0; i < attrs.length; i++) for (const id of attrs[i].ids) if (id > maxId) maxId = id;
    this.idSmall = new Int32Array(Math.min(maxId + 1, SMALL_ID_LIMIT)).fill(-1);
    this.idMap.clear();
    for (let i = 0; i < attrs.length; i++) {
      for (const id of attrs[i].ids) {
        if (id < this.idSmall.length) this.idSmall[id] = i;
        else this.idMap.set(id, i);
      }
    }
    if (this.single) return;
    const pos = attrs[0].idPos;
    const trailer = attrs[0].trailerId;
    for (const a of attrs) {
      if (a.idPos !== pos || pos < 0) {
        throw new GiltraceError(`events disagree on where the sample id is (sample_type ${attrs[0].sampleType.toString(16)} vs ${a.sampleType.toString(16)}), or lack PERF_SAMPLE_ID/IDENTIFIER; samples cannot be told apart`, { file: this.path, offset });
      }
    }
    this.sampleIdPos = pos;
    this.trailerIdEnd = attrs.every((a) => a.trailerId === trailer) ? trailer : -1;
  }

  private nameAttr(i: number): void {
    const type = makeEventType(i, this.attrs[i], this.formats, this.eventDescs, this.namesById);
    this.attrs[i].eventType = type;
    this.eventTypes[i] = type;
  }
}
