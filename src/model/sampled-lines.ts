/**
 * What the sampled mode's lines (contract/sampled-recording.ts) share, whoever reads them: the
 * header, the F lines' stacks, the L lines' source text and the B lines' lines by instruction.
 */
import { GiltraceError } from '../base/errors.js';
import { SAMPLED_MAGIC, type SampledHeader } from '../contract/sampled-recording.js';
import { parseLineRanges } from '../contract/line-ranges.js';
import type { PythonStacks } from './python-stacks.js';

/** The header of a sampled recording from its first two lines; throws when they are not one. */
export function parseSampledHeader(lines: readonly string[], file: string): SampledHeader {
  if (lines[0] !== SAMPLED_MAGIC) throw new GiltraceError(`not a sampled giltrace recording`, { file });
  let header: SampledHeader;
  try {
    header = JSON.parse(lines[1]) as SampledHeader;
  } catch {
    throw new GiltraceError(`its header (line 2) is not JSON`, { file });
  }
  if (typeof header?.hz !== 'number' || typeof header.timeBaseNs !== 'string') throw new GiltraceError('its header lacks hz or timeBaseNs', { file });
  return header;
}

/** An F line's stack, interned: its id in the file and in `stacks`. */
export function internStackLine(line: string, stacks: PythonStacks): [number, number] {
  const [head, name = '', fileName = '', firstLine = '0', ...callers] = line.split('\t');
  return [Number(head.slice(2)), stacks.intern(name, fileName, Number(firstLine), callers)];
}

/** An L line: the text of a line of a stack's innermost function (`stackIds`: the file's stack ids → `stacks`'). */
export function readSourceLine(line: string, stacks: PythonStacks, stackIds: ReadonlyMap<number, number>): void {
  const tab = line.indexOf('\t');
  if (tab < 0) return;
  const [, id, at] = line.slice(0, tab).split(' ');
  const stack = stackIds.get(Number(id));
  if (stack !== undefined && stack >= 0) stacks.sourceLine(stack, Number(at), line.slice(tab + 1));
}

/** A B line: a stack's innermost code object's lines by instruction, for the drops the probes read in it. */
export function readInstructionLines(line: string, stacks: PythonStacks, stackIds: ReadonlyMap<number, number>): void {
  const [, id, base, scale, ...rest] = line.split(' ');
  const stack = stackIds.get(Number(id));
  const ranges = parseLineRanges(rest);
  if (stack === undefined || stack < 0 || !ranges || !Number.isSafeInteger(Number(base)) || !(Number(scale) > 0)) return;
  stacks.instructionLines(stack, { base: Number(base), scale: Number(scale), ranges });
}

/** A K line: a stack at a line (a waiter's, where it let the GIL go), an id of its own. */
export function internStackAtLine(line: string, stacks: PythonStacks, stackIds: Map<number, number>): void {
  const [, id, stackId, at] = line.split(' ');
  const stack = stackIds.get(Number(stackId));
  if (stack === undefined || stack < 0) return;
  stackIds.set(Number(id), stacks.atLine(stack, Number(at)));
}
