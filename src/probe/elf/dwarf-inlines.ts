/**
 * Where given static functions were inlined, from DWARF .debug_info: every
 * DW_TAG_inlined_subroutine whose abstract origin (followed through DW_AT_abstract_origin /
 * DW_AT_specification, across units with DW_FORM_ref_addr as LTO emits) is named one of `names`,
 * with its entry address (DW_AT_entry_pc, else DW_AT_low_pc).
 *
 * Why: LTO builds (Debian's python3.11) inline drop_gil into PyEval_SaveThread and the functions
 * that inline Py_BEGIN_ALLOW_THREADS; those inlined bodies have no symbol, only DWARF.
 *
 * A linear walk over all DIEs of DWARF 2–5 units; only the few attributes needed are decoded,
 * every other one is skipped by its form. Reads are bounded by the unit's end: corruption is a
 * GiltraceError naming the debug file and the byte offset inside .debug_info.
 */
import { GiltraceError } from '../../base/errors.js';
import type { ElfFile } from './elf-file.js';
import { sectionData } from './section-data.js';

export interface InlinedInstance {
  /** The inlined function's name (one of `names`). */
  readonly name: string;
  /** Virtual address where the inlined body starts, or undefined when DWARF gives none we read. */
  readonly entry: number | undefined;
  /** Offset of the DIE in .debug_info, for messages. */
  readonly die: number;
}

const TAG_INLINED_SUBROUTINE = 0x1d;
const AT_NAME = 0x03;
const AT_LOW_PC = 0x11;
const AT_ABSTRACT_ORIGIN = 0x31;
const AT_SPECIFICATION = 0x47;
const AT_ENTRY_PC = 0x52;

interface Abbrev {
  readonly tag: number;
  readonly attrs: Int32Array; // name, form, implicit value triples
}

export function findInlinedInstances(elf: ElfFile, names: ReadonlySet<string>): InlinedInstance[] {
  const infoSection = elf.section('.debug_info');
  const abbrevSection = elf.section('.debug_abbrev');
  if (!infoSection || !abbrevSection) return [];
  const info = sectionData(elf, infoSection);
  const abbrevData = sectionData(elf, abbrevSection);
  const strSection = elf.section('.debug_str');
  const str = strSection ? sectionData(elf, strSection) : new Uint8Array(0);
  const lineStrSection = elf.section('.debug_line_str');
  const lineStr = lineStrSection ? sectionData(elf, lineStrSection) : new Uint8Array(0);
  const fail = (message: string, at: number): GiltraceError =>
    new GiltraceError(`corrupt DWARF: ${message} (.debug_info offset ${at})`, { file: elf.path, offset: infoSection.offset });

  const abbrevCache = new Map<number, Map<number, Abbrev>>();
  const named = new Map<number, string>(); // DIE offset -> name, only names we look for
  const origin = new Map<number, number>(); // DIE offset -> abstract origin / specification DIE
  const inlined: Array<{ die: number; origin: number; entry: number | undefined }> = [];

  let pos = 0;
  let p = 0;
  let end = 0;
  const u8 = (): number => {
    if (p >= end) throw fail('attribute runs past the end of its unit', p);
    return info[p++];
  };
  const fixed = (n: number): number => {
    if (p + n > end) throw fail('attribute runs past the end of its unit', p);
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + info[p + i];
    p += n;
    return v;
  };
  const uleb = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = u8();
      v += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return v;
      mul *= 128;
      if (mul > 2 ** 63) throw fail('LEB128 number too long', p);
    }
  };

  while (pos + 4 <= info.length) {
    const unitStart = pos;
    p = pos;
    end = info.length;
    let length = fixed(4);
    let offsetSize = 4;
    if (length === 0xffffffff) {
      length = fixed(8);
      offsetSize = 8;
    }
    end = p + length;
    if (end > info.length || length < 7) throw fail(`unit length ${length} overruns the section`, unitStart);
    pos = end;
    const version = fixed(2);
    let addressSize: number;
    let abbrevOffset: number;
    if (version >= 5) {
      const unitType = u8();
      addressSize = u8();
      abbrevOffset = fixed(offsetSize);
      if (unitType === 4 || unitType === 5) p += 8; // skeleton / split compile: dwo_id
      else if (unitType === 2 || unitType === 6) p += 8 + offsetSize; // type units
    } else if (version >= 2) {
      abbrevOffset = fixed(offsetSize);
      addressSize = u8();
    } else throw fail(`unit version ${version} is not DWARF 2-5`, unitStart);
    const abbrevs = abbrevTable(abbrevData, abbrevOffset, abbrevCache, fail);

    while (p < end) {
      const die = p;
      const code = uleb();
      if (code === 0) continue; // end of a sibling list
      const abbrev = abbrevs.get(code);
      if (!abbrev) throw fail(`abbreviation ${code} not in table at ${abbrevOffset}`, die);
      let name: string | undefined;
      let ref: number | undefined;
      let entryPc: number | undefined;
      let lowPc: number | undefined;
      const a = abbrev.attrs;
      for (let i = 0; i < a.length; i += 3) {
        const at = a[i];
        let form = a[i + 1];
        while (form === 0x16) form = uleb(); // DW_FORM_indirect
        const wanted = at === AT_NAME || at === AT_ABSTRACT_ORIGIN || at === AT_SPECIFICATION || at === AT_ENTRY_PC || at === AT_LOW_PC;
        if (!wanted) {
          skipForm(form, addressSize, offsetSize, version);
          continue;
        }
        if (at === AT_NAME) {
          if (form === 0x08) {
            name = cstring(info, p, end, fail);
            p += name.length + 1;
          } else if (form === 0x0e) name = cstring(str, fixed(offsetSize), str.length, fail);
          else if (form === 0x1f) name = cstring(lineStr, fixed(offsetSize), lineStr.length, fail);
          else skipForm(form, addressSize, offsetSize, version); // strx: needs .debug_str_offsets; not used for our names
        } else if (at === AT_ABSTRACT_ORIGIN || at === AT_SPECIFICATION) {
          ref = readRef(form, unitStart, addressSize, offsetSize, version);
        } else {
          const value = form === 0x01 ? fixed(addressSize) : undefined;
          if (value === undefined) skipForm(form, addressSize, offsetSize, version); // addrx / constant forms: not located
          if (at === AT_ENTRY_PC) entryPc = value;
          else lowPc = value;
        }
      }
      if (name !== undefined && names.has(name)) named.set(die, name);
      if (ref !== undefined) {
        if (abbrev.tag === TAG_INLINED_SUBROUTINE) inlined.push({ die, origin: ref, entry: entryPc ?? lowPc });
        else if (name === undefined) origin.set(die, ref);
      }
    }
  }

  const out: InlinedInstance[] = [];
  for (const inst of inlined) {
    let target = inst.origin;
    for (let hop = 0; hop < 8 && !named.has(target) && origin.has(target); hop++) target = origin.get(target) as number;
    const name = named.get(target);
    if (name !== undefined) out.push({ name, entry: inst.entry, die: inst.die });
  }
  return out;

  function readRef(form: number, unitStart: number, addressSize: number, offsetSize: number, version: number): number | undefined {
    switch (form) {
      case 0x11: return unitStart + fixed(1);
      case 0x12: return unitStart + fixed(2);
      case 0x13: return unitStart + fixed(4);
      case 0x14: return unitStart + fixed(8);
      case 0x15: return unitStart + uleb();
      case 0x10: return fixed(version <= 2 ? addressSize : offsetSize);
      default:
        skipForm(form, addressSize, offsetSize, version); // ref_sig8, alt/sup files: not followed
        return undefined;
    }
  }

  function skipForm(form: number, addressSize: number, offsetSize: number, version: number): void {
    switch (form) {
      case 0x01: p += addressSize; break;
      case 0x0b: case 0x11: case 0x0c: case 0x25: case 0x29: p += 1; break;
      case 0x05: case 0x12: case 0x26: case 0x2a: p += 2; break;
      case 0x27: case 0x2b: p += 3; break;
      case 0x06: case 0x13: case 0x28: case 0x2c: case 0x1c: p += 4; break;
      case 0x07: case 0x14: case 0x20: case 0x24: p += 8; break;
      case 0x1e: p += 16; break;
      case 0x0d: case 0x0f: case 0x15: case 0x1a: case 0x1b: case 0x22: case 0x23: case 0x1f01: case 0x1f02: uleb(); break;
      case 0x08: {
        const z = info.indexOf(0, p);
        if (z < 0 || z >= end) throw fail('unterminated string', p);
        p = z + 1;
        break;
      }
      case 0x0e: case 0x1f: case 0x17: case 0x1d: case 0x1f20: case 0x1f21: p += offsetSize; break;
      case 0x10: p += version <= 2 ? addressSize : offsetSize; break;
      case 0x18: case 0x09: { const n = uleb(); p += n; break; }
      case 0x0a: { const n = u8(); p += n; break; }
      case 0x03: { const n = fixed(2); p += n; break; }
      case 0x04: { const n = fixed(4); p += n; break; }
      case 0x19: case 0x21: break; // flag_present, implicit_const: no data in the DIE
      default: throw fail(`unknown attribute form 0x${form.toString(16)}`, p);
    }
    if (p > end) throw fail('attribute runs past the end of its unit', p);
  }
}

