/**
 * Typed arrays → columns of the report blob (layout: src/contract/report-data.ts). The browser
 * side reads them back in src/report-ui/columns.ts.
 */
import type { BlobRef, EncodedInts, EncodedTimes } from '../contract/report-data.js';
import { assert } from '../base/errors.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Appends columns at 8-byte aligned offsets so the browser can view them in place. */
export class BlobBuilder {
  private readonly parts: Uint8Array[] = [];
  private size = 0;
  private spare = new Uint8Array(0);

  /**
   * Room for a column being encoded, before its exact bytes are copied out: one buffer for the
   * report's columns, whose pages are faulted in once (a fresh one per column was most of the
   * varint encoding's time).
   */
  scratch(bytes: number): Uint8Array {
    if (this.spare.length < bytes) this.spare = new Uint8Array(bytes);
    return this.spare;
  }

  add(bytes: Uint8Array): BlobRef {
    // The contract fixes little-endian; every platform Node runs giltrace on is, but say so loudly.
    assert(LITTLE_ENDIAN, 'report columns assume a little-endian platform');
    const pad = (8 - (this.size % 8)) % 8;
    if (pad) this.parts.push(new Uint8Array(pad));
    const ref = { offset: this.size + pad, byteLength: bytes.byteLength };
    this.parts.push(bytes);
    this.size += pad + bytes.byteLength;
    return ref;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.byteLength;
    }
    return out;
  }
}

/** `dvar` (varint deltas) when lossless: safe integers, never decreasing; else raw float64. */
export function encodeTimes(blob: BlobBuilder, times: Float64Array): EncodedTimes {
  const n = times.length;
  if (n === 0) return { enc: 'dvar', length: 0, first: 0, data: blob.add(new Uint8Array(0)) };
  const varints = deltaVarints(times, blob);
  if (varints !== undefined) return { enc: 'dvar', length: n, first: times[0], data: blob.add(varints) };
  return { enc: 'f64', length: n, data: blob.add(new Uint8Array(times.buffer, times.byteOffset, times.byteLength)) };
}

function deltaVarints(times: Float64Array, blob: BlobBuilder): Uint8Array | undefined {
  if (!Number.isSafeInteger(times[0])) return undefined;
  // hot path: one pass, writing into a worst-case buffer (a delta below 2^53 takes ≤ 8 bytes).
  const out = blob.scratch((times.length - 1) * 8);
  let at = 0;
  for (let i = 1; i < times.length; i++) {
    let d = times[i] - times[i - 1];
    if (!(d >= 0) || !Number.isSafeInteger(times[i])) return undefined;
    // most deltas fit 31 bits: integer shifts; the rare longer one in float arithmetic
    while (d >= 0x80000000) {
      out[at++] = (d % 0x80) | 0x80;
      d = Math.floor(d / 0x80);
    }
    let small = d | 0;
    while (small >= 0x80) {
      out[at++] = (small & 0x7f) | 0x80;
      small >>>= 7;
    }
    out[at++] = small;
  }
  return out.slice(0, at);
}

export function encodeInts(blob: BlobBuilder, values: Uint8Array | Uint16Array | Int32Array): EncodedInts {
  const enc = values instanceof Uint8Array ? 'u8' : values instanceof Uint16Array ? 'u16' : 'i32';
  return { enc, length: values.length, data: blob.add(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)) };
}

/** Non-negative ids in the narrowest column that holds them: most recordings have a few hundred stacks. */
export function narrowIds(values: Int32Array): Uint8Array | Uint16Array | Int32Array {
  let max = 0;
  let min = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] > max) max = values[i];
    else if (values[i] < min) min = values[i];
  }
  if (min < 0) return values;
  if (max < 0x100) return Uint8Array.from(values);
  if (max < 0x10000) return Uint16Array.from(values);
  return values;
}
