/**
 * Where a running process's CPython keeps `_PyRuntime`, read from /proc without touching the
 * process: the mapped libpython (or the interpreter executable itself, for static builds such as
 * Debian's) gives the symbol, /proc/PID/maps where that file is loaded. The sampled mode starts
 * from here (record/gil-sampler.ts).
 */
import * as fs from 'node:fs';
import { openElf, PT_LOAD, type ElfFile } from './elf/elf-file.js';
import { readSymbolTable } from './elf/elf-symbols.js';
import { cachedAnswer, fileStamp } from './disk-cache.js';
import { gilStateLayoutFor, type GilStateLayout } from './gil-state-layout.js';
import { pythonMinorFromPath } from './python-version-from-path.js';

export interface PythonRuntime {
  readonly pid: number;
  /** The file that defines _PyRuntime, as the process maps it. */
  readonly file: string;
  readonly minor: number;
  /** Address of _PyRuntime in the process. */
  readonly address: number;
  readonly layout: GilStateLayout;
}

/** A process that is no Python giltrace can sample, and why (for the output). */
export interface NotSampled {
  readonly pid: number;
  readonly why: string;
}

interface Mapping {
  readonly start: number;
  readonly offset: number;
  readonly path: string;
}

export function findPythonRuntime(pid: number): PythonRuntime | NotSampled {
  let maps: Mapping[];
  let exe: string;
  try {
    maps = parseMaps(fs.readFileSync(`/proc/${pid}/maps`, 'latin1'));
    exe = fs.readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
  } catch (e) {
    return { pid, why: `cannot read its memory map (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  const libraries = [...new Set(maps.map((m) => m.path).filter((p) => /\/libpython\d[^/]*\.so[^/]*$/.test(p)))];
  for (const file of [...libraries, exe]) {
    const version = pythonMinorFromPath(file);
    if (/libpython\d+\.\d+t\b/.test(file)) return { pid, why: `${file} is a free-threaded build: no GIL to sample` };
    const reached = `/proc/${pid}/root${file}`;
    // opened only when its answer is not known yet, or to place a runtime found: a process
    // tree's shells and launchers (a pyenv shim runs several) are not read again and again
    let elf: ElfFile | undefined;
    const opened = (): ElfFile | undefined => (elf ??= tryOpenElf(reached));
    const symbol = knownRuntimeSymbol(reached, opened);
    if (symbol === undefined || !opened()) continue;
    if (!version) return { pid, why: `cannot tell the Python version of ${file}` };
    const layout = gilStateLayoutFor(version.major, version.minor);
    if (!layout) return { pid, why: `Python ${version.major}.${version.minor} (${file}): the sampled mode knows 3.8 to 3.13` };
    const bias = loadBias(opened()!, maps.filter((m) => m.path === file));
    if (bias === undefined) return { pid, why: `cannot find where ${file} is loaded` };
    return { pid, file, minor: version.minor, address: bias + symbol, layout };
  }
  return { pid, why: `not Python (no _PyRuntime in ${exe}${libraries.length ? ' or ' + libraries.join(', ') : ''})` };
}

function tryOpenElf(path: string): ElfFile | undefined {
  try {
    return openElf(path);
  } catch {
    return undefined;
  }
}

/**
 * _PyRuntime's link address in a file, looked up once per version of the file (reading a
 * libpython's symbols costs ~5-40 ms, paid again for every Python of a process tree otherwise):
 * kept in memory and in ~/.cache/giltrace by the file's stamp (-1: the file has none). A file
 * that could not be read (its process exec'd or ended meanwhile) has no answer kept.
 */
function knownRuntimeSymbol(path: string, elf: () => ElfFile | undefined): number | undefined {
  const stamp = fileStamp(path);
  const key = `${path.replace(/^\/proc\/\d+\/root/, '')}|${stamp}`;
  try {
    if (stamp === '-') return runtimeSymbolOf(elf());
    if (!symbols.has(key)) symbols.set(key, cachedAnswer('python-runtime-v1', key, isAddress, () => runtimeSymbolOf(elf()) ?? -1));
  } catch (e) {
    if (e === UNREADABLE) return undefined;
    throw e;
  }
  const found = symbols.get(key)!;
  return found >= 0 ? found : undefined;
}

const symbols = new Map<string, number>();
const isAddress = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);
/** Thrown past the cache (nothing is kept) when a file cannot be read. */
const UNREADABLE = new Error('unreadable');

/** _PyRuntime's link address; undefined when the file has none; throws UNREADABLE when it cannot be read. */
function runtimeSymbolOf(elf: ElfFile | undefined): number | undefined {
  if (!elf) throw UNREADABLE;
  try {
    for (const table of ['dynsym', 'symtab'] as const) {
      const found = readSymbolTable(elf, table).find((s) => s.name === '_PyRuntime' && s.value !== 0);
      if (found) return found.value;
    }
  } catch {
    // read through /proc/PID/root: gone with the process
    throw UNREADABLE;
  }
  return undefined;
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
