import { Decompress } from 'fzstd';
import { GiltraceError } from '../base/errors.js';
import type { BlockPool } from './block-pool.js';
import { readU64 } from '../base/u64.js';
import { STARVED, type ByteSource } from './byte-source.js';
import { RecordType } from './constants.js';

/** Tracing data travels after its record header; refuse absurd sizes rather than allocate them. */
const MAX_TRACING_DATA = 512 << 20;

/**
 * Cuts the data stream into records: `next()` makes the next record current (`buf`, `pos`,
 * `size`, `type`, `misc`), valid until the following `next()`. COMPRESSED / COMPRESSED2 records
 * are fed to one continuous zstd stream whose output is cut the same way (records may straddle
 * compressed records); they are never handed out themselves. Every size is checked against the
 * bytes that exist: a short or zero size is a GiltraceError naming the offset, never a loop.
 *
 * A source that is still being fed (PushSource) may have no more bytes for now: `next()` then
 * returns false with `starved` set, having consumed nothing of the record it could not finish,
 * and picks up there when called again after more bytes came. Only the real end of the data
 * fails on a cut record.
 *
 * The fields of the current record are the cutter's output: read them, never write them. The read
 * cursor is private; the sample-run loop (EntryList.appendSampleRun) reaches the plain records ahead through
 * `runView` and `runStart`/`runEnd` and gives back what it took with `takeRun`.
 */
export class RecordCutter {
  buf: Uint8Array;
  dv: DataView;
  /** Pool block holding the current record, or -1 when it sits in the decompression buffer. */
  block = -1;
  pos = 0;
  size = 0;
  type = 0;
  misc = 0;
  /** File offset of the current record; for records from zstd data, of the COMPRESSED record holding their start. */
  fileOffset = 0;
  /** For HEADER_TRACING_DATA: where its payload starts in `buf`, and its length. */
  payloadPos = 0;
  payloadSize = 0;
  private cutBytes = 0;
  private zstdBytes = 0;
  private zstdTail = 0;
  private isStarved = false;

  private outer: Uint8Array;
  private outerDv: DataView;
  private outerBlock: number;
  private outerStart = 0; // next unread record in outer
  private outerEnd = 0;
  private outerBase: number; // file offset of outer[0]
  private eof = false;
  /** AUXTRACE data still to skip (its record was handed out; the data may not have arrived yet). */
  private skipLeft = 0;

  // decompressed data also goes into pool blocks, so queued records point into it uncopied
  private inner: Uint8Array = new Uint8Array(0);
  private innerDv: DataView = new DataView(this.inner.buffer);
  private innerBlock = -1;
  private innerStart = 0;
  private innerEnd = 0;
  private innerFileOffset = 0;
  private decompressor: Decompress | undefined;

  constructor(private readonly source: ByteSource, private readonly path: string, private readonly pool: BlockPool) {
    this.outerBlock = pool.acquire(0);
    this.outer = pool.blocks[this.outerBlock];
    this.outerDv = pool.dvs[this.outerBlock];
    this.outerBase = source.position;
    this.buf = this.outer;
    this.dv = this.outerDv;
  }

  /**
   * Takes `length` raw bytes (the pipe header), before any record. At the end of the data it
   * takes the shorter rest; undefined when starved (nothing taken).
   */
  readRaw(length: number): Uint8Array | undefined {
    this.isStarved = false;
    const whole = this.fill(length);
    if (!whole && this.isStarved) return undefined;
    const end = Math.min(this.outerStart + length, this.outerEnd);
    const out = this.outer.slice(this.outerStart, end);
    this.outerStart = end;
    return out;
  }

  /** The last `next()` or `readRaw()` stopped because the source has no bytes yet (not at the end). */
  get starved(): boolean {
    return this.isStarved;
  }

  /** Bytes of record data cut so far (decompressed bytes for zstd data). */
  get bytes(): number {
    return this.cutBytes;
  }

  /** Compressed bytes fed to the decompressor so far. */
  get compressedBytes(): number {
    return this.zstdBytes;
  }

  /** Decompressed bytes at the end of the data that were no whole record (PerfReadStats.zstdTailBytes). */
  get zstdTailBytes(): number {
    return this.zstdTail;
  }

  // The sample-run loop's door (EntryList.appendSampleRun): the unread bytes of the read buffer, which
  // it cuts itself, record by record, as long as they are plain samples. Valid while no
  // decompressed records wait (`innerPending`) and until the next call of any other method.
  /** The read buffer's DataView. */
  get runView(): DataView {
    return this.outerDv;
  }
  /** The pool block of the read buffer. */
  get runBlock(): number {
    return this.outerBlock;
  }
  /** Where the next unread record starts in the read buffer. */
  get runStart(): number {
    return this.outerStart;
  }
  /** Where the bytes read so far end in the read buffer. */
  get runEnd(): number {
    return this.outerEnd;
  }
  /** File offset of the read buffer's first byte. */
  get runFileBase(): number {
    return this.outerBase;
  }
  /** The run loop took the whole records in [runStart, to), `bytes` long in all. */
  takeRun(to: number, bytes: number): void {
    this.outerStart = to;
    this.cutBytes += bytes;
  }

