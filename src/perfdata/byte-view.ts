import { GiltraceError } from '../base/errors.js';
import { BoundedBytes } from '../base/bounded-bytes.js';

/**
 * Bounds-checked reader over one block of a perf.data file (headers, attrs, features, tracing
 * data): the shared BoundedBytes with perf.data's error wording and its own string helpers.
 */
export class ByteView extends BoundedBytes {
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  constructor(
    bytes: Uint8Array,
    file: string,
    fileOffset: number,
    /** What these bytes are, for messages: 'file header', 'tracing data'. */
    readonly what: string,
  ) {
    super(bytes, file, fileOffset);
  }

  fail(offset: number, message: string): never {
    throw new GiltraceError(`${this.what}: ${message}`, { file: this.file, offset: this.fileOffset + offset });
  }

  protected outOfBounds(offset: number, length: number, field: string | undefined): never {
    return this.fail(offset, `expected ${length} bytes of ${field ?? 'data'}, found ${Math.max(0, this.bytes.length - offset)}`);
  }

  protected implausible(offset: number, message: string): never {
    return this.fail(offset, message);
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
