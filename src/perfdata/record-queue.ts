import { GiltraceError } from '../base/errors.js';
import { readU64, TWO_POW_32 } from '../base/u64.js';
import type { PerfAttr } from './attr.js';
import { BLOCK_SIZE, BlockPool } from './block-pool.js';
import type { ByteSource } from './byte-source.js';
import { PIPE_HEADER_SIZE, RecordType } from './constants.js';
import { EventTable, isHeaderRecord } from './event-table.js';
import type { EventDesc, MutableFeatures } from './features.js';
import { parseMagic } from './file-header.js';
import { RecordCutter } from './record-cutter.js';
import { DEFAULT_MAX_QUEUE_BYTES, Sorter, type Batch } from './sorter.js';
import { warmUpSorter } from './sorter-warm-up.js';
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
  /** The source starts with the 16-byte pipe header (a stream), not with the first record. */
  readonly pipeHeader?: boolean;
}

function emptyStats(unknownFeatures: number): PerfReadStats {
  return {
    records: 0, samples: 0, lostEvents: 0, lostRecords: 0, unknownRecordTypes: 0, skippedRecords: 0, unknownIds: 0,
    outOfOrder: 0, untimed: 0, finishedRounds: 0, forcedFlushes: 0, unknownFeatures, bytes: 0, compressedBytes: 0, zstdTailBytes: 0,
  };
}

/**
 * The producing half of the reader: pulls records from the cutter, handles perf's own records
 * (attrs, tracing data, features, rounds) on the spot and queues the rest in the time sorter,
 * whose `batch` then holds the next records in time order (decoded by PerfReader).
 *
 * When the source is being fed (PushSource) and runs dry, every step stops where it is and says
 * so (`readHeader` and `fillBatch` return false with `starved` set); called again after more
 * bytes came, it goes on as if they had been there all along: the same records in the same order.
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
  private needsPipeHeader: boolean;
  private headerRead = false;

  constructor(init: ReaderInit) {
    warmUpSorter();
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
    this.needsPipeHeader = init.pipeHeader === true;
  }

  /**
   * A stream starts with the 16-byte pipe header; in pipe mode perf's header records come next:
   * reads until the first timed record so that event types and the time base are known before
   * the first record is handed out. False when the source was starved first (call again).
   */
  readHeader(): boolean {
    if (this.headerRead) return true;
    if (this.needsPipeHeader) {
      const head = this.cutter.readRaw(PIPE_HEADER_SIZE);
      if (head === undefined) return false;
      if (parseMagic(head, this.path) !== 'pipe') {
        throw new GiltraceError('a file-form perf.data cannot be read from a pipe (it needs seeking); pass its path instead', { file: this.path, offset: 0 });
      }
      this.needsPipeHeader = false;
    }
    while (!this.hasBase && !this.sorter.overBudget) {
      if (this.pump()) continue;
      if (this.cutter.starved) return false;
      break;
    }
    if (this.table.attrs.length === 0) {
      throw new GiltraceError('the recording has no events (no attr records before the data)', { file: this.path, offset: this.cutter.nextOffset });
    }
    this.table.nameAll();
    this.headerRead = true;
    return true;
  }

  /** The last `readHeader` or `fillBatch` stopped for want of bytes, not at the end of the data. */
  get starved(): boolean {
    return this.cutter.starved;
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

  /**
   * Reads until the sorter's batch has records; false at the end, or when starved (then nothing
   * more can be released until more bytes came). Closes the source at the end.
   */
  fillBatch(): boolean {
    const s = this.sorter;
    try {
      for (;;) {
        if (s.nextChunk()) return true;
        if (this.ended) return false;
        if (!this.pump()) {
          if (this.cutter.starved) {
            this.syncStats();
            return false;
          }
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

  /** PerfData.bytesRead. */
  get bytesRead(): number {
    return this.cutter.compressedBytes > 0 ? this.cutter.compressedBytes : this.cutter.bytes;
  }

  private syncStats(): void {
    this.stats.outOfOrder = this.sorter.outOfOrder;
    this.stats.forcedFlushes = this.sorter.forcedFlushes;
    this.stats.bytes = this.cutter.bytes;
    this.stats.compressedBytes = this.cutter.compressedBytes;
    this.stats.zstdTailBytes = this.cutter.zstdTailBytes;
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

  /** The hot path: queues the run of plain samples ahead in the cutter's buffer (Sorter.addSampleRun). */
  private queueSampleRun(): number {
    const queued = this.sorter.addSampleRun(this.cutter, this.table, this.baseHi, this.baseLo);
    if (queued === 0) return 0;
    this.lastTimedKey = this.sorter.pending.lastKey;
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
      ai = table.ids.lookupAt(dv, p + idp);
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
      const found = table.ids.lookupAt(dv, at);
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
    const count = readU64(c.dv, c.pos + at);
    if (count === Infinity) this.recordFail(c, 'lost-events count is too large to be real (2^53 or more)');
    return count;
  }

  /**
   * Sort key of a u64 timestamp: ns relative to the time base, exact in float64 (each u32 half
   * subtracted apart: the absolute time needs more than 53 bits after 104 days of uptime).
   */
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
