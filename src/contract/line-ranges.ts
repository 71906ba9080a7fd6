/**
 * A code object's instructions by source line, as ranges: what the sampler decodes from the
 * line table the interpreter keeps (probe/line-table.ts) and writes into a recording (B lines,
 * contract/sampled-recording.ts), so that the model can tell the line of an instruction a probe
 * read at a drop without knowing CPython's formats.
 */
export interface LineRanges {
  /** Byte offsets where each range begins, ascending; range k runs up to starts[k + 1], the last up to `end`. */
  readonly starts: readonly number[];
  /** The line of each range (0: instructions with no line). */
  readonly lines: readonly number[];
  /** Where the code ends (Infinity when the table does not say: co_lnotab's last line runs to the end). */
  readonly end: number;
}

/** The line of the instruction at byte `offset` (0: none, or outside the code). */
export function lineIn(ranges: LineRanges, offset: number): number {
  const { starts, lines } = ranges;
  if (!(offset >= 0 && offset < ranges.end) || starts.length === 0 || offset < starts[0]) return 0;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lines[lo];
}

/** `<end> <start> <line> <start> <line> ...` ('-' for an end the table does not say): a B line's tail. */
export function formatLineRanges(ranges: LineRanges): string {
  const parts = [Number.isFinite(ranges.end) ? String(ranges.end) : '-'];
  for (let k = 0; k < ranges.starts.length; k++) parts.push(String(ranges.starts[k]), String(ranges.lines[k]));
  return parts.join(' ');
}

/** What formatLineRanges wrote; undefined when the fields are not that. */
export function parseLineRanges(fields: readonly string[]): LineRanges | undefined {
  if (fields.length === 0 || fields.length % 2 !== 1) return undefined;
  const end = fields[0] === '-' ? Infinity : Number(fields[0]);
  const starts: number[] = [];
  const lines: number[] = [];
  for (let i = 1; i < fields.length; i += 2) {
    const start = Number(fields[i]);
    const line = Number(fields[i + 1]);
    if (!Number.isInteger(start) || !Number.isInteger(line) || start < (starts.at(-1) ?? 0) || line < 0) return undefined;
    starts.push(start);
    lines.push(line);
  }
  return Number.isNaN(end) ? undefined : { starts, lines, end };
}

/**
 * A code object's lines as a probe's instruction reads (FrameField.instruction): the byte offset
 * of instruction `i` is (i - base) * scale (3.11+: `base` the address of the code object's
 * bytecode, scale 1; 3.10's f_lasti counts 2-byte units: base 0, scale 2; before: bytes).
 */
export interface InstructionLines {
  readonly base: number;
  readonly scale: number;
  readonly ranges: LineRanges;
}

export function lineOfInstruction(lines: InstructionLines, instruction: number): number {
  return lineIn(lines.ranges, (instruction - lines.base) * lines.scale);
}