  /** Decompressed records wait: they come before anything in `outer`. */
  get innerPending(): boolean {
    return this.innerEnd > this.innerStart;
  }

  /** File offset of the next outer byte not yet cut. */
  get nextOffset(): number {
    return this.outerBase + this.outerStart;
  }

  next(): boolean {
    this.isStarved = false;
    // hot path: records already decompressed come first, in stream order
    if (this.innerEnd - this.innerStart >= 8 && this.cutInner()) return true;
    for (;;) {
      if (!this.cutOuter()) {
        if (!this.isStarved && this.innerEnd > this.innerStart) {
          // perf 6.1 can leave its compressed stream unfinished: a push whose compressed output fills
          // a COMPRESSED record exactly keeps the rest in zstd's buffers for the next push, and
          // after the last one there is none (a real -z recording, 1 in 4 on attach here). perf
          // script drops the piece of a record left over; so does this, and counts it.
          this.zstdTail = this.innerEnd - this.innerStart;
          this.innerStart = this.innerEnd;
        }
        return false;
      }
      const t = this.type;
      if (t !== RecordType.COMPRESSED && t !== RecordType.COMPRESSED2) return true;
      this.decompress();
      if (this.innerEnd - this.innerStart >= 8 && this.cutInner()) return true;
    }
  }

  /** Cuts the next record of the read buffer; false at the end of the data or when starved (nothing consumed). */
  private cutOuter(): boolean {
    if (this.skipLeft > 0 && !this.skipAuxtraceData()) return false;
    if (this.outerEnd - this.outerStart < 8 && !this.fill(8)) {
      if (this.isStarved) return false;
      if (this.outerEnd > this.outerStart) {
        this.fail(this.nextOffset, `expected an 8-byte record header, found only ${this.outerEnd - this.outerStart} bytes before the end of the data`);
      }
      return false;
    }
    let p = this.outerStart;
    const dv = this.outerDv;
    const size = dv.getUint16(p + 6, true);
    if (size < 8) this.fail(this.outerBase + p, `record size ${size} is smaller than the 8-byte record header (type ${dv.getUint32(p, true)})`);
    if (this.outerEnd - p < size) {
      if (!this.fill(size)) {
        if (this.isStarved) return false;
        this.truncated(size);
      }
      p = this.outerStart;
    }
    const type = this.outerDv.getUint32(p, true);
    if (type === RecordType.HEADER_TRACING_DATA) return this.cutTracingData(p, size);
    this.buf = this.outer;
    this.dv = this.outerDv;
    this.block = this.outerBlock;
    this.pos = p;
    this.size = size;
    this.type = type;
    this.misc = this.outerDv.getUint16(p + 4, true);
    this.fileOffset = this.outerBase + p;
    this.outerStart = p + size;
    this.cutBytes += size;
    if (type === RecordType.AUXTRACE) {
      // AUXTRACE carries its data after the record, outside header.size: skipped, from the next call on
      if (size < 16) this.fail(this.fileOffset, `expected an AUXTRACE record of at least 16 bytes, found ${size}`);
      this.skipLeft = readU64(this.outerDv, p + 8);
    }
    return true;
  }

  /** HEADER_TRACING_DATA carries its payload after the record, outside header.size: both are cut at once. */
  private cutTracingData(p: number, size: number): boolean {
    const fileOffset = this.outerBase + p;
    if (size < 12) this.fail(fileOffset, `expected a tracing data record of at least 12 bytes, found ${size}`);
    const n = this.outerDv.getUint32(p + 8, true);
    if (n > MAX_TRACING_DATA) this.fail(fileOffset + 8, `tracing data size ${n} is implausibly large`);
    const padded = (n + 7) & ~7;
    if (this.outerEnd - p < size + padded && !this.fill(size + padded)) {
      if (this.isStarved) return false;
      this.truncated(size + padded);
    }
    // fill may have carried the record over into a fresh block
    p = this.outerStart;
    this.buf = this.outer;
    this.dv = this.outerDv;
    this.block = this.outerBlock;
    this.pos = p;
    this.size = size;
    this.type = RecordType.HEADER_TRACING_DATA;
    this.misc = this.outerDv.getUint16(p + 4, true);
    this.fileOffset = this.outerBase + p;
    this.payloadPos = p + size;
    this.payloadSize = n;
    this.outerStart = p + size + padded;
    this.cutBytes += size + padded;
    return true;
  }

