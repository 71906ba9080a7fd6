/**
 * Which file the dynamic loader would map for a DT_NEEDED name, following glibc's order:
 * DT_RPATH (only without DT_RUNPATH), LD_LIBRARY_PATH, DT_RUNPATH, /etc/ld.so.cache, default dirs.
 * Each candidate must be a 64-bit ELF for the same machine, as the loader also skips others.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openElf, type ElfFile } from './elf/elf-file.js';
import { readDynamic } from './elf/elf-dynamic.js';

const DEFAULT_DIRS = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib'];
const LD_SO_CACHE = '/etc/ld.so.cache';

export interface LibraryLookup {
  readonly found: string | undefined;
  readonly looked: readonly string[];
}

export function findNeededLibrary(
  executable: ElfFile,
  needed: string,
  env: NodeJS.ProcessEnv,
  cacheFile: string = LD_SO_CACHE,
): LibraryLookup {
  const looked: string[] = [];
  const accept = (candidate: string): boolean => {
    looked.push(candidate);
    return isLoadable(candidate, executable.header.machine);
  };
  if (needed.includes('/')) {
    return { found: accept(needed) ? fs.realpathSync(needed) : undefined, looked };
  }
  const dyn = readDynamic(executable);
  const origin = path.dirname(fs.realpathSync(executable.path));
  const dirs: string[] = [];
  if (dyn.runpath === undefined && dyn.rpath !== undefined) dirs.push(...expandPathList(dyn.rpath, origin));
  if (env.LD_LIBRARY_PATH) dirs.push(...expandPathList(env.LD_LIBRARY_PATH, origin));
  if (dyn.runpath !== undefined) dirs.push(...expandPathList(dyn.runpath, origin));
  for (const dir of dirs) {
    const candidate = path.join(dir, needed);
    if (accept(candidate)) return { found: fs.realpathSync(candidate), looked };
  }
  for (const candidate of readLdSoCache(cacheFile).get(needed) ?? []) {
    if (accept(candidate)) return { found: fs.realpathSync(candidate), looked };
  }
  for (const dir of DEFAULT_DIRS) {
    const candidate = path.join(dir, needed);
    if (accept(candidate)) return { found: fs.realpathSync(candidate), looked };
  }
  return { found: undefined, looked };
}

/** Splits a colon list and expands $ORIGIN / ${ORIGIN}; empty entries mean the current directory. */
export function expandPathList(list: string, origin: string): string[] {
  return list.split(/[:;]/).map((entry) => {
    const expanded = entry.replace(/\$\{ORIGIN\}|\$ORIGIN/g, origin).replace(/\$\{LIB\}|\$LIB/g, 'lib64');
    return expanded === '' ? '.' : expanded;
  });
}

function isLoadable(candidate: string, machine: number): boolean {
  try {
    if (!fs.statSync(candidate).isFile()) return false;
    return openElf(candidate).header.machine === machine;
  } catch {
    return false;
  }
}

/**
 * glibc's "glibc-ld.so.cache1.1" format: a 48-byte header (magic, nlibs, len_strings, flags,
 * extension offset), then nlibs 24-byte entries {flags, key, value, osversion, hwcap}; key and
 * value are offsets of NUL-terminated strings counted from the start of the file. A missing or
 * unknown-format cache is an empty map: the loader falls back to the default dirs too.
 */
export function readLdSoCache(cacheFile: string = LD_SO_CACHE): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let buf: Buffer;
  try {
    buf = fs.readFileSync(cacheFile);
  } catch {
    return out;
  }
  const magic = 'glibc-ld.so.cache1.1';
  const base = buf.indexOf(magic, 0, 'latin1');
  if (base < 0) return out;
  if (base + 48 > buf.length) return out;
  const nlibs = buf.readUInt32LE(base + 20);
  const entriesAt = base + 48;
  if (entriesAt + nlibs * 24 > buf.length) return out;
  const str = (offset: number): string | undefined => {
    const at = base + offset;
    if (at >= buf.length) return undefined;
    const end = buf.indexOf(0, at);
    return end < 0 ? undefined : buf.toString('latin1', at, end);
  };
  for (let i = 0; i < nlibs; i++) {
    const at = entriesAt + i * 24;
    const flags = buf.readInt32LE(at);
    if ((flags & 0xff00) !== 0x0300) continue; // x86-64 entries only (FLAG_X8664_LIB64)
    const key = str(buf.readUInt32LE(at + 4));
    const value = str(buf.readUInt32LE(at + 8));
    if (key === undefined || value === undefined) continue;
    const list = out.get(key) ?? [];
    list.push(value);
    out.set(key, list);
  }
  return out;
}
