/**
 * Test-only: gdb reading CPython's structs from a build's DWARF, an oracle that shares no code
 * with giltrace (frame layouts, GIL state offsets).
 */
import { spawnSync } from 'node:child_process';

export const hasGdb = spawnSync('gdb', ['--version']).status === 0;

/** Values of gdb expressions (undefined where gdb cannot evaluate one). */
export function gdbPrint(file: string, expressions: readonly string[]): (number | undefined)[] {
  const args = ['-batch', '-nx', ...expressions.flatMap((e) => ['-ex', `print (long)(${e})`]), file];
  const out = spawnSync('gdb', args, { encoding: 'utf8', timeout: 120_000 }).stdout;
  const values = new Map<number, number>();
  for (const m of out.matchAll(/^\$(\d+) = (-?\d+)$/gm)) values.set(Number(m[1]), Number(m[2]));
  // gdb numbers only the expressions it could evaluate: pair them up by running one at a time when some failed
  if (values.size === expressions.length) return expressions.map((_, i) => values.get(i + 1));
  return expressions.map((e) => {
    const one = spawnSync('gdb', ['-batch', '-nx', '-ex', `print (long)(${e})`, file], { encoding: 'utf8' }).stdout;
    const m = /^\$1 = (-?\d+)$/m.exec(one);
    return m ? Number(m[1]) : undefined;
  });
}

/** A gdb expression for the offset of `member` in `type`. */
export const offset = (type: string, member: string) => `&((${type} *)0)->${member}`;
