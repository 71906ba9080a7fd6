/**
 * Where to put the GIL uprobes in a libpython (or static python): every out-of-line copy of
 * take_gil / drop_gil. GCC renames copies it specialises (.constprop.N, .isra.N), splits (.part.N)
 * or makes unique under LTO (.lto_priv.N); `.cold` pieces are not entry points and are skipped.
 */
import { GiltraceError } from '../base/errors.js';
import { reachesAddress } from './elf/call-scan.js';
import { findInlinedInstances, type InlinedInstance } from './elf/dwarf-inlines.js';
import { cachedInlinedInstances } from './elf/inline-cache.js';
import { vaddrToFileOffset } from './elf/elf-file.js';
import type { FunctionSymbol, FunctionTable } from './elf/symbolizer.js';

export interface ProbeSite {
  readonly symbol: string;
  readonly fileOffset: number;
  readonly vaddr: number;
  /**
   * Set for a copy of the function that the compiler inlined into another one (found in DWARF):
   * the probe sits where the inlined body starts, inside this function. There is no call, so no
   * return address: the drop probe then fetches %ip instead, which symbolizes to this function.
   */
  readonly inlinedInto?: string;
}

export interface GilSites {
  readonly takeGil: readonly ProbeSite[];
  readonly dropGil: readonly ProbeSite[];
}

const CLONE_SUFFIX = String.raw`(?:\.(?:constprop|isra|part|lto_priv)\.\d+)*`;
const TAKE = new RegExp(`^take_gil${CLONE_SUFFIX}$`);
const DROP = new RegExp(`^drop_gil${CLONE_SUFFIX}$`);

/**
 * Finds the probe sites or throws a GiltraceError that says what to do.
 * Out-of-line copies come from the symbol table. When DWARF is at hand, the copies of drop_gil
 * the compiler inlined into other functions are added too: Debian's LTO python3.11 inlines it
 * into PyEval_SaveThread and every function that inlines Py_BEGIN_ALLOW_THREADS; even pyenv's
 * 3.13 inlines it into PyEval_ReleaseLock. Without them, those releases would go unseen and the
 * thread would look like it holds the GIL while it sleeps.
 * @param binary  the file the probes go on (for messages)
 * @param aptHint debug package suggestion for stripped files, if one is known
 */
export function findGilSites(table: FunctionTable, binary: string, aptHint: string | undefined): GilSites {
  const takeGil = sitesOf(table.functions, TAKE);
  const outOfLineDrops = sitesOf(table.functions, DROP);
  if (takeGil.length === 0 || (outOfLineDrops.length === 0 && !table.fullSymbols)) {
    const missing = takeGil.length === 0 ? 'take_gil' : 'drop_gil';
    if (!table.fullSymbols) {
      const looked = table.debugSearch?.looked.length ? ` (no debug file at ${table.debugSearch.looked.join(', ')})` : '';
      const install = aptHint ? `install its debug symbols: ${aptHint}` : 'install its debug symbols (the distribution\'s -dbg or -dbgsym package)';
      // sampling reads the GIL from the runtime's exported _PyRuntime: it often needs no debug symbols
      throw new GiltraceError(`no ${missing} symbol in ${binary} (stripped${looked}); ${install}, or use a Python with symbols (e.g. pyenv), or sample instead of tracing exactly (--sample: no probes)`);
    }
    throw new GiltraceError(`no out-of-line take_gil in ${binary} (symbols read from ${table.symbolSource}): the compiler inlined it everywhere, so it cannot be probed; ${REMEDY}`);
  }
  const inlined = inlinedInstances(table);
  const inlinedDrops = toInlinedSites(table, binary, inlined.filter((i) => i.name === 'drop_gil'));
  const dropGil = [...outOfLineDrops, ...inlinedDrops];
  if (dropGil.length === 0) {
    throw new GiltraceError(`no drop_gil in ${binary} (symbols read from ${table.symbolSource}): the compiler inlined it everywhere and there is no DWARF saying where; ${REMEDY}`);
  }
  if (voluntaryDropsHidden(table, outOfLineDrops)) {
    // LTO: releases hide in inlined copies, so all of them must be probe-able.
    if (!inlinedDrops.some((d) => d.inlinedInto === 'PyEval_SaveThread')) {
      throw new GiltraceError(
        `${binary} is an LTO build whose drop_gil is inlined into PyEval_SaveThread, and ${table.symbolSource} has no DWARF telling where: ` +
          `GIL releases around I/O, sleep and locks cannot be probed; ${REMEDY}`,
      );
    }
    const take = inlined.find((i) => i.name === 'take_gil');
    if (take) throw new GiltraceError(`${binary}: take_gil is inlined into ${containing(table, take.entry)}, where the end of a GIL wait cannot be probed; ${REMEDY}`);
  }
  return { takeGil, dropGil };
}

