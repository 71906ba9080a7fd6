/**
 * Bounds-checked little-endian reads over one piece of an ELF file. Every read names the absolute
 * file offset it failed at, so a truncated or corrupt file becomes a GiltraceError(file, offset)
 * instead of a RangeError or a silently wrong number.
 */
import { GiltraceError } from '../../base/errors.js';

export class ElfBytes {
  private readonly view: DataView;

  /**
   * @param file   path, for error messages
   * @param bytes  the piece of the file that was read
   * @param base   file offset of bytes[0]
   */
  constructor(
    readonly file: string,
    readonly bytes: Uint8Array,
    readonly base: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.byteLength;
  }

  u8(at: number): number {
    this.check(at, 1);
    return this.view.getUint8(at);
  }

  u16(at: number): number {
    this.check(at, 2);
    return this.view.getUint16(at, true);
  }

  u32(at: number): number {
    this.check(at, 4);
    return this.view.getUint32(at, true);
  }

  /** u64 as a JS number; values past 2^53 cannot be offsets or sizes in a real file. */
  u64(at: number, what: string): number {
    this.check(at, 8);
    const value = this.view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw this.error(`${what} is 0x${value.toString(16)}, too large to be real`, at);
    }
    return Number(value);
  }

  /** Signed 64-bit, for d_tag values (which are small, or large OS-specific ones we skip). */
  i64(at: number): bigint {
    this.check(at, 8);
    return this.view.getBigInt64(at, true);
  }

  /** NUL-terminated string starting at `at`; a missing terminator is corruption. */
  cstring(at: number): string {
    this.check(at, 1);
    const end = this.bytes.indexOf(0, at);
    if (end < 0) throw this.error('string runs past the end of its table', at);
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + at, end - at).toString('latin1');
  }

  sub(at: number, length: number): ElfBytes {
    this.check(at, length);
    return new ElfBytes(this.file, this.bytes.subarray(at, at + length), this.base + at);
  }

  error(message: string, at: number): GiltraceError {
    return new GiltraceError(`corrupt ELF: ${message}`, { file: this.file, offset: this.base + at });
  }

  private check(at: number, size: number): void {
    if (!Number.isInteger(at) || at < 0 || at + size > this.bytes.byteLength) {
      throw this.error(`needed ${size} bytes, only ${Math.max(0, this.bytes.byteLength - at)} left`, at);
    }
  }
}
