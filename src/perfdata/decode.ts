import type { PerfAttr } from './attr.js';
import { readU64, readU64Rounded, TWO_POW_32, u64RoundedFromHalves } from '../base/u64.js';
import { MISC_COMM_EXEC, MISC_MMAP_BUILD_ID, MISC_MMAP_DATA, PROT_EXEC, ReadFormat, RecordType, SampleType } from './constants.js';
import type { EventTypeImpl } from './event-type.js';
import type { CommRecord, EventType, LostRecord, MmapRecord, SampleRecord, TaskRecord } from './types.js';

/** Throws the GiltraceError for a record whose inside does not fit its declared size. */
export type Fail = (message: string) => never;

/**
 * Where a sample's tracepoint payload lies: rawBytes[rawAt, rawAt + rawLength), with a DataView
 * over rawBytes' whole buffer for the integer reads. Internal to perfdata: consumers read fields
 * through tracepoint-read.ts, which knows this place.
 */
export interface PayloadPlace {
  readonly rawBytes: Uint8Array | undefined;
  readonly rawAt: number;
  readonly rawLength: number;
  readonly rawDv: DataView | undefined;
}

/** The one SampleRecord the iterator hands out, refilled for every sample (see index.ts). */
export class MutableSample implements SampleRecord, PayloadPlace {
  readonly type = 'sample' as const;
  time = 0;
  event: EventType;
  pid = 0;
  tid = 0;
  cpu = 0;
  ip = 0;
  rawBytes: Uint8Array | undefined = undefined;
  rawAt = 0;
  rawLength = 0;
  rawDv: DataView | undefined = undefined;
  /** The block's 32-bit view, for the word-wise copy `raw` makes. */
  rawWords: Int32Array | undefined = undefined;
  /** `raw` has been copied for this sample. */
  rawCopied = false;
  private rawCopy: Uint8Array | undefined = undefined;
  callchain: Float64Array | undefined = undefined;
  userStack: Uint8Array | undefined = undefined;
  constructor(event: EventType) {
    this.event = event;
  }

  get raw(): Uint8Array | undefined {
    if (this.rawBytes === undefined) return undefined;
    if (!this.rawCopied) {
      this.rawCopy = rawView(this.rawBytes, this.rawWords as Int32Array, this.rawAt, this.rawLength);
      this.rawCopied = true;
    }
    return this.rawCopy;
  }
}

const textDecoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Decodes a SAMPLE at arena[off, off+len) into `out`. Fixed fields come from precomputed
 * positions; the variable parts (READ, CALLCHAIN, RAW) are walked with every length checked
 * against the record end. Parts after RAW are only walked when the attr asks for a user stack copy
 * (STACK_USER, `--call-graph dwarf`); the record length already tells where the next record starts.
 */
export function decodeSample(arena: Uint8Array, words: Int32Array, dv: DataView, off: number, len: number, attr: PerfAttr, out: MutableSample, fail: Fail): void {
  out.event = attr.eventType as EventTypeImpl;
  const tidPos = attr.tidPos;
  if (tidPos >= 0) {
    out.pid = dv.getInt32(off + tidPos, true);
    out.tid = dv.getInt32(off + tidPos + 4, true);
  } else {
    out.pid = -1;
    out.tid = -1;
  }
  out.cpu = attr.cpuPos >= 0 ? dv.getUint32(off + attr.cpuPos, true) : -1;
  // hot path: readU64Rounded spelled out; when V8 did not inline that call, each ip came back boxed
  const ipPos = attr.ipPos;
  out.ip = ipPos >= 0 ? dv.getUint32(off + ipPos + 4, true) * TWO_POW_32 + dv.getUint32(off + ipPos, true) : 0;
  out.callchain = undefined;
  out.userStack = undefined;
  // hot path, small enough for V8 to inline into the reader: a tracepoint payload at a fixed
  // place that fits its record and its format, nothing after it to walk
  const rawPos = off + attr.rawFixedPos;
  if (attr.rawFixedPos >= 0 && (attr.sampleType & SampleType.STACK_USER) === 0 && rawPos + 4 <= off + len) {
    const size = dv.getUint32(rawPos, true);
    if (size <= off + len - rawPos - 4 && size >= (attr.eventType as EventTypeImpl).minRawSize) {
      setPayload(out, arena, words, dv, rawPos + 4, size);
      return;
    }
  }
  decodeSampleRest(arena, words, dv, off, len, attr, out, fail);
}

