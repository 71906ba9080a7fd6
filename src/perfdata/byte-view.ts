import { GiltraceError } from '../base/errors.js';
import { TWO_POW_32 } from './constants.js';

/**
 * Bounds-checked little-endian reader over one block of bytes (headers, attrs, features,
 * tracing data). Every read past the end is a GiltraceError naming the file offset, never a
 * silent zero. `fileOffset` is where `bytes[0]` lives in the file, for messages.
 */
export class ByteView {
  readonly dv: DataView;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
    readonly fileOffset: number,
    /** What these bytes are, for messages: 'file header', 'tracing data'. */
    readonly what: string,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  fail(offset: number, message: string): never {
    throw new GiltraceError(`${this.what}: ${message}`, { file: this.file, offset: this.fileOffset + offset });
  }

  need(offset: number, length: number, field: string): void {
    if (offset < 0 || length < 0 || offset + length > this.bytes.length) {
      this.fail(offset, `expected ${length} bytes of ${field}, found ${Math.max(0, this.bytes.length - offset)}`);
    }
  }

  u8(offset: number, field: string): number {
    this.need(offset, 1, field);
    return this.bytes[offset];
  }
  u16(offset: number, field: string): number {
    this.need(offset, 2, field);
    return this.dv.getUint16(offset, true);
  }
  u32(offset: number, field: string): number {
    this.need(offset, 4, field);
    return this.dv.getUint32(offset, true);
  }
  i32(offset: number, field: string): number {
    this.need(offset, 4, field);
    return this.dv.getInt32(offset, true);
  }
  /** u64 as a number; values of 2^53 and more are corrupt for every use we make of this. */
  u64(offset: number, field: string): number {
    this.need(offset, 8, field);
    const lo = this.dv.getUint32(offset, true);
    const hi = this.dv.getUint32(offset + 4, true);
    if (hi >= 0x200000) this.fail(offset, `${field} ${this.u64big(offset, field)} is implausibly large`);
    return hi * TWO_POW_32 + lo;
  }
  u64big(offset: number, field: string): bigint {
    this.need(offset, 8, field);
    return this.dv.getBigUint64(offset, true);
  }
  /** NUL-terminated string inside [offset, offset + maxLength). */
  cstring(offset: number, maxLength: number, field: string): string {
    this.need(offset, maxLength, field);
    let end = offset;
    const limit = offset + maxLength;
    while (end < limit && this.bytes[end] !== 0) end++;
    return this.decoder.decode(this.bytes.subarray(offset, end));
  }
  sub(offset: number, length: number, field: string): Uint8Array {
    this.need(offset, length, field);
    return this.bytes.subarray(offset, offset + length);
  }
}

/** Formats a few bytes for "found ..." in messages. */
export function hexBytes(bytes: Uint8Array, offset: number, length: number): string {
  const end = Math.min(bytes.length, offset + length);
  let out = '';
  for (let i = offset; i < end; i++) out += bytes[i].toString(16).padStart(2, '0');
  return out === '' ? '(nothing)' : `0x${out}`;
}
