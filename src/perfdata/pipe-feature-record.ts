/**
 * A pipe-form perf.data carries header features as HEADER_FEATURE records among its first
 * records (perf writes its own that way). giltrace puts its manifest into a recording it streams
 * the same way: one record right after the 16-byte pipe header, which the reader files under
 * `features.otherSections` like the file form's section (perf script warns about the unknown
 * id and goes on).
 */
import { GiltraceError } from '../base/errors.js';
import { RecordType } from './constants.js';

/** The 16-byte pipe-form header: magic and header size. */
export const PIPE_HEADER_BYTES = 16;
/** A record's size is a u16 (the header and feature id included), and records are 8-byte aligned in perf's streams. */
export const MAX_PIPE_RECORD = 0xfff8;

/**
 * The HEADER_FEATURE record for `content`, padded with `pad` (a space suits JSON) to 8 bytes, or
 * to `size` bytes when given (room for a longer content written over it later); undefined when
 * it is too big for one record (or for `size`).
 */
export function pipeFeatureRecord(feature: number, content: Uint8Array, pad = 0x20, size = (16 + content.length + 7) & ~7): Uint8Array | undefined {
  if (size > MAX_PIPE_RECORD || size % 8 !== 0 || 16 + content.length > size) return undefined;
  const out = new Uint8Array(size).fill(pad, 16 + content.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, RecordType.HEADER_FEATURE, true);
  dv.setUint16(4, 0, true);
  dv.setUint16(6, size, true);
  dv.setUint32(8, feature, true);
  dv.setUint32(12, 0, true);
  out.set(content, 16);
  return out;
}

/**
 * Content of any length as HEADER_FEATURE records of `feature` (each at most MAX_PIPE_RECORD
 * bytes): a u32 length, then the content, cut into records; pipeFeatureContent joins them again.
 */
export function pipeFeatureRecords(feature: number, content: Uint8Array): Uint8Array[] {
  const whole = new Uint8Array(4 + content.length);
  new DataView(whole.buffer).setUint32(0, content.length, true);
  whole.set(content, 4);
  const step = MAX_PIPE_RECORD - 16;
  const records: Uint8Array[] = [];
  for (let at = 0; at < whole.length; at += step) records.push(pipeFeatureRecord(feature, whole.subarray(at, at + step), 0)!);
  return records;
}

/** What pipeFeatureRecords cut, from the bytes of its records; a GiltraceError when they are not such records. */
export function pipeFeatureContent(bytes: Uint8Array, feature: number, path: string, offset: number): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const size = at + 16 <= bytes.length ? dv.getUint16(at + 6, true) : 0;
    if (size < 16 || at + size > bytes.length || dv.getUint32(at, true) !== RecordType.HEADER_FEATURE || dv.getUint32(at + 8, true) !== feature) {
      throw new GiltraceError(`expected feature ${feature} records, found something else`, { file: path, offset: offset + at });
    }
    parts.push(bytes.subarray(at + 16, at + size));
    at += size;
  }
  const joined = Buffer.concat(parts);
  const length = joined.length >= 4 ? joined.readUInt32LE(0) : -1;
  if (length < 0 || 4 + length > joined.length) throw new GiltraceError(`feature ${feature} records end before their content does`, { file: path, offset });
  return joined.subarray(4, 4 + length);
}
