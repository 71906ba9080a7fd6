/**
 * Does a function (directly, or through a few small helpers) call or tail-jump to one of a set of
 * addresses? Used to tell whether drop_gil was inlined into PyEval_SaveThread (LTO builds), which
 * would make GIL releases invisible to a drop_gil uprobe.
 *
 * x86-64 only, and deliberately crude: it looks for rel32 CALL (E8), JMP (E9) and Jcc (0F 80..8F)
 * encodings anywhere in the function's bytes, without decoding instructions. A false "reaches"
 * needs 4 random bytes to equal the exact displacement of a target, which is negligible for the
 * few hundred bytes scanned; a false "does not reach" happens when the path goes through a PLT
 * stub or a function pointer, so callers must only rely on it for self-contained (LTO) binaries.
 */
import type { FunctionSymbol, FunctionTable } from './symbolizer.js';

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

/** Targets of every rel32 call/jump encoding in the bytes of a function starting at `vaddr`. */
export function branchTargets(code: Uint8Array, vaddr: number): number[] {
  const out: number[] = [];
  const view = new DataView(code.buffer, code.byteOffset, code.byteLength);
  for (let i = 0; i + 5 <= code.length; i++) {
    const op = code[i];
    if (op === 0xe8 || op === 0xe9) {
      out.push(vaddr + i + 5 + view.getInt32(i + 1, true));
    } else if (op === 0x0f && i + 6 <= code.length && code[i + 1] >= 0x80 && code[i + 1] <= 0x8f) {
      out.push(vaddr + i + 6 + view.getInt32(i + 2, true));
    }
  }
  return out;
}
