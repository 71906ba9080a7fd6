/**
 * What the sampled mode's lines (contract/sampled-recording.ts) share, whoever reads them: the
 * header, and the F lines' stacks.
 */
import { GiltraceError } from '../base/errors.js';
import { SAMPLED_MAGIC, type SampledHeader } from '../contract/sampled-recording.js';
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
