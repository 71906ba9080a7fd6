/**
 * A read position in a DWARF section with a movable end (the current unit's), so no attribute
 * can read into the next unit or past the section. Kept separate from ElfBytes because this is a
 * hot loop over millions of DIEs: plain index arithmetic, one check per read.
 */
import type { GiltraceError } from '../../base/errors.js';

export interface Abbrev {
  readonly tag: number;
  /** (attribute, form, implicit_const value) triples. */
  readonly attrs: Int32Array;
}

export class DwarfCursor {
  pos = 0;
  private end: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly fail: (message: string, at: number) => GiltraceError,
  ) {
    this.end = bytes.length;
  }

  /** Reads from `pos` on, never past `end`. */
  limit(pos: number, end: number): void {
    this.pos = pos;
    this.end = Math.min(end, this.bytes.length);
  }

  u8(): number {
    if (this.pos >= this.end) throw this.fail('read runs past the end of its unit', this.pos);
    return this.bytes[this.pos++];
  }

  /** Little-endian unsigned of n bytes (n ≤ 8; values past 2^53 lose precision, never used as lengths). */
  fixed(n: number): number {
    if (this.pos + n > this.end) throw this.fail('read runs past the end of its unit', this.pos);
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + this.bytes[this.pos + i];
    this.pos += n;
    return v;
  }

  uleb(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = this.u8();
      v += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return v;
      mul *= 128;
      if (mul > 2 ** 70) throw this.fail('LEB128 number too long', this.pos);
    }
  }

  sleb(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = this.u8();
      v += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) return b & 0x40 ? v - mul : v;
      if (mul > 2 ** 70) throw this.fail('LEB128 number too long', this.pos);
    }
  }

  skip(n: number): void {
    if (this.pos + n > this.end) throw this.fail('attribute runs past the end of its unit', this.pos);
    this.pos += n;
  }

  /** NUL-terminated string at pos, inside the unit. */
  cstring(): string {
    const z = this.bytes.indexOf(0, this.pos);
    if (z < 0 || z >= this.end) throw this.fail('unterminated string', this.pos);
    const s = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.pos, z - this.pos).toString('latin1');
    this.pos = z + 1;
    return s;
  }

  /** NUL-terminated string at an offset of another section (.debug_str, .debug_line_str). */
  cstringIn(section: Uint8Array, offset: number): string {
    const z = offset < section.length ? section.indexOf(0, offset) : -1;
    if (z < 0) throw this.fail(`string offset ${offset} is outside its ${section.length}-byte section`, this.pos);
    return Buffer.from(section.buffer, section.byteOffset + offset, z - offset).toString('latin1');
  }
}

/** The abbreviation table starting at `offset` of .debug_abbrev: code -> tag and attribute forms. */
export function parseAbbrevTable(c: DwarfCursor, offset: number): Map<number, Abbrev> {
  if (offset >= c.bytes.length) throw c.fail(`abbreviation table offset ${offset} is outside .debug_abbrev`, offset);
  c.limit(offset, c.bytes.length);
  const table = new Map<number, Abbrev>();
  for (;;) {
    const code = c.uleb();
    if (code === 0) return table;
    const tag = c.uleb();
    c.skip(1); // has_children: the walk is linear, null entries close sibling lists
    const attrs: number[] = [];
    for (;;) {
      const name = c.uleb();
      const form = c.uleb();
      if (name === 0 && form === 0) break;
      attrs.push(name, form, form === 0x21 ? c.sleb() : 0);
    }
    table.set(code, { tag, attrs: Int32Array.from(attrs) });
  }
}
