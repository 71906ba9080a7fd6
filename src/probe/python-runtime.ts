/**
 * Where a running process's CPython keeps `_PyRuntime`, read from /proc without touching the
 * process: the mapped libpython (or the interpreter executable itself, for static builds such as
 * Debian's) gives the symbol, /proc/PID/maps where that file is loaded. The sampled mode starts
 * from here (record/gil-sampler.ts).
 */
import * as fs from 'node:fs';
import { GiltraceError } from '../base/errors.js';
import { openElf, PT_LOAD, type ElfFile } from './elf/elf-file.js';
import { DEFAULT_DEBUG_ROOTS, findDebugFile } from './elf/debug-file.js';
import { hasSymtab, readSymbolTable } from './elf/elf-symbols.js';
import { cachedAnswer, fileStamp } from './disk-cache.js';
import { gilStateLayoutFor, SAMPLED_MINORS, type GilPlace, type GilStateLayout } from './gil-state-layout.js';
import { pythonMinorFromPath } from './python-version-from-path.js';

export interface PythonRuntime {
  readonly pid: number;
  /** The file that defines the runtime, as the process maps it. */
  readonly file: string;
  readonly minor: number;
  /** Address of the layout's anchor in the process (_PyRuntime; on 3.6 interp_head). */
  readonly address: number;
  readonly layout: GilStateLayout;
  /** 3.6: where its GIL's static variables lie (later versions find their GILs from the runtime). */
  readonly staticGil?: GilPlace;
}

/** A process that is no Python giltrace can sample, and why (for the output). */
export interface NotSampled {
  readonly pid: number;
  readonly why: string;
  /**
   * Whether it stays so while the process runs the same program (a Python version the sampled
   * mode does not know); otherwise it may be a process caught in its exec, looked at again.
   */
  readonly final?: boolean;
}

interface Mapping {
  readonly start: number;
  readonly offset: number;
  readonly path: string;
}

const RUNTIME = '_PyRuntime';
const KNOWN = `3.${Math.min(...SAMPLED_MINORS)} to 3.${Math.max(...SAMPLED_MINORS)}`;

export function findPythonRuntime(pid: number): PythonRuntime | NotSampled {
  try {
    return runtimeOf(pid);
  } catch (e) {
    // a file that fails part way (a launcher's short process gone between two reads of its
    // program, read through /proc/PID/root) is no answer yet: looked at again while it runs
    if (e instanceof GiltraceError) return { pid, why: `cannot read ${e.message}` };
    throw e;
  }
}

function runtimeOf(pid: number): PythonRuntime | NotSampled {
  let maps: Mapping[];
  let exe: string;
  try {
    maps = parseMaps(fs.readFileSync(`/proc/${pid}/maps`, 'latin1'));
    exe = fs.readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
  } catch (e) {
    return { pid, why: `cannot read its memory map (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  const libraries = [...new Set(maps.map((m) => m.path).filter((p) => /\/libpython\d[^/]*\.so[^/]*$/.test(p)))];
  // a Python by its file names whose runtime was not found: said if nothing else is
  let unknown: NotSampled | undefined;
  for (const file of [...libraries, exe]) {
    const version = pythonMinorFromPath(file);
    if (/libpython\d+\.\d+t\b/.test(file)) return { pid, why: `${file} is a free-threaded build: no GIL to sample`, final: true };
    const layout = version ? gilStateLayoutFor(version.major, version.minor) : undefined;
    const reached = `/proc/${pid}/root${file}`;
    // opened only when its answer is not known yet, or to place a runtime found: a process
    // tree's shells and launchers (a pyenv shim runs several) are not read again and again
    let elf: ElfFile | undefined;
    const opened = (): ElfFile | undefined => (elf ??= tryOpenElf(reached));
    const symbols = knownSymbols(reached, layout ? symbolsOf(layout) : [RUNTIME], opened);
    if (symbols === undefined || !opened()) {
      // a version the sampled mode does not know stays so; a known one may not have mapped its
      // libpython yet (a process caught in its exec), or be a build without the symbols
      if (version && !unknown) {
        unknown = layout
          ? { pid, why: `Python ${version.major}.${version.minor} (${file}): ${layout.staticGil ? `its GIL's static variables (${layout.staticGil.locked}, …)` : layout.anchor} not in its symbols nor a debug file's (a stripped build: install its debug symbols)` }
          : versionNotKnown(pid, version, file);
      }
      continue;
    }
    if (!version) return { pid, why: `cannot tell the Python version of ${file}`, final: true };
    if (!layout) return versionNotKnown(pid, version, file);
    const bias = loadBias(opened()!, maps.filter((m) => m.path === file));
    if (bias === undefined) return { pid, why: `cannot find where ${file} is loaded` };
    const at = (name: string): number => bias + symbols[name][0];
    const staticGil = layout.staticGil && {
      locked: at(layout.staticGil.locked),
      interval: at(layout.staticGil.interval),
      lastHolder: at(layout.staticGil.lastHolder),
      switchNumber: at(layout.staticGil.switchNumber),
      cond: at(layout.staticGil.cond),
      waits: layout.staticGil.waits.map((name) => [at(name), at(name) + symbols[name][1]] as const),
    };
    return { pid, file, minor: version.minor, address: at(layout.anchor), layout, ...(staticGil ? { staticGil } : {}) };
  }
  return unknown ?? { pid, why: `not Python (no ${RUNTIME} in ${exe}${libraries.length ? ' or ' + libraries.join(', ') : ''})` };
}