const REMEDY = 'use a Python with a shared libpython, e.g. pyenv (PYTHON_CONFIGURE_OPTS=--enable-shared pyenv install 3.X), and pass --python PATH';

function sitesOf(functions: readonly FunctionSymbol[], pattern: RegExp): ProbeSite[] {
  const byOffset = new Map<number, ProbeSite>();
  for (const f of functions) {
    if (f.size === 0 || !pattern.test(f.name) || byOffset.has(f.fileOffset)) continue;
    byOffset.set(f.fileOffset, { symbol: f.name, fileOffset: f.fileOffset, vaddr: f.vaddr });
  }
  return [...byOffset.values()].sort((a, b) => a.fileOffset - b.fileOffset);
}

/**
 * LTO builds keep an out-of-line drop_gil for the eval loop but inline it elsewhere. The call
 * scan is only trusted for self-contained LTO code: in a shared libpython the path may go through
 * a PLT stub it cannot follow.
 */
function voluntaryDropsHidden(table: FunctionTable, drops: readonly ProbeSite[]): boolean {
  const isLto = drops.length === 0 || drops.some((d) => d.symbol.includes('.lto_priv.'));
  const saveThread = table.functions.find((f) => f.name === 'PyEval_SaveThread');
  if (!isLto || !saveThread) return false;
  return !reachesAddress(table, saveThread, new Set(drops.map((d) => d.vaddr)));
}

/** DWARF inline instances of take_gil/drop_gil; parsing .debug_info takes ~1 s, so once per file. */
const inlineCache = new Map<string, readonly InlinedInstance[]>();

function inlinedInstances(table: FunctionTable): readonly InlinedInstance[] {
  if (table.symbolElf.section('.debug_info') === undefined) return [];
  const key = `${table.symbolSource}\0${table.symbolElf.fileSize}`;
  let found = inlineCache.get(key);
  if (!found) {
    found = cachedInlinedInstances(table.symbolSource, () => findInlinedInstances(table.symbolElf, new Set(['drop_gil', 'take_gil'])));
    inlineCache.set(key, found);
  }
  return found;
}

function toInlinedSites(table: FunctionTable, binary: string, instances: readonly InlinedInstance[]): ProbeSite[] {
  const sites: ProbeSite[] = [];
  for (const d of instances) {
    const fileOffset = d.entry === undefined ? undefined : vaddrToFileOffset(table.elf.programHeaders, d.entry);
    if (d.entry === undefined || fileOffset === undefined) {
      throw new GiltraceError(`${binary}: an inlined drop_gil (DWARF entry at .debug_info offset ${d.die}) has no entry address giltrace can read; ${REMEDY}`);
    }
    if (sites.some((s) => s.fileOffset === fileOffset)) continue;
    sites.push({ symbol: 'drop_gil', fileOffset, vaddr: d.entry, inlinedInto: containing(table, d.entry) });
  }
  return sites.sort((a, b) => a.fileOffset - b.fileOffset);
}

function containing(table: FunctionTable, vaddr: number | undefined): string {
  const offset = vaddr === undefined ? undefined : vaddrToFileOffset(table.elf.programHeaders, vaddr);
  return (offset !== undefined && table.symbolAtFileOffset(offset)) || 'an unknown function';
}
