import * as fs from 'node:fs';
import { GiltraceError } from '../base/errors.js';

/**
 * Sequential byte sources for the record cutter. Offsets are plain numbers (exact to 2^53), never
 * 32-bit: files beyond 4 GB are read the same way as small ones.
 */
/** What `ByteSource.read` returns when no byte has arrived yet but more may come (PushSource). */
export const STARVED = -1;

export interface ByteSource {
  /**
   * Reads up to `length` bytes into `into[offset..]`; 0 means end of data, STARVED that no byte
   * is there now but more may come (only a source that is being fed says so).
   */
  read(into: Uint8Array, offset: number, length: number): number;
  /** Absolute file offset of the next byte `read` returns. */
  readonly position: number;
  /** Bytes left to read when known (Infinity for streams): lets a corrupt size fail before any allocation. */
  readonly remaining: number;
  /** Releases the file descriptor (not stdin); called once the data has been read. */
  close?(): void;
}

/** A byte range [start, end) of a regular file, read with positional reads. */
export class FileRangeSource implements ByteSource {
  position: number;
  constructor(private readonly fd: number, private readonly path: string, start: number, private readonly end: number) {
    this.position = start;
  }
  close(): void {
    closeFd(this.fd);
  }
  get remaining(): number {
    return this.end - this.position;
  }
  read(into: Uint8Array, offset: number, length: number): number {
    const want = Math.min(length, this.end - this.position);
    if (want <= 0) return 0;
    const n = readFd(this.fd, this.path, into, offset, want, this.position);
    this.position += n;
    return n;
  }
}

/** A pipe, FIFO or stdin: sequential reads until EOF. */
export class StreamSource implements ByteSource {
  position = 0;
  readonly remaining = Infinity;
  constructor(private readonly fd: number, private readonly path: string) {}
  close(): void {
    closeFd(this.fd);
  }
  read(into: Uint8Array, offset: number, length: number): number {
    const n = readFd(this.fd, this.path, into, offset, length, null);
    this.position += n;
    return n;
  }
}

/** Bytes already in memory (tests, and chunk-boundary checks). */
export class MemorySource implements ByteSource {
  position = 0;
  constructor(private readonly bytes: Uint8Array, private readonly maxChunk = Infinity) {}
  get remaining(): number {
    return this.bytes.length - this.position;
  }
  read(into: Uint8Array, offset: number, length: number): number {
    const n = Math.min(length, this.bytes.length - this.position, this.maxChunk);
    if (n <= 0) return 0;
    into.set(this.bytes.subarray(this.position, this.position + n), offset);
    this.position += n;
    return n;
  }
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

function readFd(fd: number, path: string, into: Uint8Array, offset: number, length: number, position: number | null): number {
  for (;;) {
    try {
      return fs.readSync(fd, into, offset, length, position);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        // non-blocking stdin: wait a little for the writer instead of spinning
        Atomics.wait(sleepCell, 0, 0, 5);
        continue;
      }
      if (code === 'EOF') return 0;
      throw new GiltraceError(`cannot read: ${(err as Error).message}`, { file: path, offset: position ?? undefined });
    }
  }
}

function closeFd(fd: number): void {
  if (fd === 0) return;
  try {
    fs.closeSync(fd);
  } catch {
    // already closed: nothing to release
  }
}
