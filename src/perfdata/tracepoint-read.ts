import { GiltraceError } from '../base/errors.js';
import { TWO_POW_32 } from './constants.js';
import type { TracepointField } from './types.js';

const decoder = new TextDecoder('utf-8', { fatal: false });

function outside(raw: Uint8Array, field: TracepointField, from: number, length: number): never {
  throw new GiltraceError(`tracepoint field ${field.name}: bytes [${from}, ${from + length}) lie outside the ${raw.length}-byte payload`);
}

/**
 * Reads an integer field (1, 2, 4 or 8 bytes, signedness from the format). 8-byte values come
 * back as float64: exact below 2^53, which covers pids, states and user-space pointers.
 */
export function readTracepointInt(raw: Uint8Array, field: TracepointField): number {
  const o = field.offset;
  const size = field.arrayLength !== undefined ? field.size / field.arrayLength : field.size;
  if (o + size > raw.length) outside(raw, field, o, size);
  // hot path: plain byte arithmetic, no DataView per call
  switch (size) {
    case 1: {
      const v = raw[o];
      return field.signed && v >= 0x80 ? v - 0x100 : v;
    }
    case 2: {
      const v = raw[o] | (raw[o + 1] << 8);
      return field.signed && v >= 0x8000 ? v - 0x10000 : v;
    }
    case 4: {
      const v = raw[o] | (raw[o + 1] << 8) | (raw[o + 2] << 16) | (raw[o + 3] << 24);
      return field.signed ? v : v >>> 0;
    }
    case 8: {
      const lo = (raw[o] | (raw[o + 1] << 8) | (raw[o + 2] << 16) | (raw[o + 3] << 24)) >>> 0;
      const hi = raw[o + 4] | (raw[o + 5] << 8) | (raw[o + 6] << 16) | (raw[o + 7] << 24);
      return (field.signed ? hi : hi >>> 0) * TWO_POW_32 + lo;
    }
    default:
      throw new GiltraceError(`tracepoint field ${field.name} has size ${field.size}; only 1, 2, 4 and 8-byte integers can be read`);
  }
}

/** Reads a `char name[N]` (up to the first NUL) or a `__data_loc`/`__rel_loc char[]` string. */
export function readTracepointString(raw: Uint8Array, field: TracepointField): string {
  let from = field.offset;
  let length = field.size;
  if (field.dataLoc || field.relLoc) {
    if (field.offset + 4 > raw.length) outside(raw, field, field.offset, 4);
    const o = field.offset;
    const loc = (raw[o] | (raw[o + 1] << 8) | (raw[o + 2] << 16) | (raw[o + 3] << 24)) >>> 0;
    from = (loc & 0xffff) + (field.relLoc ? field.offset + field.size : 0);
    length = loc >>> 16;
  }
  if (from + length > raw.length) outside(raw, field, from, length);
  let end = from;
  const limit = from + length;
  while (end < limit && raw[end] !== 0) end++;
  // hot path: comm strings are short ASCII; skip the TextDecoder call for them
  if (end - from <= 32) {
    let ascii = true;
    for (let i = from; i < end; i++) if (raw[i] >= 0x80) { ascii = false; break; }
    if (ascii) return String.fromCharCode.apply(null, raw.subarray(from, end) as unknown as number[]);
  }
  return decoder.decode(raw.subarray(from, end));
}
