import type { TracepointField } from './types.js';

/** One tracepoint's `format` file from the tracing data. */
export interface TracepointFormat {
  readonly system: string;
  readonly name: string;
  readonly id: number;
  readonly fields: readonly TracepointField[];
}

const FIELD_LINE = /^\s*field(?: special)?:(.+?);\s*offset:(\d+);\s*size:(\d+);(?:\s*signed:(\d+);)?/;
const DECL = /^(.*?)\s*([A-Za-z_][A-Za-z0-9_]*)\s*(\[[^\]]*\])?\s*$/;

/**
 * Parses the text of a tracefs `format` file ("name: X\nID: N\nformat:\n\tfield:..."). Returns
 * undefined when the text has no name or no numeric ID (the caller reports where); fields that do
 * not parse are left out rather than guessed.
 */
export function parseTracepointFormat(system: string, text: string): TracepointFormat | undefined {
  let name: string | undefined;
  let id: number | undefined;
  const fields: TracepointField[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('name:')) {
      name = line.slice(5).trim();
    } else if (line.startsWith('ID:')) {
      const value = Number(line.slice(3).trim());
      if (Number.isInteger(value) && value >= 0) id = value;
    } else if (line.startsWith('print fmt:')) {
      break;
    } else {
      const m = FIELD_LINE.exec(line);
      if (m !== null) {
        const field = parseField(m[1], Number(m[2]), Number(m[3]), m[4] === '1');
        if (field !== undefined) fields.push(field);
      }
    }
  }
  if (name === undefined || name === '' || id === undefined) return undefined;
  return { system, name, id, fields };
}

function parseField(decl: string, offset: number, size: number, signed: boolean): TracepointField | undefined {
  const d = DECL.exec(decl.trim());
  if (d === null) return undefined;
  let base = d[1].trim();
  const name = d[2];
  let bracket = d[3];
  // probe arguments of array type declare the brackets on the type: `u8[] fn0` (size says how many)
  const typeBracket = /^(.*?)\s*(\[\d*\])$/.exec(base);
  if (bracket === undefined && typeBracket !== null) {
    base = typeBracket[1];
    bracket = typeBracket[2];
  }
  const type = bracket === undefined ? base : `${base}${bracket}`;
  let arrayLength: number | undefined;
  if (bracket !== undefined && bracket.length > 2) {
    const n = Number(bracket.slice(1, -1));
    if (Number.isInteger(n) && n > 0) arrayLength = n;
  } else if (bracket === '[]') {
    const element = /^[us](8|16|32|64)$|^x(8|16|32|64)$/.exec(base);
    const bits = element ? Number(element[1] ?? element[2]) : 8;
    if (size % (bits / 8) === 0) arrayLength = size / (bits / 8);
  }
  // every field gets every property, in one order: one hidden class for the hot readers
  const field: TracepointField = {
    name,
    type,
    offset,
    size,
    signed,
    arrayLength,
    width: arrayLength !== undefined ? size / arrayLength : size,
    dataLoc: base.startsWith('__data_loc'),
    relLoc: base.startsWith('__rel_loc'),
  };
  return field;
}