function abbrevTable(
  data: Uint8Array,
  offset: number,
  cache: Map<number, Map<number, Abbrev>>,
  fail: (message: string, at: number) => GiltraceError,
): Map<number, Abbrev> {
  const hit = cache.get(offset);
  if (hit) return hit;
  const table = new Map<number, Abbrev>();
  let p = offset;
  const uleb = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (p >= data.length) throw fail(`abbreviation table at ${offset} runs past .debug_abbrev`, 0);
      const b = data[p++];
      v += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return v;
      mul *= 128;
    }
  };
  const sleb = (): number => {
    let v = 0;
    let shift = 0;
    let b: number;
    do {
      if (p >= data.length) throw fail(`abbreviation table at ${offset} runs past .debug_abbrev`, 0);
      b = data[p++];
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return b & 0x40 ? v - 2 ** shift : v;
  };
  for (;;) {
    const code = uleb();
    if (code === 0) break;
    const tag = uleb();
    p += 1; // has_children: the walk is linear, null entries close sibling lists
    const attrs: number[] = [];
    for (;;) {
      const name = uleb();
      const form = uleb();
      if (name === 0 && form === 0) break;
      attrs.push(name, form, form === 0x21 ? sleb() : 0);
    }
    table.set(code, { tag, attrs: Int32Array.from(attrs) });
  }
  cache.set(offset, table);
  return table;
}

/** NUL-terminated string at `at` that must end before `limit`. */
function cstring(data: Uint8Array, at: number, limit: number, fail: (message: string, at: number) => GiltraceError): string {
  const z = at < limit ? data.indexOf(0, at) : -1;
  if (z < 0 || z >= limit) throw fail(`string at ${at} is outside its section or unit`, at);
  return Buffer.from(data.buffer, data.byteOffset + at, z - at).toString('latin1');
}
