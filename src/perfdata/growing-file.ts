/**
 * A perf.data that is still being written, read as it grows: the samples appended since the last
 * look, for a reader that must see them while the recording goes on (the holder sampler names
 * the code objects the drop probe saw while their process still runs: record/drop-codes.ts).
 *
 * File form: perf writes the header with the attrs (and their ids) and the data offset when it
 * starts, then appends records; the data size and the feature sections (tracepoint formats among
 * them) come only at the end. Pipe form (`perf record -o -` as giltrace keeps it while a live
 * view reads it): the attrs come as HEADER_ATTR records, the tracing data as a record with its
 * payload after it. Either way the caller knows its events by their attr's `config` (a
 * tracepoint's id) and where their fields are. Records are in file order (per CPU buffer, not sorted by time);
 * zstd-compressed data (`-z`) is decompressed as it comes. A record cut by the end of what perf
 * has written so far waits for the next look.
 */
import * as fs from 'node:fs';
import { Decompress } from 'fzstd';
import { GiltraceError } from '../base/errors.js';
import { parseAttr, type PerfAttr } from './attr.js';
import { ByteView } from './byte-view.js';
import { IdIndex } from './id-index.js';
import { FILE_HEADER_SIZE, PIPE_HEADER_SIZE, RECORD_HEADER_SIZE, RecordType } from './constants.js';
import { decodeSample, MutableSample } from './decode.js';
import type { MutableFeatures } from './features.js';
import { readFileHeader } from './file-header.js';
import { makeEventType } from './event-names.js';
import type { EventType, SampleRecord } from './types.js';

/** Bytes read at one look at most: a look that falls behind catches up over the next ones. */
const MAX_LOOK_BYTES = 16 << 20;

/** `attr`: the sample's event's attr (its `config` tells which tracepoint); `sample` is valid during the call only. */
export type GrowingSampleVisitor = (attr: PerfAttr, sample: SampleRecord) => void;

export class GrowingPerfFile {
  private fd: number | undefined;
  private attrs: PerfAttr[] = [];
  private ids = new IdIndex([]);
  private idPos = -1;
  /** File offset of the next byte to read. */
  private position = 0;
  /** Bytes read but not yet cut into records (a record's start without its end). */
  private rest: Uint8Array = new Uint8Array(0);
  /** Where each look's bytes are read (8-aligned: its own ArrayBuffer). */
  private buffer = new Uint8Array(0);
  private decompressor: Decompress | undefined;
  private inflated: Uint8Array[] = [];
  private innerRest: Uint8Array = new Uint8Array(0);
  private readonly sample = new MutableSample(undefined as unknown as EventType);
  /** Samples seen so far (visited or not). */
  samples = 0;

  /** Which attrs' samples are visited (by index): the others are passed over undecoded. */
  private wanted: boolean[] = [];

  /** `wants`: whether an event's samples are to be visited (asked once per attr). */
  constructor(private readonly path: string, private readonly wants: (attr: PerfAttr) => boolean = () => true) {}

  /**
   * Visits the samples appended since the last call. Throws a GiltraceError when the file is not
   * (or no longer) a perf.data perf appends to.
   */
  readNew(visit: GrowingSampleVisitor): void {
    if (!this.open()) return;
    const size = fs.fstatSync(this.fd!).size;
    const length = Math.min(size - this.position, MAX_LOOK_BYTES);
    if (length <= 0) return;
    // the bytes go after the cut record kept from the last look, in a buffer used again each time
    const need = this.rest.length + length;
    if (this.buffer.length < need) this.buffer = new Uint8Array(Math.max(need, 2 * this.buffer.length) + 7 & ~7);
    this.buffer.set(this.rest);
    const got = fs.readSync(this.fd!, this.buffer, this.rest.length, length, this.position);
    this.position += got;
    this.rest = this.cut(this.buffer.subarray(0, this.rest.length + got), visit, true);
  }

