/** Base64 columns of the report data → typed arrays (layout: src/contract/report-data.ts). */
import type { EncodedInts, EncodedTimes } from '../contract/report-data.js';

function bytesOf(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Typed arrays need aligned offsets; a fresh Uint8Array from bytesOf always starts at 0. */
export function decodeTimes(column: EncodedTimes): Float64Array {
  if (column.length === 0) return new Float64Array(0);
  const bytes = bytesOf(column.data);
  if (column.enc === 'f64') return new Float64Array(bytes.buffer, 0, column.length);
  const deltas = new Uint32Array(bytes.buffer, 0, column.length - 1);
  const times = new Float64Array(column.length);
  let t = column.first;
  times[0] = t;
  for (let i = 1; i < column.length; i++) times[i] = t += deltas[i - 1];
  return times;
}

export function decodeInts(column: EncodedInts): Uint8Array | Uint16Array | Int32Array {
  if (column.length === 0) return new Uint8Array(0);
  const bytes = bytesOf(column.data);
  switch (column.enc) {
    case 'u8':
      return bytes;
    case 'u16':
      return new Uint16Array(bytes.buffer, 0, column.length);
    case 'i32':
      return new Int32Array(bytes.buffer, 0, column.length);
  }
}
