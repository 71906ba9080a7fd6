/**
 * Executable mappings per process, from perf's mmap records: turns a runtime address (a drop_gil
 * return address, a word on a copied user stack) into the file and file offset it came from.
 */
import type { MmapRecord } from '../perfdata/index.js';
import type { MappedCode } from '../contract/mapped-code.js';

export class AddressSpaces {
  private readonly byPid = new Map<number, MmapRecord[]>();

  add(mmap: MmapRecord): void {
    if (!mmap.executable) return;
    let maps = this.byPid.get(mmap.pid);
    if (!maps) this.byPid.set(mmap.pid, (maps = []));
    maps.push({ ...mmap });
  }

  /** A forked child starts with its parent's mappings. */
  inherit(childPid: number, parentPid: number): void {
    const parent = this.byPid.get(parentPid);
    if (parent && !this.byPid.has(childPid)) this.byPid.set(childPid, parent.slice());
  }

  resolve(pid: number, address: number): MappedCode | undefined {
    const maps = this.byPid.get(pid);
    if (!maps) return undefined;
    // Newest mapping wins: later mmaps replace earlier ones at the same address.
    for (let i = maps.length - 1; i >= 0; i--) {
      const m = maps[i];
      if (address >= m.start && address < m.start + m.length) {
        return { file: m.filename, offset: address - m.start + m.pgoff, mapOffset: m.pgoff, mapLength: m.length, buildId: m.buildId };
      }
    }
    return undefined;
  }
}
