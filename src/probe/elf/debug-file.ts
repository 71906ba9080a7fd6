/**
 * Where a stripped ELF keeps its symbols: the same places gdb looks.
 *   1. <root>/.build-id/ab/cdef….debug             (build-id note)
 *   2. <dir>/<debuglink>, <dir>/.debug/<debuglink>, <root><dir>/<debuglink>   (.gnu_debuglink)
 * A candidate counts only if it is the right file: same build-id, or else the debuglink CRC.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { openElf, type ElfFile } from './elf-file.js';
import { readBuildId, readDebugLink } from './elf-notes.js';
import { hasSymtab } from './elf-symbols.js';

export const DEFAULT_DEBUG_ROOTS: readonly string[] = ['/usr/lib/debug'];

export interface DebugFileSearch {
  /** The matching debug file with a symbol table, if any. */
  readonly found: ElfFile | undefined;
  /** Every path looked at, in order, for the error message. */
  readonly looked: readonly string[];
  readonly buildId: string | undefined;
}

export function findDebugFile(elf: ElfFile, roots: readonly string[] = DEFAULT_DEBUG_ROOTS): DebugFileSearch {
  const buildId = readBuildId(elf);
  const link = readDebugLink(elf);
  const looked: string[] = [];
  const realPath = safeRealpath(elf.path);
  const dir = path.dirname(realPath);

  const candidates: Array<{ file: string; check: 'build-id' | 'crc' }> = [];
  if (buildId !== undefined && buildId.length > 2) {
    for (const root of roots) candidates.push({ file: path.join(root, '.build-id', buildId.slice(0, 2), `${buildId.slice(2)}.debug`), check: 'build-id' });
  }
  if (link) {
    candidates.push({ file: path.join(dir, link.file), check: 'crc' });
    candidates.push({ file: path.join(dir, '.debug', link.file), check: 'crc' });
    for (const root of roots) candidates.push({ file: path.join(root, dir, link.file), check: 'crc' });
  }
  for (const c of candidates) {
    if (path.resolve(c.file) === realPath) continue; // the debuglink may name the file itself
    looked.push(c.file);
    if (!fs.existsSync(c.file)) continue;
    let debug: ElfFile;
    try {
      debug = openElf(c.file);
    } catch {
      continue; // a broken candidate is skipped like a missing one
    }
    if (!hasSymtab(debug)) continue;
    if (!matches(debug, c.check, buildId, link?.crc)) continue;
    return { found: debug, looked, buildId };
  }
  return { found: undefined, looked, buildId };
}

function matches(debug: ElfFile, check: 'build-id' | 'crc', buildId: string | undefined, crc: number | undefined): boolean {
  const debugId = readBuildId(debug);
  if (buildId !== undefined && debugId !== undefined) return debugId === buildId;
  if (check === 'crc' && crc !== undefined) return fileCrc32(debug.path) === crc;
  return check === 'build-id';
}

/** CRC-32 of a whole file, streamed in 1 MiB pieces (the debuglink checksum). */
function fileCrc32(file: string): number | undefined {
  const crc32 = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
  if (!crc32) return undefined;
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    let value = 0;
    let pos = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) return value;
      value = crc32(buf.subarray(0, n), value);
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}

function safeRealpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}