  /** The file's bytes read as whole records so far: every sample before this offset has been visited. */
  get consumed(): number {
    return this.position - this.rest.length;
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  /** Opens the file and reads its header once perf has written it; false until then. */
  private open(): boolean {
    if (this.position > 0) return true;
    if (this.fd === undefined) {
      try {
        this.fd = fs.openSync(this.path, 'r');
      } catch {
        return false; // perf has not made it yet
      }
    }
    const size = fs.fstatSync(this.fd).size;
    if (size < PIPE_HEADER_SIZE) return false;
    const head = Buffer.alloc(PIPE_HEADER_SIZE);
    fs.readSync(this.fd, head, 0, PIPE_HEADER_SIZE, 0);
    if (head.toString('latin1', 0, 8) === 'PERFILE2' && head.readUInt32LE(8) === PIPE_HEADER_SIZE && head.readUInt32LE(12) === 0) {
      // pipe form: the attrs come as records
      this.position = PIPE_HEADER_SIZE;
      return true;
    }
    if (size < FILE_HEADER_SIZE) return false;
    const features: MutableFeatures = { present: [] };
    let header;
    try {
      header = readFileHeader(this.fd, this.path, size, features);
    } catch {
      return false; // the header is being written
    }
    for (const attr of header.attrs) this.addAttr(attr);
    this.position = header.dataOffset;
    return true;
  }

  private addAttr(attr: PerfAttr): void {
    const index = this.attrs.length;
    // named without their formats (written at the end, or not read): the caller knows its events by `config`
    attr.eventType = makeEventType(index, attr, new Map(), [], new Map());
    this.attrs.push(attr);
    this.wanted.push(this.wants(attr));
    this.ids = new IdIndex(this.attrs);
    this.idPos = this.attrs.length > 1 ? this.attrs[0].idPos : -1;
  }

  /** A pipe form's HEADER_ATTR record at bytes[p, p + size): an attr and its ids. */
  private readAttrRecord(bytes: Uint8Array, p: number, size: number): void {
    const view = new ByteView(bytes.subarray(p, p + size), this.path, 0, 'attr record');
    const attrSize = Math.max(view.u32(12, 'attr.size'), 64);
    const ids: number[] = [];
    for (let q = 8 + attrSize; q + 8 <= size; q += 8) ids.push(view.u64(q, 'attr id'));
    this.addAttr(parseAttr(view, 8, size - 8, ids));
  }

  /** Cuts `bytes` into records and visits their samples; gives back the cut record at the end. */
  private cut(bytes: Uint8Array, visit: GrowingSampleVisitor, outer: boolean): Uint8Array {
    // `bytes` starts 8-aligned (the look's buffer, join): the sample decoder also takes a 32-bit view
    const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteOffset % 4 === 0 ? bytes.length >> 2 : 0);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    let p = 0;
    while (p + RECORD_HEADER_SIZE <= bytes.length) {
      const type = dv.getUint32(p, true);
      const size = dv.getUint16(p + 6, true);
      if (size < RECORD_HEADER_SIZE) throw new GiltraceError(`a record of ${size} bytes (type ${type}) at offset ${p} of the data read so far`, { file: this.path });
      if (p + size > bytes.length) break;
      if (type === RecordType.SAMPLE) this.visitSample(bytes, words, dv, p, size, visit);
      else if (outer && (type === RecordType.COMPRESSED || type === RecordType.COMPRESSED2)) this.inflate(bytes.subarray(p + (type === RecordType.COMPRESSED2 ? 16 : 8), p + size), visit);
      else if (type === RecordType.HEADER_ATTR) this.readAttrRecord(bytes, p, size);
      else if (type === RecordType.HEADER_TRACING_DATA && size >= 12) {
        // its payload follows it, outside its size (padded to 8 bytes)
        const whole = size + ((dv.getUint32(p + 8, true) + 7) & ~7);
        if (p + whole > bytes.length) break;
        p += whole;
        continue;
      }
      p += size;
    }
    return bytes.slice(p);
  }

  private visitSample(bytes: Uint8Array, words: Int32Array, dv: DataView, p: number, size: number, visit: GrowingSampleVisitor): void {
    const index = this.idPos < 0 ? 0 : this.ids.lookupAt(dv, p + this.idPos);
    const attr = this.attrs[index];
    if (attr === undefined || size < attr.fixedEnd) return;
    this.samples++;
    if (!this.wanted[index]) return;
    decodeSample(bytes, words, dv, p, size, attr, this.sample, (message) => {
      throw new GiltraceError(`a sample at offset ${p} of the data read so far: ${message}`, { file: this.path });
    });
    visit(attr, this.sample);
  }

  /** A COMPRESSED record's zstd bytes: one stream across records, whose output is cut as the file is. */
  private inflate(zstd: Uint8Array, visit: GrowingSampleVisitor): void {
    if (!this.decompressor) this.decompressor = new Decompress((chunk) => this.inflated.push(chunk));
    this.decompressor.push(zstd);
    if (this.inflated.length === 0) return;
    const out = join(this.innerRest, ...this.inflated);
    this.inflated = [];
    this.innerRest = this.cut(out, visit, false);
  }
}

/** The chunks joined into a fresh buffer (8-aligned: its own ArrayBuffer). */
function join(...chunks: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const c of chunks) length += c.length;
  const out = new Uint8Array(new ArrayBuffer((length + 7) & ~7), 0, length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
