import { STARVED, type ByteSource } from './byte-source.js';

/**
 * A byte source that is fed: `push` appends bytes as they arrive (copied, so the caller may reuse
 * its buffer), `read` hands out what is there and says STARVED when nothing is, until `end`
 * says no more will come. The cutter above it sees the same stream as from a pipe, only in
 * pieces: it never blocks and never waits.
 */
export class PushSource implements ByteSource {
  position = 0;
  private readonly chunks: Uint8Array[] = [];
  /** Where the first chunk's unread bytes start. */
  private head = 0;
  private buffered = 0;
  private ended = false;

  push(bytes: Uint8Array): void {
    if (this.ended) throw new Error('internal error: bytes pushed after end()');
    if (bytes.length === 0) return;
    this.chunks.push(bytes.slice());
    this.buffered += bytes.length;
  }

  end(): void {
    this.ended = true;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Unknown until the end: a record size is only known to be too big once no more bytes can come. */
  get remaining(): number {
    return this.ended ? this.buffered : Infinity;
  }

  read(into: Uint8Array, offset: number, length: number): number {
    if (this.buffered === 0) return this.ended ? 0 : STARVED;
    let n = 0;
    while (n < length && this.chunks.length > 0) {
      const chunk = this.chunks[0];
      const take = Math.min(length - n, chunk.length - this.head);
      into.set(chunk.subarray(this.head, this.head + take), offset + n);
      n += take;
      this.head += take;
      if (this.head === chunk.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    this.buffered -= n;
    this.position += n;
    return n;
  }
}
