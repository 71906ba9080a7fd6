/**
 * Which attr a sample id belongs to. perf's ids count every event opened on the machine since
 * boot (455,774 on a machine up for a day here), and one recording's lie close together, far
 * from 0: the ids from the lowest on are an array's indices (SMALL_ID_LIMIT of them at most),
 * the others (none in practice) are in a map. Read straight from a record's bytes, a lookup is
 * two 32-bit reads and an array's element, not a 64-bit number hashed into a map (the reader's
 * queue and the holder sampler's pass over perf's growing file share it).
 */
import { readU64 } from '../base/u64.js';
import type { PerfAttr } from './attr.js';

const SMALL_ID_LIMIT = 1 << 16;

export class IdIndex {
  /** Attr index of each id from `base` on (-1: none). */
  readonly small: Int32Array;
  readonly base: number;
  private readonly rest = new Map<number, number>();

  constructor(attrs: readonly PerfAttr[]) {
    let maxId = -1;
    let minId = Infinity;
    for (const attr of attrs) {
      for (const id of attr.ids) {
        if (id > maxId) maxId = id;
        if (id < minId) minId = id;
      }
    }
    this.base = maxId < 0 ? 0 : minId;
    this.small = new Int32Array(Math.min(maxId + 1 - this.base, SMALL_ID_LIMIT)).fill(-1);
    for (let i = 0; i < attrs.length; i++) {
      for (const id of attrs[i].ids) {
        const k = id - this.base;
        if (k < this.small.length) this.small[k] = i;
        else this.rest.set(id, i);
      }
    }
  }

  /** The attr index of `id`, -1 when no attr has it. */
  lookup(id: number): number {
    const k = id - this.base;
    if (k >= 0 && k < this.small.length) return this.small[k];
    const found = this.rest.get(id);
    return found === undefined ? -1 : found;
  }

  /** The attr index of the u64 id at `dv`'s byte `pos` (little-endian), -1 when no attr has it. */
  lookupAt(dv: DataView, pos: number): number {
    const lo = dv.getUint32(pos, true);
    const hi = dv.getUint32(pos + 4, true);
    if (hi === 0) {
      const k = lo - this.base;
      if (k >= 0 && k < this.small.length) return this.small[k];
    }
    return this.lookup(readU64(dv, pos));
  }
}
