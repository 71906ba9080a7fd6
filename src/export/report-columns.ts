/**
 * Typed arrays → the base64 columns of report-data (see src/contract/report-data.ts).
 * The browser side decodes them with the same layout in src/report-ui/columns.ts.
 */
import type { EncodedInts, EncodedTimes } from '../contract/report-data.js';
import { assert } from '../base/errors.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function base64Of(view: ArrayBufferView): string {
  // The contract fixes little-endian; every platform Node runs giltrace on is, but say so loudly.
  assert(LITTLE_ENDIAN, 'report columns assume a little-endian platform');
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');
}

/** Picks `du32` when it is lossless (integers, steps within 0..2^32-1), else raw float64. */
export function encodeTimes(times: Float64Array): EncodedTimes {
  const n = times.length;
  if (n === 0) return { enc: 'du32', length: 0, first: 0, data: '' };
  const deltas = new Uint32Array(n - 1);
  let ok = Number.isSafeInteger(times[0]);
  for (let i = 1; ok && i < n; i++) {
    const d = times[i] - times[i - 1];
    if (!Number.isInteger(d) || d < 0 || d > 0xffffffff || !Number.isSafeInteger(times[i])) ok = false;
    else deltas[i - 1] = d;
  }
  if (ok) return { enc: 'du32', length: n, first: times[0], data: base64Of(deltas) };
  return { enc: 'f64', length: n, data: base64Of(times) };
}

export function encodeInts(values: Uint8Array | Uint16Array | Int32Array): EncodedInts {
  const enc = values instanceof Uint8Array ? 'u8' : values instanceof Uint16Array ? 'u16' : 'i32';
  return { enc, length: values.length, data: base64Of(values) };
}