  /** Skips what is left of an AUXTRACE record's data; false when starved before its end. */
  private skipAuxtraceData(): boolean {
    while (this.skipLeft > 0) {
      if (this.outerEnd === this.outerStart && !this.fill(1)) {
        if (this.isStarved) return false;
        this.truncated(this.skipLeft);
      }
      const n = Math.min(this.skipLeft, this.outerEnd - this.outerStart);
      this.outerStart += n;
      this.cutBytes += n;
      this.skipLeft -= n;
    }
    return true;
  }

  private cutInner(): boolean {
    const p = this.innerStart;
    const dv = this.innerDv;
    const size = dv.getUint16(p + 6, true);
    if (size < 8) this.fail(this.innerFileOffset, `record size ${size} in zstd-compressed data is smaller than the 8-byte record header`);
    if (this.innerEnd - p < size) return false; // rest arrives with the next COMPRESSED record
    this.buf = this.inner;
    this.dv = dv;
    this.block = this.innerBlock;
    this.pos = p;
    this.size = size;
    this.type = dv.getUint32(p, true);
    this.misc = dv.getUint16(p + 4, true);
    this.fileOffset = this.innerFileOffset;
    this.innerStart = p + size;
    this.cutBytes += size;
    return true;
  }

  private decompress(): void {
    const headerSize = this.type === RecordType.COMPRESSED2 ? 16 : 8;
    let length = this.size - headerSize;
    if (length < 0) this.fail(this.fileOffset, `expected a compressed record of at least ${headerSize} bytes, found ${this.size}`);
    if (this.type === RecordType.COMPRESSED2) {
      const dataSize = this.outerDv.getUint32(this.pos + 8, true);
      if (dataSize > length || this.outerDv.getUint32(this.pos + 12, true) !== 0) this.fail(this.fileOffset + 8, `compressed data size ${dataSize} exceeds the record's ${length} bytes`);
      length = dataSize;
    }
    this.cutBytes -= this.size;
    this.zstdBytes += length;
    this.innerFileOffset = this.fileOffset;
    if (this.decompressor === undefined) this.decompressor = new Decompress((chunk) => this.appendInner(chunk));
    // fzstd may keep the chunk until the next push: hand it a copy, not our reusable buffer
    const start = this.pos + headerSize;
    try {
      this.decompressor.push(this.outer.slice(start, start + length));
    } catch (err) {
      if (err instanceof GiltraceError) throw err;
      this.fail(this.fileOffset, `corrupt zstd data: ${(err as Error).message}`);
    }
  }

  private appendInner(chunk: Uint8Array): void {
    const live = this.innerEnd - this.innerStart;
    if (this.innerEnd + chunk.length > this.inner.length) {
      // continue in a fresh block with the unread tail; the old one lives while records point into it
      const next = this.pool.acquire(live + chunk.length);
      const bytes = this.pool.blocks[next];
      bytes.set(this.inner.subarray(this.innerStart, this.innerEnd));
      if (this.innerBlock >= 0) this.pool.drop(this.innerBlock);
      this.innerBlock = next;
      this.inner = bytes;
      this.innerDv = this.pool.dvs[next];
      this.innerStart = 0;
      this.innerEnd = live;
    }
    this.inner.set(chunk, this.innerEnd);
    this.innerEnd += chunk.length;
  }

  /**
   * Makes at least `need` unread bytes available in `outer`; false at the end of the data, or
   * when the source has no more bytes yet (then `starved` is set). Consumes nothing.
   */
  private fill(need: number): boolean {
    if (this.outerEnd - this.outerStart >= need) return true;
    if (this.eof) return false;
    const live = this.outerEnd - this.outerStart;
    if (need > live + this.source.remaining) {
      this.eof = true; // a size beyond the data: fail without growing the buffer for it
      return false;
    }
    if (this.outerStart + need > this.outer.length) {
      // no room left in this block: continue in a fresh one, carrying the unread tail over.
      // The old block stays alive while queued records point into it.
      const next = this.pool.acquire(need);
      const bytes = this.pool.blocks[next];
      bytes.set(this.outer.subarray(this.outerStart, this.outerEnd));
      this.pool.drop(this.outerBlock);
      this.outerBlock = next;
      this.outer = bytes;
      this.outerDv = this.pool.dvs[next];
      this.outerBase += this.outerStart;
      this.outerStart = 0;
      this.outerEnd = live;
    }
    while (this.outerEnd - this.outerStart < need) {
      const n = this.source.read(this.outer, this.outerEnd, this.outer.length - this.outerEnd);
      if (n > 0) {
        this.outerEnd += n;
        continue;
      }
      if (n === STARVED) this.isStarved = true;
      else this.eof = true;
      return false;
    }
    return true;
  }

  private truncated(size: number): never {
    return this.fail(this.nextOffset, `expected a record of ${size} bytes, found only ${this.outerEnd - this.outerStart} before the end of the data (truncated file?)`);
  }

  fail(offset: number, message: string): never {
    throw new GiltraceError(message, { file: this.path, offset });
  }
}