/** decodeSample's other cases: variable layouts, user stacks, and every malformed payload (the errors). */
function decodeSampleRest(arena: Uint8Array, words: Int32Array, dv: DataView, off: number, len: number, attr: PerfAttr, out: MutableSample, fail: Fail): void {
  const end = off + len;
  if (attr.rawFixedPos >= 0) {
    // RAW at a fixed place, with a user stack after it or a payload that does not fit (the error)
    const afterRaw = decodeRaw(arena, words, dv, off + attr.rawFixedPos, end, len, attr, out, fail);
    if (attr.sampleType & SampleType.STACK_USER) decodeUserStack(arena, dv, afterRaw, end, len, attr, out, fail);
    return;
  }
  out.rawBytes = undefined;
  out.rawDv = undefined;
  const st = attr.sampleType;
  let p = off + attr.fixedEnd;
  if (st & SampleType.READ) {
    let size = attr.readSize;
    if (size < 0) {
      if (p + 8 > end) fail(`expected a read group count inside the ${len}-byte sample`);
      const nr = readU64(dv, p);
      const rf = attr.readFormat;
      const each = 8 * (1 + (rf & ReadFormat.ID ? 1 : 0) + (rf & ReadFormat.LOST ? 1 : 0));
      size = 8 * (1 + (rf & ReadFormat.TOTAL_TIME_ENABLED ? 1 : 0) + (rf & ReadFormat.TOTAL_TIME_RUNNING ? 1 : 0)) + nr * each;
    }
    p += size;
  }
  if (st & SampleType.CALLCHAIN) {
    if (p + 8 > end) fail(`expected a callchain length inside the ${len}-byte sample`);
    const nr = readU64(dv, p);
    if (nr > (end - p - 8) / 8) fail(`callchain of ${nr} entries does not fit in the ${len}-byte sample`);
    out.callchain = readCallchain(dv, p + 8, nr);
    p += 8 + 8 * nr;
  }
  if (st & SampleType.RAW) p = decodeRaw(arena, words, dv, p, end, len, attr, out, fail);
  else if (p > end) fail(`sample fields need ${p - off} bytes, the record has ${len}`);
  if (st & SampleType.STACK_USER) decodeUserStack(arena, dv, p, end, len, attr, out, fail);
}

/** Returns where the field after RAW starts. */
function decodeRaw(arena: Uint8Array, words: Int32Array, dv: DataView, p: number, end: number, len: number, attr: PerfAttr, out: MutableSample, fail: Fail): number {
  if (p + 4 > end) fail(`expected a raw payload size inside the ${len}-byte sample`);
  const size = dv.getUint32(p, true);
  if (size > end - p - 4) fail(`raw payload of ${size} bytes does not fit in the ${len}-byte sample`);
  const event = attr.eventType as EventTypeImpl;
  if (size < event.minRawSize) fail(`expected a ${event.name} payload of at least ${event.minRawSize} bytes (its format), found ${size}`);
  setPayload(out, arena, words, dv, p + 4, size);
  return p + 4 + size;
}

/** The sample's payload is arena[at, at + size), read in place (`raw` copies it when asked). */
function setPayload(out: MutableSample, arena: Uint8Array, words: Int32Array, dv: DataView, at: number, size: number): void {
  out.rawBytes = arena;
  out.rawDv = dv;
  out.rawWords = words;
  out.rawAt = at;
  out.rawLength = size;
  out.rawCopied = false;
}

