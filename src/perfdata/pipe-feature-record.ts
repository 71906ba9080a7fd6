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
/** A record's size is a u16: the header (8 bytes) and feature id (8 bytes) included. */
const MAX_RECORD = 0xffff;

/**
 * The HEADER_FEATURE record for `content`, padded to 8 bytes with `pad` (a space suits JSON);
 * undefined when it is too big for one record.
 */
export function pipeFeatureRecord(feature: number, content: Uint8Array, pad = 0x20): Uint8Array | undefined {
  // records are 8-byte aligned in perf's streams
  const size = (16 + content.length + 7) & ~7;
  if (size > MAX_RECORD) return undefined;
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
