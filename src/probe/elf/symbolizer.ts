/**
 * Function symbols of one ELF with their file offsets, from its own .symtab or, when stripped, from
 * its debug file. Addresses in a debug file are the same virtual addresses as in the stripped file,
 * but its segments carry no bytes (NOBITS), so file offsets always come from the ORIGINAL file's
 * PT_LOAD headers.
 */
import * as fs from 'node:fs';
import { GiltraceError } from '../../base/errors.js';
import { fileOffsetToVaddr, openElf, vaddrToFileOffset, type ElfFile } from './elf-file.js';
import { findDebugFile, DEFAULT_DEBUG_ROOTS, type DebugFileSearch } from './debug-file.js';
import { hasSymtab, isDefinedFunction, readSymbolTable, STB_GLOBAL, STB_WEAK, type ElfSymbol } from './elf-symbols.js';

export interface ElfSymbols {
  /** Name of the FUNC symbol whose range contains this file offset of the ELF. */
  symbolAtFileOffset(fileOffset: number): string | undefined;
}

export interface FunctionSymbol {
  readonly name: string;
  readonly vaddr: number;
  readonly fileOffset: number;
  readonly size: number;
  readonly global: boolean;
}

export interface FunctionTable extends ElfSymbols {
  readonly elf: ElfFile;
  /** Where the symbols came from: the file itself, or its debug file. */
  readonly symbolSource: string;
  /** The ELF that symbolSource names (holds the DWARF too, when there is any). */
  readonly symbolElf: ElfFile;
  /** False when only .dynsym was available (stripped, no debug file): static functions are missing. */
  readonly fullSymbols: boolean;
  readonly debugSearch: DebugFileSearch | undefined;
  /** Sorted by address; aliases at the same address are kept (globals first). */
  readonly functions: readonly FunctionSymbol[];
  /** The bytes of a function, for call-site scans. */
  functionBytes(fn: FunctionSymbol): Uint8Array;
}

export function readFunctionTable(file: string, debugRoots: readonly string[] = DEFAULT_DEBUG_ROOTS): FunctionTable {
  const elf = openElf(file);
  let symbolSource = file;
  let symbolElf = elf;
  let debugSearch: DebugFileSearch | undefined;
  let symtab: ElfSymbol[];
  if (hasSymtab(elf)) {
    symtab = readSymbolTable(elf, 'symtab');
  } else {
    debugSearch = findDebugFile(elf, debugRoots);
    symtab = debugSearch.found ? readSymbolTable(debugSearch.found, 'symtab') : [];
    if (debugSearch.found) {
      symbolSource = debugSearch.found.path;
      symbolElf = debugSearch.found;
    }
  }
  const fullSymbols = symtab.length > 0;
  const all = [...symtab, ...readSymbolTable(elf, 'dynsym')];
  const functions = toFunctions(elf, all);
  return new Table(elf, symbolSource, symbolElf, fullSymbols, debugSearch, functions);
}

function toFunctions(elf: ElfFile, symbols: readonly ElfSymbol[]): FunctionSymbol[] {
  const seen = new Set<string>();
  const out: FunctionSymbol[] = [];
  for (const s of symbols) {
    if (!isDefinedFunction(s)) continue;
    const key = `${s.name}@${s.value}`;
    if (seen.has(key)) continue; // .dynsym repeats the globals of .symtab
    seen.add(key);
    const fileOffset = vaddrToFileOffset(elf.programHeaders, s.value);
    if (fileOffset === undefined) continue; // e.g. IFUNC resolvers in odd places; not probe-able anyway
    out.push({ name: s.name, vaddr: s.value, fileOffset, size: s.size, global: s.bind === STB_GLOBAL || s.bind === STB_WEAK });
  }
  out.sort((a, b) => a.vaddr - b.vaddr || Number(b.global) - Number(a.global) || a.name.localeCompare(b.name));
  return out;
}

class Table implements FunctionTable {
  /** Start addresses, parallel to `functions`, for binary search. */
  private readonly starts: Float64Array;

  constructor(
    readonly elf: ElfFile,
    readonly symbolSource: string,
    readonly symbolElf: ElfFile,
    readonly fullSymbols: boolean,
    readonly debugSearch: DebugFileSearch | undefined,
    readonly functions: readonly FunctionSymbol[],
  ) {
    this.starts = Float64Array.from(functions, (f) => f.vaddr);
  }

  symbolAtFileOffset(fileOffset: number): string | undefined {
    const vaddr = fileOffsetToVaddr(this.elf.programHeaders, fileOffset);
    if (vaddr === undefined) return undefined;
    // Last function starting at or before vaddr, then walk back over neighbours in case a
    // zero-sized or short symbol sits between the function start and vaddr.
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] <= vaddr) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    let best: FunctionSymbol | undefined;
    for (let i = found; i >= 0 && i > found - 32; i--) {
      const f = this.functions[i];
      if (vaddr < f.vaddr + f.size) {
        if (!best || f.vaddr > best.vaddr || (f.vaddr === best.vaddr && f.global && !best.global)) best = f;
      }
    }
    return best?.name;
  }

  functionBytes(fn: FunctionSymbol): Uint8Array {
    const size = Math.min(fn.size, Math.max(0, this.elf.fileSize - fn.fileOffset));
    return this.elf.read(fn.fileOffset, size, `code of ${fn.name}`).bytes;
  }
}

const cache = new Map<string, { mtimeMs: number; size: number; table: FunctionTable }>();

/**
 * Symbolizer for the integrator (drop caller → function name). Cached per path, invalidated when
 * the file changes. Throws GiltraceError when the file is not a readable ELF.
 */
export function loadElfSymbols(file: string): ElfSymbols {
  return loadFunctionTable(file);
}

export function loadFunctionTable(file: string): FunctionTable {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new GiltraceError(`cannot read: ${(e as Error).message}`, { file });
  }
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.table;
  const table = readFunctionTable(file);
  cache.set(file, { mtimeMs: st.mtimeMs, size: st.size, table });
  return table;
}