/**
 * The user stack copy (STACK_USER): BRANCH_STACK and REGS_USER come before it and are skipped.
 * Only the `dyn_size` bytes the kernel really copied are handed out, copied into a second
 * scratch buffer (valid until the next sample, like `raw`).
 */
function decodeUserStack(arena: Uint8Array, dv: DataView, p: number, end: number, len: number, attr: PerfAttr, out: MutableSample, fail: Fail): void {
  const st = attr.sampleType;
  if (st & SampleType.BRANCH_STACK) {
    if (p + 8 > end) fail(`expected a branch stack length inside the ${len}-byte sample`);
    const nr = readU64(dv, p);
    p += 8 + (attr.branchHwIndex ? 8 : 0);
    if (nr > (end - p) / 24) fail(`branch stack of ${nr} entries does not fit in the ${len}-byte sample`);
    p += 24 * nr;
  }
  if (st & SampleType.REGS_USER) {
    if (p + 8 > end) fail(`expected a user register ABI inside the ${len}-byte sample`);
    const abi = readU64(dv, p);
    p += 8 + (abi !== 0 ? 8 * attr.regsUserCount : 0);
  }
  if (p + 8 > end) fail(`expected a user stack size inside the ${len}-byte sample`);
  const size = readU64(dv, p);
  p += 8;
  if (size === 0) return; // no copy (e.g. a kernel thread)
  if (size > end - p - 8) fail(`user stack of ${size} bytes does not fit in the ${len}-byte sample`);
  const dynSize = readU64(dv, p + size);
  if (dynSize > size) fail(`user stack dyn_size ${dynSize} is larger than its ${size}-byte copy`);
  if (dynSize > stackScratch.length) stackScratch = new Uint8Array(Math.max(dynSize, stackScratch.length * 2));
  stackScratch.set(arena.subarray(p, p + dynSize));
  out.userStack = stackScratch.subarray(0, dynSize);
}

// The user stack copy goes to its own scratch buffer (raw uses the other one).
let stackScratch = new Uint8Array(8192);

// `raw` copies the payload into one scratch buffer and hands it out through a view cached per
// length, so a sample allocates nothing; the view is valid until the next sample (see index.ts)
let scratch = new Uint8Array(4096);
let scratchWords = new Int32Array(scratch.buffer);
let views: Uint8Array[] = [];

function rawView(arena: Uint8Array, words: Int32Array, from: number, size: number): Uint8Array {
  if (size + 4 > scratch.length) {
    scratch = new Uint8Array(Math.max(size + 4, scratch.length * 2));
    scratchWords = new Int32Array(scratch.buffer);
    views = [];
  }
  let view = views[size];
  if (view === undefined) {
    view = new Uint8Array(scratch.buffer, 0, size);
    views[size] = view;
  }
  const nWords = (size + 3) >>> 2;
  if ((from & 3) === 0 && (from >>> 2) + nWords <= words.length) {
    // payloads are 4-byte aligned in perf's 8-byte aligned records: copy words, not bytes
    const w = scratchWords;
    const base = from >>> 2;
    for (let i = 0; i < nWords; i++) w[i] = words[base + i];
  } else {
    const s = scratch;
    for (let i = 0; i < size; i++) s[i] = arena[from + i];
  }
  return view;
}

/** PERF_CONTEXT_* markers are u64 values >= 2^64 - 4095; they are dropped. */
function readCallchain(dv: DataView, at: number, nr: number): Float64Array {
  let n = 0;
  for (let i = 0; i < nr; i++) {
    if (!(dv.getUint32(at + 8 * i + 4, true) === 0xffffffff && dv.getUint32(at + 8 * i, true) >= 0xfffff001)) n++;
  }
  const ips = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < nr; i++) {
    const lo = dv.getUint32(at + 8 * i, true);
    const hi = dv.getUint32(at + 8 * i + 4, true);
    if (hi === 0xffffffff && lo >= 0xfffff001) continue;
    ips[k++] = u64RoundedFromHalves(hi, lo);
  }
  return ips;
}

