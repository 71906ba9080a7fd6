import { GiltraceError } from '../base/errors.js';
import type { PerfAttr } from './attr.js';
import { BLOCK_SIZE, BlockPool } from './block-pool.js';
import type { ByteSource } from './byte-source.js';
import { RecordType, TWO_POW_32 } from './constants.js';
import { EventTable, isHeaderRecord } from './event-table.js';
import type { EventDesc, MutableFeatures } from './features.js';
import { RecordCutter } from './record-cutter.js';
import { ATTR, BLOCK, DEFAULT_MAX_QUEUE_BYTES, ENTRY_WORDS, LEN, OFF, Sorter, type Batch } from './sorter.js';
import type { TracepointFormat } from './tracepoint-format.js';
import type { PerfReadStats } from './types.js';

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

function emptyStats(unknownFeatures: number): PerfReadStats {
  return {
    records: 0, samples: 0, lostEvents: 0, lostRecords: 0, unknownRecordTypes: 0, skippedRecords: 0, unknownIds: 0,
    outOfOrder: 0, untimed: 0, finishedRounds: 0, forcedFlushes: 0, unknownFeatures, bytes: 0, compressedBytes: 0,
  };
}

/**
 * The producing half of the reader: pulls records from the cutter, handles perf's own records
 * (attrs, tracing data, features, rounds) on the spot and queues the rest in the time sorter,
 * whose `batch` then holds the next records in time order (decoded by PerfReader).
 */
export class RecordQueue {
  readonly table: EventTable;
  readonly stats: PerfReadStats;
  readonly pool: BlockPool;
  readonly sorter: Sorter;
  private started = false;
  private hasBase = false;
  private baseHi = 0;
  private baseLo = 0;

  private readonly path: string;
  private readonly cutter: RecordCutter;
  private readonly source: ByteSource;
  private lastTimedKey = -Infinity;
  private ended = false;

  constructor(init: ReaderInit) {
    this.path = init.path;
    this.table = new EventTable(init.path, init.attrs, init.formats, init.eventDescs, init.features, init.unknownFeatures);
    this.stats = emptyStats(init.unknownFeatures);
    this.source = init.source;
    // small recordings get small blocks (tests and fuzzing open thousands of them)
    this.pool = new BlockPool(init.blockSize ?? Math.max(256 << 10, Math.min(BLOCK_SIZE, init.source.remaining + 64)));
    this.cutter = new RecordCutter(init.source, init.path, this.pool);
    // room for the whole data at ~64 bytes a record, up to 128 Ki entries (4 MiB): the queue's
    // array is reused after compactions, and grows if two rounds need more
    const maxQueue = init.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES;
    this.sorter = new Sorter(this.pool, maxQueue, 16, Math.max(1024, Math.min(init.source.remaining >>> 6, 1 << 17)));
    init.onCutter?.(this.cutter);
  }

  /**
   * Pipe mode: perf's header records come first; reads until the first timed record so that
   * event types and the time base are known before the first record is handed out.
   */
  readHeader(): void {
    while (!this.hasBase && !this.sorter.overBudget && this.pump()) { /* keep reading */ }
    if (this.table.attrs.length === 0) {
      throw new GiltraceError('the recording has no events (no attr records before the data)', { file: this.path, offset: this.cutter.nextOffset });
    }
    this.table.nameAll();
  }

  get batch(): Batch {
    return this.sorter.batch;
  }

  /** The consumer starts iterating: rounds release records from now on. */
  start(): void {
    this.started = true;
  }

  /** The consumer stopped early: release the file. */
  stop(): void {
    this.sorter.discard();
    this.end();
  }

  get timeBaseNs(): bigint {
    return this.hasBase ? (BigInt(this.baseHi) << 32n) | BigInt(this.baseLo) : 0n;
  }

  /** Reads until the sorter's batch has records; false at the end. Closes the source on the way out. */
  fillBatch(): boolean {
    const s = this.sorter;
    try {
      for (;;) {
        if (s.nextChunk()) return true;
        if (this.ended) return false;
        if (!this.pump()) {
          s.finish();
          this.end();
        }
      }
    } catch (err) {
      this.end();
      throw err;
    }
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
    this.stats.unknownFeatures = this.table.unknownFeatures;
  }

  /** Reads and handles one record, or a run of plain samples; false at the end of the data. */
  private pump(): boolean {
    const c = this.cutter;
    if (this.hasBase && !c.innerPending && this.queueSampleRun() > 0) {
      this.afterQueued();
      return true;
    }
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
    this.afterQueued();
    return true;
  }

  private afterQueued(): void {
    if (this.started && this.sorter.readyConsumed) {
      if (this.sorter.overBudget) this.sorter.forceFlush();
      else this.sorter.maybeEvacuate();
    }
  }

