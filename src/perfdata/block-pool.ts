/**
 * The bytes of queued records live in fixed-size blocks: the cutter reads the file straight
 * into a block and queued records point into it, so the common path copies nothing. A block is
 * recycled (at the sweep after each release is read) once the cutter has moved past it and no
 * queued or undelivered record points into it: the queue pins a block for each record it
 * queues there and unpins it when the record has been read. This file alone keeps those counts.
 * Records that cannot point into a read block (decompressed zstd data, or ones moved when too
 * many sparse blocks are pinned) are copied into "copy blocks" from the same pool.
 */
/**
 * A block is read whole and then parsed: at 1 MB it is still in the CPU's caches when the parse
 * reaches its records, at 4 MB (before 12-07) much of it was not: the reader alone took 0.19-0.21 s
 * instead of 0.25 s of the 161 MB bench recording (best of 5, alternating; 0.29 s of CPU instead
 * of 0.34; peak RSS 62 MB instead of 68). 512 KB read as fast, 256 KB and 2 MB slower.
 */
export const BLOCK_SIZE = 1 << 20;

export class BlockPool {
  blocks: Uint8Array[] = [];
  dvs: DataView[] = [];
  /** 32-bit views of the blocks, for word-wise copies of aligned payloads. */
  words: Int32Array[] = [];
  /** Queued (or released and not yet read) records that lie in each block. */
  private refs: Int32Array = new Int32Array(64);
  private held: boolean[] = [];
  private inUse: boolean[] = [];
  private readonly free: number[] = [];
  /** Blocks allocated and not yet recycled: the memory the queue holds. */
  live = 0;
  private copyBlock = -1;
  private copyPos = 0;
  /** Outputs of copyIn(). */
  outBlock = 0;
  outOff = 0;

  constructor(readonly blockSize = BLOCK_SIZE) {}

  /** A block of at least `minSize` bytes, held by the caller until `drop(id)`. */
  acquire(minSize: number): number {
    let id: number;
    if (minSize <= this.blockSize && this.free.length > 0) {
      id = this.free.pop() as number;
    } else {
      id = this.blocks.length;
      const bytes = new Uint8Array((Math.max(minSize, this.blockSize) + 7) & ~7);
      this.blocks.push(bytes);
      this.dvs.push(new DataView(bytes.buffer));
      this.words.push(new Int32Array(bytes.buffer, 0, bytes.length >>> 2));
      this.held.push(false);
      this.inUse.push(false);
      if (id >= this.refs.length) {
        const grown = new Int32Array(this.refs.length * 2);
        grown.set(this.refs);
        this.refs = grown;
      }
    }
    this.refs[id] = 0;
    this.held[id] = true;
    this.inUse[id] = true;
    this.live++;
    return id;
  }

  /** `n` more queued records lie in block `id`: it stays alive until they are unpinned. */
  pin(id: number, n: number): void {
    this.refs[id] += n;
  }

  /** A record that lay in block `id` has been read, or moved elsewhere. */
  unpin(id: number): void {
    this.refs[id]--;
  }

  /** Records counted as lying in blocks: 0 once everything was read (tests check it). */
  get pinned(): number {
    return this.refs.reduce((a, b) => a + b, 0);
  }

  /** The holder (cutter, copy writer) is done with the block; the next sweep may recycle it. */
  drop(id: number): void {
    this.held[id] = false;
  }

  /** Recycles every block that no holder uses and no record lies in. */
  sweep(): void {
    for (let id = 0; id < this.blocks.length; id++) {
      if (!this.inUse[id] || this.held[id] || this.refs[id] > 0) continue;
      this.inUse[id] = false;
      this.live--;
      if (this.blocks[id].length === this.blockSize) {
        this.free.push(id);
      } else {
        // oversized (a big tracing data record): let it go rather than keep it around
        this.blocks[id] = new Uint8Array(0);
        this.dvs[id] = new DataView(this.blocks[id].buffer);
        this.words[id] = new Int32Array(0);
      }
    }
  }

  /** Copies src[pos, pos+size) into a copy block; result in outBlock/outOff. */
  copyIn(src: Uint8Array, pos: number, size: number): void {
    if (this.copyBlock < 0 || this.copyPos + size > this.blocks[this.copyBlock].length) {
      if (this.copyBlock >= 0) this.drop(this.copyBlock);
      this.copyBlock = this.acquire(size);
      this.copyPos = 0;
    }
    const dst = this.blocks[this.copyBlock];
    dst.set(src.subarray(pos, pos + size), this.copyPos);
    this.outBlock = this.copyBlock;
    this.outOff = this.copyPos;
    this.copyPos += (size + 7) & ~7;
  }
}