function versionNotKnown(pid: number, version: { readonly major: number; readonly minor: number }, file: string): NotSampled {
  return { pid, why: `Python ${version.major}.${version.minor} (${file}): the sampled mode knows ${KNOWN}`, final: true };
}

/** The symbols a layout needs: its anchor, and on 3.6 the GIL's static variables. */
function symbolsOf(layout: GilStateLayout): string[] {
  const gil = layout.staticGil;
  return gil ? [layout.anchor, gil.locked, gil.interval, gil.lastHolder, gil.switchNumber, ...gil.waits] : [layout.anchor];
}

function tryOpenElf(path: string): ElfFile | undefined {
  try {
    return openElf(path);
  } catch {
    return undefined;
  }
}

/** Each symbol's link address and size. */
type Found = Record<string, readonly [number, number]>;

/**
 * The link addresses (and sizes) of `names` in a file, looked up once per version of the file
 * (reading a libpython's symbols costs ~5-40 ms, paid again for every Python of a process tree
 * otherwise): kept in memory and in ~/.cache/giltrace by the file's stamp (-1: the file lacks
 * one of them). undefined when it lacks one; a file that could not be read (its process exec'd
 * or ended meanwhile) has no answer kept.
 */
function knownSymbols(path: string, names: readonly string[], elf: () => ElfFile | undefined): Found | undefined {
  const stamp = fileStamp(path);
  const key = `${path.replace(/^\/proc\/\d+\/root/, '')}|${stamp}|${names.join(',')}`;
  // Symbols that may come from a debug file (3.6's statics) are not kept on disk when missing:
  // the key is the library's stamp, and installing its debug package later must be seen.
  const missing = (): -1 => {
    if (names.length > 1) throw MISSING;
    return -1;
  };
  try {
    if (stamp === '-') return symbolsIn(elf(), names);
    if (!symbols.has(key)) symbols.set(key, cachedAnswer('python-runtime-v2', key, isFound, () => symbolsIn(elf(), names) ?? missing()));
  } catch (e) {
    if (e === MISSING) symbols.set(key, -1);
    else if (e === UNREADABLE) return undefined;
    else throw e;
  }
  const found = symbols.get(key)!;
  return found === -1 ? undefined : found;
}

const symbols = new Map<string, Found | -1>();
const isFound = (value: unknown): value is Found | -1 =>
  value === -1 ||
  (typeof value === 'object' && value !== null && Object.values(value).every((v) => Array.isArray(v) && v.length === 2 && v.every((n) => Number.isInteger(n))));
/** Thrown past the cache (nothing is kept) when a file cannot be read. */
const UNREADABLE = new Error('unreadable');
/** Thrown past the disk cache when symbols a debug package may add are missing. */
const MISSING = new Error('missing');

/**
 * The symbols' link addresses and sizes, the exported ones first (a static variable is only in
 * the full symbol table: a stripped file's is looked for where gdb looks, its debug file);
 * undefined when one is missing; throws UNREADABLE when the file cannot be read.
 */
function symbolsIn(elf: ElfFile | undefined, names: readonly string[]): Found | undefined {
  if (!elf) throw UNREADABLE;
  const found: Record<string, readonly [number, number]> = {};
  const take = (file: ElfFile, table: 'dynsym' | 'symtab'): boolean => {
    for (const s of readSymbolTable(file, table)) {
      if (s.value !== 0 && !(s.name in found) && names.includes(s.name)) found[s.name] = [s.value, s.size];
    }
    return names.every((n) => n in found);
  };
  try {
    if (take(elf, 'dynsym') || take(elf, 'symtab')) return found;
  } catch {
    // read through /proc/PID/root: gone with the process
    throw UNREADABLE;
  }
  if (hasSymtab(elf)) return undefined;
  // the debug file of a stripped build (3.6's GIL variables: distributions' pythons with their
  // debug package), in the process's file system as well as the host's
  const root = /^\/proc\/\d+\/root/.exec(elf.path)?.[0];
  const debug = findDebugFile(elf, root ? [`${root}/usr/lib/debug`, ...DEFAULT_DEBUG_ROOTS] : DEFAULT_DEBUG_ROOTS).found;
  try {
    return debug && take(debug, 'symtab') ? found : undefined;
  } catch {
    return undefined;
  }
}

/** Load address minus link address: where the file's first LOAD segment is mapped, less its p_vaddr. */
function loadBias(elf: ElfFile, mappings: readonly Mapping[]): number | undefined {
  const first = elf.programHeaders.find((h) => h.type === PT_LOAD);
  const mapped = mappings.find((m) => m.offset === (first?.offset ?? -1));
  if (!first || !mapped) return undefined;
  const page = 4096;
  return mapped.start - (first.vaddr - (first.vaddr % page));
}

function parseMaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  for (const line of text.split('\n')) {
    // start-end perms offset dev inode path
    const m = /^([0-9a-f]+)-[0-9a-f]+ \S+ ([0-9a-f]+) \S+ \d+\s+(\/.*)$/.exec(line);
    if (m) out.push({ start: parseInt(m[1], 16), offset: parseInt(m[2], 16), path: m[3] });
  }
  return out;
}