  /**
   * The hot path: queues the run of ordinary timed samples at the front of the cutter's read
   * buffer in one tight loop (most of a recording), with the same checks as queueSample. Stops
   * at anything else — another record type, a record cut by the buffer end, an unknown or large
   * id, no timestamp, a step back in time (the next sorted run), a full queue array — and leaves
   * it to the one-record path. Returns the number of samples queued.
   */
  private queueSampleRun(): number {
    const c = this.cutter;
    const table = this.table;
    const attrs = table.attrs;
    if (attrs.length === 0) return 0;
    const dv = c.outerDv;
    const block = c.outerBlock;
    const base = c.outerBase;
    const end = c.outerEnd;
    const single = table.single;
    const idp = table.sampleIdPos;
    const idSmall = table.idSmall;
    // The same exact key as timeKey, written so that every step is a double from the first
    // sample on: V8 then never speculates on small integers here (that guess failed once a
    // timestamp's halves left the int32 range, and threw the loop's optimized code away).
    // hi * 2^32 is exact for any u32; lo - (baseLo - 0.5) is never an integer.
    const baseHiScaled = this.baseHi * TWO_POW_32;
    const baseLoLessHalf = this.baseLo - 0.5;
    const s = this.sorter;
    const pend = s.pending;
    const budget = s.budget;
    let maxKey = s.maxKey;
    let lastKey = s.lastKey;
    const releasedUpTo = s.releasedUpTo;
    let outOfOrder = 0;
    let n = pend.count;
    let bytes = pend.bytes;
    const keys = pend.keys, words = pend.words, f64s = pend.f64s;
    let key = 0;
    let queued = 0;
    let p = c.outerStart;
    while (end - p >= 8 && bytes <= budget) {
      const size = dv.getUint16(p + 6, true);
      if (size < 8 || size > end - p || dv.getUint32(p, true) !== RecordType.SAMPLE) break;
      let ai = 0;
      if (!single) {
        if (idp + 8 > size) break;
        // perf's ids are small numbers: looked up in the table's array here, the rest by the one-record path
        const id = dv.getUint32(p + idp, true);
        if (id >= idSmall.length || dv.getUint32(p + idp + 4, true) !== 0) break;
        ai = idSmall[id];
        if (ai < 0) break;
      }
      const attr = attrs[ai];
      const timePos = attr.timePos;
      if (timePos < 0 || size < attr.fixedEnd) break;
      const lo = dv.getUint32(p + timePos, true);
      const hi = dv.getUint32(p + timePos + 4, true);
      if (lo === 0 && hi === 0) break;
      const next = hi * TWO_POW_32 - baseHiScaled + (lo - baseLoLessHalf) - 0.5;
      // A step back in time starts the next sorted run (perf writes each CPU's buffer in time
      // order, one after the other), and a full queue array needs compacting: both are left to
      // the one-record path. A call made here for the first time after V8 optimized this loop
      // would have no type feedback and throw the optimized code away.
      if (next < lastKey || n === keys.length) break;
      key = next;
      lastKey = key;
      if (key > maxKey) maxKey = key;
      // (releasedUpTo <= maxKey: a new maximum is never out of order; comparing every time keeps
      // V8's feedback for this compare from the start)
      if (key < releasedUpTo) outOfOrder++;
      keys[n] = key;
      f64s[3 * n] = base + p;
      const at = ENTRY_WORDS * n;
      words[at + BLOCK] = block;
      words[at + OFF] = p;
      words[at + LEN] = size;
      words[at + ATTR] = ai;
      bytes += size;
      n++;
      queued++;
      p += size;
    }
    if (queued === 0) return 0;
    this.pool.refs[block] += queued;
    pend.count = n;
    c.bytes += bytes - pend.bytes;
    pend.bytes = bytes;
    c.outerStart = p;
    s.maxKey = maxKey;
    s.lastKey = lastKey;
    s.outOfOrder += outOfOrder;
    this.lastTimedKey = key;
    this.stats.records += queued;
    this.stats.samples += queued;
    return queued;
  }

  private queueSample(c: RecordCutter): void {
    const dv = c.dv;
    const p = c.pos;
    const size = c.size;
    const table = this.table;
    let ai = 0;
    if (table.attrs.length === 0) this.recordFail(c, 'expected attr records before the first sample');
    if (!table.single) {
      const idp = table.sampleIdPos;
      if (idp + 8 > size) this.recordFail(c, `expected a sample id at byte ${idp} of the ${size}-byte sample`);
      ai = table.lookupId(dv.getUint32(p + idp, true) + dv.getUint32(p + idp + 4, true) * TWO_POW_32);
      if (ai < 0) {
        this.stats.unknownIds++;
        return;
      }
    }
    const attr = table.attrs[ai];
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
    const table = this.table;
    let ai = 0;
    const first = table.attrs[0];
    if (first === undefined) this.recordFail(c, 'expected attr records before the first event record');
    if (!table.single && first.sampleIdAll && table.trailerIdEnd > 0 && size >= table.trailerIdEnd + 8) {
      const at = p + size - table.trailerIdEnd;
      const found = table.lookupId(dv.getUint32(at, true) + dv.getUint32(at + 4, true) * TWO_POW_32);
      if (found >= 0) ai = found;
    }
    const attr = table.attrs[ai];
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

  private recordFail(c: RecordCutter, message: string): never {
    throw new GiltraceError(message, { file: this.path, offset: c.fileOffset });
  }

  /** perf's own records: handled on the spot, never queued. */
  private handleUserRecord(c: RecordCutter): void {
    const type = c.type;
    if (type === RecordType.FINISHED_ROUND) {
      this.stats.finishedRounds++;
      // while the header is read (before iteration), rounds hold only untimed records: they stay
      // queued and go out with the first round of the iteration
      if (this.started) this.sorter.finishedRound();
      return;
    }
    if (isHeaderRecord(type)) {
      const payload = type === RecordType.HEADER_TRACING_DATA ? c.buf.subarray(c.payloadPos, c.payloadPos + c.payloadSize) : new Uint8Array(0);
      this.table.applyHeaderRecord(type, c.buf, c.pos, c.size, c.fileOffset, payload);
      return;
    }
    if (type >= RecordType.HEADER_ATTR && type < RecordType.USER_MAX) this.stats.skippedRecords++;
    else this.stats.unknownRecordTypes++;
  }
}
