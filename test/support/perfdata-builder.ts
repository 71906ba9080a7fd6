/**
 * Byte builders for tiny perf.data inputs in tests: records, attrs, tracing data, and whole
 * pipe-form or file-form recordings. Only what the edge-case tests need; layouts follow
 * linux/perf_event.h and tools/perf/util/header.c.
 */

export class Bytes {
  private parts: number[] = [];
  u8(v: number): this { this.parts.push(v & 0xff); return this; }
  u16(v: number): this { return this.u8(v).u8(v >>> 8); }
  u32(v: number): this { return this.u16(v & 0xffff).u16(v >>> 16); }
  u64(v: number | bigint): this {
    const b = BigInt(v) & 0xffffffffffffffffn;
    return this.u32(Number(b & 0xffffffffn)).u32(Number(b >> 32n));
  }
  raw(bytes: Uint8Array | number[]): this { for (const x of bytes) this.parts.push(x); return this; }
  str(s: string, padTo = 0): this {
    const enc = new TextEncoder().encode(s);
    this.raw(enc);
    for (let i = enc.length; i < padTo; i++) this.u8(0);
    return this;
  }
  pad8(): this { while (this.parts.length % 8 !== 0) this.u8(0); return this; }
  get length(): number { return this.parts.length; }
  build(): Uint8Array { return Uint8Array.from(this.parts); }
}

export const ST = { IP: 1, TID: 2, TIME: 4, ADDR: 8, READ: 16, CALLCHAIN: 32, ID: 64, CPU: 128, PERIOD: 256, STREAM_ID: 512, RAW: 1024, REGS_USER: 1 << 12, STACK_USER: 1 << 13, IDENTIFIER: 1 << 16 };

export interface AttrSpec {
  readonly type?: number;
  readonly config?: number;
  readonly sampleType: number;
  readonly sampleIdAll?: boolean;
  /** attr.size: 64 (VER0), 72, 80, 96, 104, 112, 120, 128, 136. */
  readonly size?: number;
  readonly regsUser?: bigint;
}

export function attr(spec: AttrSpec): Uint8Array {
  const size = spec.size ?? 128;
  const b = new Bytes()
    .u32(spec.type ?? 2).u32(size).u64(spec.config ?? 0).u64(1).u64(spec.sampleType).u64(0)
    .u64(spec.sampleIdAll === false ? 0 : 1n << 18n);
  while (b.length < size) b.u8(0);
  const out = b.build();
  if (size >= 88 && spec.regsUser !== undefined) new DataView(out.buffer).setBigUint64(80, spec.regsUser, true);
  return out;
}

export function record(type: number, body: Uint8Array | Bytes, misc = 0, sizeOverride?: number): Uint8Array {
  const bytes = body instanceof Bytes ? body.build() : body;
  return new Bytes().u32(type).u16(misc).u16(sizeOverride ?? 8 + bytes.length).raw(bytes).build();
}

export interface SampleSpec {
  readonly id?: number;
  readonly ip?: number;
  readonly pid?: number;
  readonly tid?: number;
  readonly time?: bigint | number;
  readonly cpu?: number;
  readonly raw?: Uint8Array;
  readonly callchain?: bigint[];
}

/** A SAMPLE body laid out for `sampleType` (the subset of bits the builder knows). */
export function sample(sampleType: number, s: SampleSpec): Uint8Array {
  const b = new Bytes();
  if (sampleType & ST.IDENTIFIER) b.u64(s.id ?? 0);
  if (sampleType & ST.IP) b.u64(s.ip ?? 0);
  if (sampleType & ST.TID) b.u32(s.pid ?? 0).u32(s.tid ?? 0);
  if (sampleType & ST.TIME) b.u64(s.time ?? 0);
  if (sampleType & ST.ID) b.u64(s.id ?? 0);
  if (sampleType & ST.CPU) b.u32(s.cpu ?? 0).u32(0);
  if (sampleType & ST.PERIOD) b.u64(1);
  if (sampleType & ST.CALLCHAIN) {
    const cc = s.callchain ?? [];
    b.u64(cc.length);
    for (const ip of cc) b.u64(ip);
  }
  if (sampleType & ST.RAW) {
    const raw = s.raw ?? new Uint8Array(40); // zeros: a valid SWITCH_FORMAT payload
    const padded = ((raw.length + 4 + 7) & ~7) - 4;
    b.u32(padded).raw(raw);
    for (let i = raw.length; i < padded; i++) b.u8(0);
  }
  return record(9, b);
}

/** sample_id_all trailer for `sampleType` (TID TIME ID STREAM_ID CPU IDENTIFIER). */
export function trailer(sampleType: number, s: SampleSpec): Bytes {
  const b = new Bytes();
  if (sampleType & ST.TID) b.u32(s.pid ?? 0).u32(s.tid ?? 0);
  if (sampleType & ST.TIME) b.u64(s.time ?? 0);
  if (sampleType & ST.ID) b.u64(s.id ?? 0);
  if (sampleType & ST.CPU) b.u32(s.cpu ?? 0).u32(0);
  if (sampleType & ST.IDENTIFIER) b.u64(s.id ?? 0);
  return b;
}

