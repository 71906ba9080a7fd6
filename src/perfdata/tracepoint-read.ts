import { GiltraceError } from '../base/errors.js';
import { TWO_POW_32, u64RoundedFromHalves } from '../base/u64.js';
import type { PayloadPlace } from './decode.js';
import type { SampleRecord, TracepointField } from './types.js';

/** A sample as the reader makes it: the public fields plus where its payload lies (tests' samples have only `raw`). */
type PlacedSample = SampleRecord & Partial<PayloadPlace>;

const decoder = new TextDecoder('utf-8', { fatal: false });

function outside(length: number, field: TracepointField, from: number, size: number): never {
  throw new GiltraceError(`tracepoint field ${field.name}: bytes [${from}, ${from + size}) lie outside the ${length}-byte payload`);
}

function noPayload(field: TracepointField): never {
  throw new GiltraceError(`tracepoint field ${field.name}: the sample has no raw payload`);
}

/**
 * Reads an integer field (1, 2, 4 or 8 bytes, signedness from the format). 8-byte values come
 * back as float64: exact below 2^53, which covers pids, states and user-space pointers.
 */
export function readTracepointInt(raw: Uint8Array, field: TracepointField): number {
  return intAt(raw, 0, raw.length, field);
}

/** Reads a `char name[N]` (up to the first NUL) or a `__data_loc`/`__rel_loc char[]` string. */
export function readTracepointString(raw: Uint8Array, field: TracepointField): string {
  return stringAt(raw, 0, raw.length, field);
}

/** readTracepointInt on a sample's payload, read where it lies (no copy of `raw`). */
export function readSampleInt(record: SampleRecord, field: TracepointField): number {
  // hot path, kept this small so that V8 inlines it into the caller's loop (a call would box
  // every 8-byte value it returns): 4- and 8-byte fields of a reader sample, through its DataView;
  // the 8-byte sum is u64RoundedFromHalves spelled out, for the same reason
  const sample = record as PlacedSample;
  const dv = sample.rawDv;
  const width = field.width;
  if (dv !== undefined && field.offset + width <= (sample.rawLength as number)) {
    const p = (sample.rawAt as number) + field.offset;
    if (width === 4) return field.signed ? dv.getInt32(p, true) : dv.getUint32(p, true);
    if (width === 8) return (field.signed ? dv.getInt32(p + 4, true) : dv.getUint32(p + 4, true)) * TWO_POW_32 + dv.getUint32(p, true);
  }
  return readSampleIntElsewhere(sample, field);
}

/** readSampleInt's other cases: 1- and 2-byte fields, samples with only `raw`, fields outside the payload. */
function readSampleIntElsewhere(sample: PlacedSample, field: TracepointField): number {
  const bytes = sample.rawBytes;
  if (bytes !== undefined) return intAt(bytes, sample.rawAt as number, sample.rawLength as number, field);
  const raw = sample.raw;
  return raw === undefined ? noPayload(field) : intAt(raw, 0, raw.length, field);
}

/** readTracepointString on a sample's payload, read where it lies (no copy of `raw`). */
export function readSampleString(record: SampleRecord, field: TracepointField): string {
  const sample = record as PlacedSample;
  const bytes = sample.rawBytes;
  if (bytes !== undefined) return stringAt(bytes, sample.rawAt as number, sample.rawLength as number, field);
  const raw = sample.raw;
  return raw === undefined ? noPayload(field) : stringAt(raw, 0, raw.length, field);
}

/**
 * The bytes of a fixed-size field (an array such as `u8 name[64]`) where the sample lies: a view,
 * valid only until the reader moves on (copy it to keep it).
 */
export function readSampleBytes(record: SampleRecord, field: TracepointField): Uint8Array {
  const sample = record as PlacedSample;
  const bytes = sample.rawBytes;
  const at = bytes !== undefined ? (sample.rawAt as number) : 0;
  const length = bytes !== undefined ? (sample.rawLength as number) : (sample.raw?.length ?? noPayload(field));
  if (field.offset + field.size > length) outside(length, field, field.offset, field.size);
  const source = bytes ?? (sample.raw as Uint8Array);
  return source.subarray(at + field.offset, at + field.offset + field.size);
}

/** The whole tracepoint payload where the sample lies: a view, valid only until the reader moves on. */
export function readSamplePayload(record: SampleRecord): Uint8Array {
  const sample = record as PlacedSample;
  const bytes = sample.rawBytes;
  if (bytes !== undefined) return bytes.subarray(sample.rawAt as number, (sample.rawAt as number) + (sample.rawLength as number));
  return sample.raw ?? new Uint8Array(0);
}

/** How many bytes the sample's payload has (without copying it); 0 without one. */
export function samplePayloadLength(record: SampleRecord): number {
  const sample = record as PlacedSample;
  if (sample.rawBytes !== undefined) return sample.rawLength as number;
  return sample.raw?.length ?? 0;
}

/** The sample carries a tracepoint payload (without copying it). */
export function hasPayload(record: SampleRecord): boolean {
  const sample = record as PlacedSample;
  // a reader's sample says so by rawBytes; other SampleRecords (tests) by raw
  return sample.rawBytes !== undefined || (sample.rawLength === undefined && sample.raw !== undefined);
}

/** The integer field of the payload bytes[at, at + length). */
function intAt(bytes: Uint8Array, at: number, length: number, field: TracepointField): number {
  const o = field.offset;
  const size = field.width;
  if (o + size > length) outside(length, field, o, size);
  const p = at + o;
  switch (size) {
    case 1: {
      const v = bytes[p];
      return field.signed && v >= 0x80 ? v - 0x100 : v;
    }
    case 2: {
      const v = bytes[p] | (bytes[p + 1] << 8);
      return field.signed && v >= 0x8000 ? v - 0x10000 : v;
    }
    case 4: {
      const v = bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24);
      return field.signed ? v : v >>> 0;
    }
    case 8: {
      const lo = (bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24)) >>> 0;
      const hi = bytes[p + 4] | (bytes[p + 5] << 8) | (bytes[p + 6] << 16) | (bytes[p + 7] << 24);
      return u64RoundedFromHalves(field.signed ? hi : hi >>> 0, lo);
    }
    default:
      throw new GiltraceError(`tracepoint field ${field.name} has size ${field.size}; only 1, 2, 4 and 8-byte integers can be read`);
  }
}

/** The string field of the payload bytes[at, at + length). */
function stringAt(bytes: Uint8Array, at: number, length: number, field: TracepointField): string {
  let from = field.offset;
  let size = field.size;
  if (field.dataLoc || field.relLoc) {
    if (field.offset + 4 > length) outside(length, field, field.offset, 4);
    const o = at + field.offset;
    const loc = (bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24)) >>> 0;
    from = (loc & 0xffff) + (field.relLoc ? field.offset + field.size : 0);
    size = loc >>> 16;
  }
  if (from + size > length) outside(length, field, from, size);
  const start = at + from;
  const limit = start + size;
  let end = start;
  while (end < limit && bytes[end] !== 0) end++;
  // hot path: comm strings are short ASCII; skip the TextDecoder call for them
  if (end - start <= 32) {
    let ascii = true;
    for (let i = start; i < end; i++) if (bytes[i] >= 0x80) { ascii = false; break; }
    if (ascii) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }
  return decoder.decode(bytes.subarray(start, end));
}
