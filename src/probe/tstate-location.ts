/**
 * Where the current thread's PyThreadState* is when a GIL probe site is hit, as a uprobe fetch
 * expression: the frame fetch arguments (frame-layout.ts) start from it.
 *
 * - At the entry of an out-of-line take_gil / drop_gil it is an argument, in the register the
 *   x86-64 calling convention gives its position (take_gil(tstate); drop_gil(ceval, tstate) on
 *   3.8 and 3.12+, drop_gil(ceval, ceval2, tstate) on 3.9-3.11). GCC keeps the convention for
 *   plain and `.lto_priv` copies; a `.constprop` / `.isra` clone may drop arguments, so only the
 *   clones checked here are trusted (3.8's take_gil.constprop.0 lost `ceval`).
 * - An inlined drop_gil has no arguments. There the GIL's `last_holder` (set by take_gil to the
 *   taker's tstate, and only the holder gets to drop) names the thread: a global in 3.6-3.11.
 *   From 3.12 each interpreter has its own GIL inside its state: no context at those sites (only
 *   3.13's PyEval_ReleaseLock, a deprecated API, has one).
 * frame-layout.test.ts checks every register and offset here against the builds' DWARF.
 */
import type { ProbeSite } from './gil-sites.js';
import type { FunctionTable } from './elf/symbolizer.js';
import { readSymbolTable } from './elf/elf-symbols.js';

type Register = '%di' | '%si' | '%dx';

/** Register holding tstate at entry, by minor version, for take_gil and drop_gil. */
const ARGUMENT: Readonly<Record<number, { readonly take: Register; readonly drop: Register }>> = {
  6: { take: '%di', drop: '%di' },
  7: { take: '%di', drop: '%di' },
  8: { take: '%si', drop: '%si' },
  9: { take: '%di', drop: '%dx' },
  10: { take: '%di', drop: '%dx' },
  11: { take: '%di', drop: '%dx' },
  12: { take: '%di', drop: '%si' },
  13: { take: '%di', drop: '%si' },
};

/** Clones whose arguments differ from the source's, as checked: symbol → register. */
const CHECKED_CLONES: Readonly<Record<string, Register>> = {
  'take_gil.constprop.0@8': '%di',
};

/** The GIL's last_holder as a global: symbol and offset of the field in it. */
const LAST_HOLDER: Readonly<Record<number, { readonly symbol: string; readonly offset: number }>> = {
  6: { symbol: 'gil_last_holder', offset: 0 },
  7: { symbol: '_PyRuntime', offset: 1272 },
  8: { symbol: '_PyRuntime', offset: 1160 },
  9: { symbol: '_PyRuntime', offset: 360 },
  10: { symbol: '_PyRuntime', offset: 360 },
  11: { symbol: '_PyRuntime', offset: 368 },
};

const SAME_SIGNATURE = /^(?:take_gil|drop_gil)(?:\.lto_priv\.\d+)?$/;

export function tstateAtSite(site: ProbeSite, role: 'take' | 'drop', minor: number, table: FunctionTable): string | undefined {
  if (site.inlinedInto !== undefined) return role === 'drop' ? lastHolder(site, minor, table) : undefined;
  const checked = CHECKED_CLONES[`${site.symbol}@${minor}`];
  if (checked) return checked;
  if (!SAME_SIGNATURE.test(site.symbol)) return undefined;
  return ARGUMENT[minor]?.[role];
}

/**
 * `@+N` reads memory at N bytes past where the probed file's offset 0 is mapped (the kernel adds
 * the probe's address minus its file offset), so a global's address is turned into that scale.
 */
function lastHolder(site: ProbeSite, minor: number, table: FunctionTable): string | undefined {
  const where = LAST_HOLDER[minor];
  if (!where) return undefined;
  const symbol = symbolAddress(table, where.symbol);
  if (symbol === undefined) return undefined;
  const delta = site.vaddr - site.fileOffset;
  return `@+0x${(symbol + where.offset - delta).toString(16)}`;
}

const addressCache = new WeakMap<FunctionTable, Map<string, number | undefined>>();

function symbolAddress(table: FunctionTable, name: string): number | undefined {
  let cache = addressCache.get(table);
  if (!cache) addressCache.set(table, (cache = new Map()));
  if (cache.has(name)) return cache.get(name);
  const symbols = readSymbolTable(table.symbolElf, 'symtab');
  const found = symbols.find((s) => s.name === name && s.value !== 0)?.value;
  cache.set(name, found);
  return found;
}