export function comm(sampleType: number, pid: number, tid: number, name: string, s: SampleSpec = {}): Uint8Array {
  const b = new Bytes().u32(pid).u32(tid).str(name).u8(0).pad8().raw(trailer(sampleType, s).build());
  return record(3, b);
}

export function fork(sampleType: number, pid: number, tid: number, ppid: number, ptid: number, s: SampleSpec = {}): Uint8Array {
  const b = new Bytes().u32(pid).u32(ppid).u32(tid).u32(ptid).u64(s.time ?? 0).raw(trailer(sampleType, s).build());
  return record(7, b);
}

export function lost(sampleType: number, count: number, s: SampleSpec = {}): Uint8Array {
  return record(2, new Bytes().u64(s.id ?? 0).u64(count).raw(trailer(sampleType, s).build()));
}

export const FINISHED_ROUND = record(68, new Uint8Array(0));

export const SWITCH_FORMAT = `name: sched_switch
ID: 316
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;
\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;
\tfield:__data_loc char[] name;\toffset:28;\tsize:4;\tsigned:0;

print fmt: "prev_comm=%s", REC->prev_comm
`;

/** Tracing data with one system of formats (perf's trace-event-read.c layout, version 0.6). */
export function tracingData(system: string, formats: string[]): Uint8Array {
  const b = new Bytes().raw([0x17, 0x08, 0x44]).str('tracing').str('0.6').u8(0).u8(0).u8(8).u32(4096);
  b.str('header_page').u8(0).u64(4).u32(0);
  b.str('header_event').u8(0).u64(0);
  b.u32(0); // ftrace formats
  b.u32(1).str(system).u8(0).u32(formats.length);
  for (const f of formats) b.u64(f.length).str(f);
  b.u32(0); // kallsyms
  b.u32(0); // printk
  b.u64(0); // saved cmdlines
  return b.build();
}

export function tracingDataRecord(data: Uint8Array): Uint8Array {
  const padded = (data.length + 7) & ~7;
  const body = new Bytes().u32(data.length).u32(0).build(); // header 8 + size 4 + pad 4
  const rec = record(66, body);
  const out = new Uint8Array(rec.length + padded);
  out.set(rec);
  out.set(data, rec.length);
  return out;
}

export function headerAttr(a: Uint8Array, ids: number[]): Uint8Array {
  const b = new Bytes().raw(a);
  for (const id of ids) b.u64(id);
  return record(64, b);
}

/** Pipe form: 16-byte header then records. */
export function pipeForm(records: Uint8Array[]): Uint8Array {
  const b = new Bytes().str('PERFILE2').u64(16);
  for (const r of records) b.raw(r);
  return b.build();
}

/** File form: header, attrs (+ ids), data, and a TRACING_DATA feature section when given. */
export function fileForm(attrs: { attr: Uint8Array; ids: number[] }[], data: Uint8Array[], tracing?: Uint8Array): Uint8Array {
  const parts = fileFormParts(attrs, data, tracing);
  const out = new Uint8Array(parts.head.length + parts.rest.length);
  out.set(parts.head);
  out.set(parts.rest, parts.head.length);
  return out;
}

/**
 * The same in two parts: `head` (header, ids, attrs) at offset 0 and `rest` (data, then the
 * feature sections) at `dataAt` — far away for > 4 GB offset tests with a sparse file.
 */
export function fileFormParts(attrs: { attr: Uint8Array; ids: number[] }[], data: Uint8Array[], tracing?: Uint8Array, dataAt?: number): { head: Uint8Array; rest: Uint8Array; dataAt: number } {
  const attrSize = (attrs[0]?.attr.length ?? 128) + 16;
  const idsStart = 104;
  const idsBytes = attrs.reduce((n, a) => n + 8 * a.ids.length, 0);
  const attrsStart = idsStart + idsBytes;
  const dataStart = dataAt ?? attrsStart + attrSize * attrs.length;
  const dataBytes = data.reduce((n, r) => n + r.length, 0);
  const b = new Bytes().str('PERFILE2').u64(104).u64(attrSize)
    .u64(attrsStart).u64(attrSize * attrs.length)
    .u64(dataStart).u64(dataBytes)
    .u64(0).u64(0)
    .u64(tracing ? 2 : 0).u64(0).u64(0).u64(0);
  for (const a of attrs) for (const id of a.ids) b.u64(id);
  let idOff = idsStart;
  for (const a of attrs) {
    b.raw(a.attr).u64(idOff).u64(8 * a.ids.length);
    idOff += 8 * a.ids.length;
  }
  const r = new Bytes();
  for (const d of data) r.raw(d);
  if (tracing) r.u64(dataStart + dataBytes + 16).u64(tracing.length).raw(tracing);
  return { head: b.build(), rest: r.build(), dataAt: dataStart };
}

/** sched_switch-shaped payload matching SWITCH_FORMAT. */
export function switchPayload(prevComm: string, prevPid: number, name: string): Uint8Array {
  const b = new Bytes().u16(316).u16(0).u32(prevPid).str(prevComm, 16).u32(prevPid);
  const nameBytes = new TextEncoder().encode(name);
  b.u32(32 | ((nameBytes.length + 1) << 16)).raw(nameBytes).u8(0);
  return b.build();
}
