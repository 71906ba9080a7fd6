/**
 * Bounds-checked little-endian reads over one piece of an ELF file: the shared BoundedBytes with
 * ELF's error wording ("corrupt ELF: ...", absolute file offset) and its string-table reads.
 */
import { BoundedBytes } from '../../base/bounded-bytes.js';
import { GiltraceError } from '../../base/errors.js';

export class ElfBytes extends BoundedBytes {
  /**
   * @param file   path, for error messages
   * @param bytes  the piece of the file that was read
   * @param base   file offset of bytes[0]
   */
  constructor(file: string, bytes: Uint8Array, base: number) {
    super(bytes, file, base);
  }

  get base(): number {
    return this.fileOffset;
  }

  protected outOfBounds(at: number, size: number): never {
    throw this.error(`needed ${size} bytes, only ${Math.max(0, this.bytes.byteLength - at)} left`, at);
  }

  protected implausible(at: number, message: string): never {
    throw this.error(message, at);
  }

  /** NUL-terminated string starting at `at`; a missing terminator is corruption. */
  cstring(at: number): string {
    this.need(at, 1);
    const end = this.bytes.indexOf(0, at);
    if (end < 0) throw this.error('string runs past the end of its table', at);
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + at, end - at).toString('latin1');
  }

  sub(at: number, length: number): ElfBytes {
    this.need(at, length);
    return new ElfBytes(this.file, this.bytes.subarray(at, at + length), this.base + at);
  }

  error(message: string, at: number): GiltraceError {
    return new GiltraceError(`corrupt ELF: ${message}`, { file: this.file, offset: this.base + at });
  }
}
