/**
 * A pipe-form perf.data carries header features as HEADER_FEATURE records among its first
 * records (perf writes its own that way). giltrace puts its manifest into a recording it streams
 * the same way: one record right after the 16-byte pipe header, which the reader files under
 * `features.otherSections` like the file form's section (perf script warns about the unknown
 * id and goes on).
 */
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
