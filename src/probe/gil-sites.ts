/**
 * Where to put the GIL uprobes in a libpython (or static python): every out-of-line copy of
 * take_gil / drop_gil. GCC renames copies it specialises (.constprop.N, .isra.N), splits (.part.N)
 * or makes unique under LTO (.lto_priv.N); `.cold` pieces are not entry points and are skipped.
 */
import { GiltraceError } from '../base/errors.js';
import { reachesAddress } from './elf/call-scan.js';
import { findInlinedInstances } from './elf/dwarf-inlines.js';
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

export function isGilFunctionCopy(name: string, which: 'take' | 'drop'): boolean {
  return (which === 'take' ? TAKE : DROP).test(name);
}

/**
 * Finds the probe sites or throws a GiltraceError that says what to do.
 * @param binary  the file the probes go on (for messages)
 * @param aptHint debug package suggestion for stripped files, if one is known
 */
export function findGilSites(table: FunctionTable, binary: string, aptHint: string | undefined): GilSites {
  const takeGil = sitesOf(table.functions, TAKE);
  const dropGil = sitesOf(table.functions, DROP);
  if (takeGil.length === 0 || dropGil.length === 0) {
    const missing = takeGil.length === 0 ? 'take_gil' : 'drop_gil';
    if (!table.fullSymbols) {
      const looked = table.debugSearch?.looked.length ? ` (no debug file at ${table.debugSearch.looked.join(', ')})` : '';
      const install = aptHint ? `install its debug symbols: ${aptHint}` : 'install its debug symbols (the distribution\'s -dbg or -dbgsym package)';
      throw new GiltraceError(`no ${missing} symbol in ${binary} (stripped${looked}); ${install}, or use a Python with symbols (e.g. pyenv)`);
    }
    // drop_gil inlined everywhere: its inlined copies (DWARF) can still be probed; take_gil cannot
    // (an inlined take has no return to probe).
    if (takeGil.length > 0 && hasDwarf(table)) return { takeGil, dropGil: inlinedDropSites(table, binary) };
    throw new GiltraceError(
      `no out-of-line ${missing} in ${binary} (symbols read from ${table.symbolSource}): the compiler inlined it everywhere, so it cannot be probed; use a Python built without LTO (e.g. pyenv)`,
    );
  }
  if (voluntaryDropsHidden(table, dropGil)) return { takeGil, dropGil: [...dropGil, ...inlinedDropSites(table, binary)] };
  return { takeGil, dropGil };
}

function sitesOf(functions: readonly FunctionSymbol[], pattern: RegExp): ProbeSite[] {
  const byOffset = new Map<number, ProbeSite>();
  for (const f of functions) {
    if (f.size === 0 || !pattern.test(f.name) || byOffset.has(f.fileOffset)) continue;
    byOffset.set(f.fileOffset, { symbol: f.name, fileOffset: f.fileOffset, vaddr: f.vaddr });
  }
  return [...byOffset.values()].sort((a, b) => a.fileOffset - b.fileOffset);
}

/**
 * LTO builds (Debian's /usr/bin/python3.X) keep an out-of-line drop_gil for the eval loop but
 * inline it into PyEval_SaveThread and into every function that inlines Py_BEGIN_ALLOW_THREADS,
 * so a probe on the symbol alone would miss each release around I/O, sleep or locks, and threads
 * would seem to hold the GIL while they sleep. The call scan is only trusted for self-contained
 * LTO code: in a shared libpython the path may go through a PLT stub it cannot follow.
 */
function voluntaryDropsHidden(table: FunctionTable, drops: readonly ProbeSite[]): boolean {
  const isLto = drops.some((d) => d.symbol.includes('.lto_priv.'));
  const saveThread = table.functions.find((f) => f.name === 'PyEval_SaveThread');
  if (!isLto || !saveThread) return false;
  return !reachesAddress(table, saveThread, new Set(drops.map((d) => d.vaddr)));
}

function hasDwarf(table: FunctionTable): boolean {
  return table.symbolElf.section('.debug_info') !== undefined;
}

/**
 * The inlined copies of drop_gil, from DWARF, as extra drop sites; or a GiltraceError when they
 * cannot all be probed (no DWARF, no entry address, or take_gil inlined too: an inlined take has
 * no return to probe).
 */
function inlinedDropSites(table: FunctionTable, binary: string): ProbeSite[] {
  const remedy = 'use a Python with a shared libpython, e.g. pyenv (PYTHON_CONFIGURE_OPTS=--enable-shared pyenv install 3.X), and pass --python PATH';
  const instances = findInlinedInstances(table.symbolElf, new Set(['drop_gil', 'take_gil']));
  const where = (entry: number | undefined): string => {
    const offset = entry === undefined ? undefined : vaddrToFileOffset(table.elf.programHeaders, entry);
    return (offset !== undefined && table.symbolAtFileOffset(offset)) || 'an unknown function';
  };
  const takes = instances.filter((i) => i.name === 'take_gil');
  if (takes.length > 0) {
    throw new GiltraceError(`${binary}: take_gil is inlined into ${where(takes[0].entry)}, where the end of a GIL wait cannot be probed; ${remedy}`);
  }
  const drops = instances.filter((i) => i.name === 'drop_gil');
  if (drops.length === 0) {
    throw new GiltraceError(
      `${binary} is an LTO build whose drop_gil is inlined into PyEval_SaveThread, and ${table.symbolSource} has no DWARF telling where: ` +
        `GIL releases around I/O, sleep and locks cannot be probed; ${remedy}`,
    );
  }
  const sites: ProbeSite[] = [];
  for (const d of drops) {
    const fileOffset = d.entry === undefined ? undefined : vaddrToFileOffset(table.elf.programHeaders, d.entry);
    if (d.entry === undefined || fileOffset === undefined) {
      throw new GiltraceError(`${binary}: an inlined drop_gil (DWARF entry at .debug_info offset ${d.die}) has no entry address giltrace can read; ${remedy}`);
    }
    if (sites.some((s) => s.fileOffset === fileOffset)) continue;
    sites.push({ symbol: 'drop_gil', fileOffset, vaddr: d.entry, inlinedInto: where(d.entry) });
  }
  return sites.sort((a, b) => a.fileOffset - b.fileOffset);
}