function cstring(arena: Uint8Array, from: number, to: number): string {
  let e = from;
  while (e < to && arena[e] !== 0) e++;
  return textDecoder.decode(arena.subarray(from, e));
}

/** Bytes of a non-sample record before its sample_id_all trailer. */
function bodyEnd(off: number, len: number, attr: PerfAttr, minBody: number, fail: Fail): number {
  const end = off + len - (attr.sampleIdAll ? attr.trailerSize : 0);
  if (end - off < minBody) fail(`expected at least ${minBody + (attr.sampleIdAll ? attr.trailerSize : 0)} bytes for this record type, found ${len}`);
  return end;
}

export function decodeComm(arena: Uint8Array, dv: DataView, off: number, len: number, attr: PerfAttr, time: number, fail: Fail): CommRecord {
  const end = bodyEnd(off, len, attr, 16, fail);
  return {
    type: 'comm',
    time,
    pid: dv.getInt32(off + 8, true),
    tid: dv.getInt32(off + 12, true),
    comm: cstring(arena, off + 16, end),
    exec: (dv.getUint16(off + 4, true) & MISC_COMM_EXEC) !== 0,
  };
}

export function decodeTask(dv: DataView, off: number, len: number, attr: PerfAttr, time: number, fail: Fail): TaskRecord {
  bodyEnd(off, len, attr, 32, fail);
  return {
    type: dv.getUint32(off, true) === RecordType.FORK ? 'fork' : 'exit',
    time,
    pid: dv.getInt32(off + 8, true),
    ppid: dv.getInt32(off + 12, true),
    tid: dv.getInt32(off + 16, true),
    ptid: dv.getInt32(off + 20, true),
  };
}

export function decodeMmap(arena: Uint8Array, dv: DataView, off: number, len: number, attr: PerfAttr, time: number, fail: Fail): MmapRecord {
  const mmap2 = dv.getUint32(off, true) === RecordType.MMAP2;
  const end = bodyEnd(off, len, attr, mmap2 ? 72 : 40, fail);
  const misc = dv.getUint16(off + 4, true);
  let filename: string;
  let executable: boolean;
  let buildId: string | undefined;
  if (!mmap2) {
    filename = cstring(arena, off + 40, end);
    executable = (misc & MISC_MMAP_DATA) === 0;
  } else {
    executable = (dv.getUint32(off + 64, true) & PROT_EXEC) !== 0;
    filename = cstring(arena, off + 72, end);
    if (misc & MISC_MMAP_BUILD_ID) {
      const n = Math.min(arena[off + 40], 20);
      buildId = '';
      for (let i = 0; i < n; i++) buildId += arena[off + 44 + i].toString(16).padStart(2, '0');
    }
  }
  // one object shape for every mmap record (buildId undefined when absent): with a shape per
  // variant, consumers' record.type reads saw five shapes and went megamorphic
  return {
    type: 'mmap', time, pid: dv.getInt32(off + 8, true), tid: dv.getInt32(off + 12, true),
    start: readU64Rounded(dv, off + 16), length: readU64Rounded(dv, off + 24), pgoff: readU64Rounded(dv, off + 32), filename, executable, buildId,
  };
}

export function decodeLost(dv: DataView, off: number, len: number, attr: PerfAttr, time: number, fail: Fail): LostRecord {
  const lostSamples = dv.getUint32(off, true) === RecordType.LOST_SAMPLES;
  bodyEnd(off, len, attr, lostSamples ? 16 : 24, fail);
  return { type: 'lost', time, count: readU64(dv, off + (lostSamples ? 8 : 16)) /* finite: checked when queued */ };
}
