/**
 * The source line of an instruction, from its code object's line table as the interpreter keeps
 * it in memory (what PyCode_Addr2Line computes, without calling into the process): the sampler
 * reads a frame's instruction offset and its code object's table, and tells the line running.
 *
 * Three formats, by version (CPython's Objects/lnotab_notes.txt and Objects/locations.md):
 * - `lnotab` (3.6-3.9, co_lnotab): (byte increment, signed line increment) pairs;
 * - `linetable310` (3.10, co_linetable): (byte length, signed line delta) ranges, -128 for a
 *   range without a line;
 * - `locations` (3.11+, co_linetable): entries of a first byte (bit 7 set, a 4-bit kind, the
 *   length in code units less one) and the kind's line and column fields.
 * Decoded once per code object into ranges (contract/line-ranges.ts), which the sampler looks its
 * instructions up in and writes into recordings for the probes' instructions.
 * test/fixtures/line-tables/ holds tables of every build here with the lines CPython itself gives.
 */
import type { LineRanges } from '../contract/line-ranges.js';

export type LineTableFormat = 'lnotab' | 'linetable310' | 'locations';

/** The whole table as ranges of instructions by line (contract/line-ranges.ts). */
export function lineRanges(format: LineTableFormat, table: Uint8Array, firstLine: number): LineRanges {
  const ranges = new RangeList();
  switch (format) {
    case 'lnotab':
      lnotabRanges(table, firstLine, ranges);
      break;
    case 'linetable310':
      linetable310Ranges(table, firstLine, ranges);
      break;
    case 'locations':
      locationsRanges(table, firstLine, ranges);
      break;
  }
  return ranges;
}

/** Ranges as they are decoded: empty ones dropped, neighbours with the same line joined. */
class RangeList implements LineRanges {
  readonly starts: number[] = [];
  readonly lines: number[] = [];
  end = 0;

  /** Instructions from `start` to `end` run `line` (0: none). */
  add(start: number, end: number, line: number): void {
    if (end <= start) return;
    const last = this.lines.length - 1;
    if (last >= 0 && this.lines[last] === line && this.end === start) {
      this.end = end;
      return;
    }
    this.starts.push(start);
    this.lines.push(line);
    this.end = end;
  }
}

const signed = (byte: number): number => (byte << 24) >> 24;

/** (byte increment, line increment) pairs: the line changes at each address; the last runs to the end of the code. */
function lnotabRanges(table: Uint8Array, firstLine: number, ranges: RangeList): void {
  let line = firstLine;
  let address = 0;
  let from = 0;
  for (let i = 0; i + 1 < table.length; i += 2) {
    if (table[i] > 0) {
      ranges.add(from, address + table[i], line);
      from = address + table[i];
    }
    address += table[i];
    line += signed(table[i + 1]);
  }
  ranges.add(from, Infinity, line);
}

const NO_LINE_310 = -128;

function linetable310Ranges(table: Uint8Array, firstLine: number, ranges: RangeList): void {
  let line = firstLine;
  let start = 0;
  for (let i = 0; i + 1 < table.length; i += 2) {
    const end = start + table[i];
    const delta = signed(table[i + 1]);
    if (delta !== NO_LINE_310) line += delta;
    ranges.add(start, end, delta === NO_LINE_310 ? 0 : line);
    start = end;
  }
}

/** Kinds of a location entry (`_PyCodeLocationInfoKind`). */
const LONG_FORM = 14;
const NO_COLUMNS = 13;
const ONE_LINE_FIRST = 10;
const NO_LOCATION = 15;
const CODE_UNIT_BYTES = 2;

function locationsRanges(table: Uint8Array, firstLine: number, ranges: RangeList): void {
  let line = firstLine;
  let address = 0;
  let i = 0;
  // 6-bit chunks, least significant first, bit 6 set on all but the last
  const varint = (): number => {
    let byte = table[i++];
    let value = byte & 63;
    for (let shift = 6; byte & 64 && i < table.length; shift += 6) {
      byte = table[i++];
      value += (byte & 63) * 2 ** shift;
    }
    return value;
  };
  const svarint = (): number => {
    const v = varint();
    return v & 1 ? -(v >>> 1) : v >>> 1;
  };
  while (i < table.length) {
    const first = table[i++];
    const kind = (first >> 3) & 15;
    const end = address + ((first & 7) + 1) * CODE_UNIT_BYTES;
    let hasLine = true;
    if (kind === NO_LOCATION) hasLine = false;
    else if (kind === LONG_FORM) {
      line += svarint();
      varint(); // end line
      varint(); // start column
      varint(); // end column
    } else if (kind === NO_COLUMNS) line += svarint();
    else if (kind >= ONE_LINE_FIRST) {
      line += kind - ONE_LINE_FIRST;
      i += 2; // start and end columns
    } else i += 1; // the short form's columns
    ranges.add(address, end, hasLine ? line : 0);
    address = end;
  }
}
