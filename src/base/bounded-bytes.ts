import { readU64 } from './u64.js';

/**
 * The one bounds-checked little-endian reader both binary formats use (perf.data in perfdata/,
 * ELF in probe/elf/): every read past the end goes to the subclass's `outOfBounds`, which throws a
 * GiltraceError naming the file and byte offset in that format's words — never a RangeError and
 * never a silent zero. `fileOffset` is where `bytes[0]` lives in the file.
 */
export abstract class BoundedBytes {
  readonly dv: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
    readonly fileOffset: number,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Throws the format's GiltraceError for `length` bytes at `offset` that are not there. */
  protected abstract outOfBounds(offset: number, length: number, field: string | undefined): never;

  /** Throws the format's GiltraceError for a value that cannot be right. */
  protected abstract implausible(offset: number, message: string): never;

  need(offset: number, length: number, field?: string): void {
    if (!Number.isInteger(offset) || offset < 0 || length < 0 || offset + length > this.bytes.length) {
      this.outOfBounds(offset, length, field);
    }
  }

  u8(offset: number, field?: string): number {
    this.need(offset, 1, field);
    return this.bytes[offset];
  }

  u16(offset: number, field?: string): number {
    this.need(offset, 2, field);
    return this.dv.getUint16(offset, true);
  }

  u32(offset: number, field?: string): number {
    this.need(offset, 4, field);
    return this.dv.getUint32(offset, true);
  }

  i32(offset: number, field?: string): number {
    this.need(offset, 4, field);
    return this.dv.getInt32(offset, true);
  }

  /** u64 as a number: a size or offset of 2^53 or more is corruption in every use we make of it. */
  u64(offset: number, field: string): number {
    this.need(offset, 8, field);
    const value = readU64(this.dv, offset);
    if (value === Infinity) this.implausible(offset, `${field} 0x${this.dv.getBigUint64(offset, true).toString(16)} is too large to be real`);
    return value;
  }

  u64big(offset: number, field?: string): bigint {
    this.need(offset, 8, field);
    return this.dv.getBigUint64(offset, true);
  }

  i64(offset: number, field?: string): bigint {
    this.need(offset, 8, field);
    return this.dv.getBigInt64(offset, true);
  }
}
