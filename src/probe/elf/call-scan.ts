/**
 * Does a function (directly, or through a few small helpers) call or tail-jump to one of a set of
 * addresses? Used to tell whether drop_gil was inlined into PyEval_SaveThread (LTO builds), which
 * would make GIL releases invisible to a drop_gil uprobe.
 *
 * x86-64 only, and deliberately crude: it looks for rel32 call, jmp and jcc encodings
 * (x86-calls.ts) anywhere in the function's bytes, without decoding instructions. A false "reaches"
 * needs 4 random bytes to equal the exact displacement of a target, which is negligible for the
 * few hundred bytes scanned; a false "does not reach" happens when the path goes through a PLT
 * stub or a function pointer, so callers must only rely on it for self-contained (LTO) binaries.
 */
import type { FunctionSymbol, FunctionTable } from './symbolizer.js';
import { branchTargets } from './x86-calls.js';

const MAX_HELPER_SIZE = 2048;

export function reachesAddress(table: FunctionTable, from: FunctionSymbol, targets: ReadonlySet<number>, depth = 2): boolean {
  const byStart = new Map<number, FunctionSymbol>();
  for (const f of table.functions) if (!byStart.has(f.vaddr)) byStart.set(f.vaddr, f);
  const visited = new Set<number>();
  const visit = (fn: FunctionSymbol, left: number): boolean => {
    if (visited.has(fn.vaddr)) return false;
    visited.add(fn.vaddr);
    for (const target of branchTargets(table.functionBytes(fn), fn.vaddr)) {
      if (targets.has(target)) return true;
      const helper = byStart.get(target);
      if (left > 0 && helper && helper.size <= MAX_HELPER_SIZE && visit(helper, left - 1)) return true;
    }
    return false;
  };
  return visit(from, depth);
}
