/**
 * Where to put the GIL uprobes in a libpython (or static python): every out-of-line copy of
 * take_gil / drop_gil. GCC renames copies it specialises (.constprop.N, .isra.N), splits (.part.N)
 * or makes unique under LTO (.lto_priv.N); `.cold` pieces are not entry points and are skipped.
 */
import { GiltraceError } from '../base/errors.js';
import { reachesAddress } from './elf/call-scan.js';
import type { FunctionSymbol, FunctionTable } from './elf/symbolizer.js';

export interface ProbeSite {
  readonly symbol: string;
  readonly fileOffset: number;
  readonly vaddr: number;
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
    throw new GiltraceError(
      `no out-of-line ${missing} in ${binary} (symbols read from ${table.symbolSource}): the compiler inlined it everywhere, so it cannot be probed; use a Python built without LTO (e.g. pyenv)`,
    );
  }
  checkVoluntaryDropsVisible(table, binary, dropGil);
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
 * inline it into PyEval_SaveThread and everything that inlines Py_BEGIN_ALLOW_THREADS, so every
 * release around I/O, sleep or locks would go unseen and threads would look like they hold the
 * GIL while they sleep. Refuse rather than report wrong numbers. Only trusted for self-contained
 * LTO code: in a shared libpython the path may go through a PLT stub the scan cannot follow.
 */
function checkVoluntaryDropsVisible(table: FunctionTable, binary: string, drops: readonly ProbeSite[]): void {
  const isLto = drops.some((d) => d.symbol.includes('.lto_priv.'));
  const saveThread = table.functions.find((f) => f.name === 'PyEval_SaveThread');
  if (!isLto || !saveThread) return;
  const targets = new Set(drops.map((d) => d.vaddr));
  if (reachesAddress(table, saveThread, targets)) return;
  throw new GiltraceError(
    `${binary} is an LTO build whose drop_gil is inlined into PyEval_SaveThread (and into every function that ` +
      `inlines Py_BEGIN_ALLOW_THREADS): GIL releases around I/O, sleep and locks cannot be probed, only the eval loop's ` +
      `forced switches. Use a Python with a shared libpython, e.g. pyenv (PYTHON_CONFIGURE_OPTS=--enable-shared pyenv install 3.X), and pass --python PATH`,
  );
}
