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
 * Not followed: split DWARF (.dwo), dwz supplementary files (DW_FORM_GNU_ref_alt), type units.
 */
import { GiltraceError } from '../../base/errors.js';
import type { ElfFile } from './elf-file.js';
import { sectionData } from './section-data.js';
import { DwarfCursor, parseAbbrevTable, type Abbrev } from './dwarf-cursor.js';

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
const FORM_ADDR = 0x01;
const FORM_STRING = 0x08;
const FORM_STRP = 0x0e;
const FORM_INDIRECT = 0x16;
const FORM_LINE_STRP = 0x1f;

interface Unit {
  readonly start: number;
  readonly end: number;
  readonly version: number;
  readonly addressSize: number;
  readonly offsetSize: number;
  readonly abbrevOffset: number;
}

/** What the walk collects: names we look for, origin links, inlined instances. */
interface Collected {
  readonly named: Map<number, string>;
  readonly origin: Map<number, number>;
  readonly inlined: Array<{ die: number; origin: number; entry: number | undefined }>;
}

interface Strings {
  readonly str: Uint8Array;
  readonly lineStr: Uint8Array;
}

export function findInlinedInstances(elf: ElfFile, names: ReadonlySet<string>): InlinedInstance[] {
  const infoSection = elf.section('.debug_info');
  const abbrevSection = elf.section('.debug_abbrev');
  if (!infoSection || !abbrevSection) return [];
  const optional = (name: string): Uint8Array => {
    const s = elf.section(name);
    return s ? sectionData(elf, s) : new Uint8Array(0);
  };
  const fail = (message: string, at: number): GiltraceError =>
    new GiltraceError(`corrupt DWARF: ${message} (.debug_info offset ${at})`, { file: elf.path, offset: infoSection.offset });
  const info = new DwarfCursor(sectionData(elf, infoSection), fail);
  const abbrevData = new DwarfCursor(sectionData(elf, abbrevSection), (m) => fail(`.debug_abbrev: ${m}`, 0));
  const strings: Strings = { str: optional('.debug_str'), lineStr: optional('.debug_line_str') };

  const abbrevTables = new Map<number, Map<number, Abbrev>>();
  const collected: Collected = { named: new Map(), origin: new Map(), inlined: [] };
  let next = 0;
  while (next + 4 <= info.bytes.length) {
    const unit = readUnitHeader(info, next);
    next = unit.end;
    let abbrevs = abbrevTables.get(unit.abbrevOffset);
    if (!abbrevs) {
      abbrevs = parseAbbrevTable(abbrevData, unit.abbrevOffset);
      abbrevTables.set(unit.abbrevOffset, abbrevs);
    }
    walkUnit(info, unit, abbrevs, strings, names, collected);
  }
  return resolve(collected);
}

function readUnitHeader(c: DwarfCursor, start: number): Unit {
  c.limit(start, c.bytes.length);
  let length = c.fixed(4);
  let offsetSize = 4;
  if (length === 0xffffffff) {
    length = c.fixed(8);
    offsetSize = 8;
  }
  const end = c.pos + length;
  if (end > c.bytes.length || length < 7) throw c.fail(`unit length ${length} overruns the section`, start);
  c.limit(c.pos, end);
  const version = c.fixed(2);
  let addressSize: number;
  let abbrevOffset: number;
  if (version >= 5) {
    const unitType = c.u8();
    addressSize = c.u8();
    abbrevOffset = c.fixed(offsetSize);
    if (unitType === 4 || unitType === 5) c.skip(8); // skeleton / split compile: dwo_id
    else if (unitType === 2 || unitType === 6) c.skip(8 + offsetSize); // type units: signature, type offset
  } else if (version >= 2) {
    abbrevOffset = c.fixed(offsetSize);
    addressSize = c.u8();
  } else throw c.fail(`unit version ${version} is not DWARF 2-5`, start);
  return { start, end, version, addressSize, offsetSize, abbrevOffset };
}

function walkUnit(c: DwarfCursor, unit: Unit, abbrevs: Map<number, Abbrev>, strings: Strings, names: ReadonlySet<string>, out: Collected): void {
  while (c.pos < unit.end) {
    const die = c.pos;
    const code = c.uleb();
    if (code === 0) continue; // end of a sibling list
    const abbrev = abbrevs.get(code);
    if (!abbrev) throw c.fail(`abbreviation ${code} not in the table at ${unit.abbrevOffset}`, die);
    let name: string | undefined;
    let ref: number | undefined;
    let entryPc: number | undefined;
    let lowPc: number | undefined;
    const a = abbrev.attrs;
    for (let i = 0; i < a.length; i += 3) {
      const at = a[i];
      let form = a[i + 1];
      while (form === FORM_INDIRECT) form = c.uleb();
      if (at === AT_NAME && (form === FORM_STRING || form === FORM_STRP || form === FORM_LINE_STRP)) {
        name = readName(c, form, unit, strings);
      } else if (at === AT_ABSTRACT_ORIGIN || at === AT_SPECIFICATION) {
        ref = readRef(c, form, unit);
      } else if ((at === AT_ENTRY_PC || at === AT_LOW_PC) && form === FORM_ADDR) {
        const value = c.fixed(unit.addressSize);
        if (at === AT_ENTRY_PC) entryPc = value;
        else lowPc = value;
      } else {
        skipForm(c, form, unit); // strx / addrx forms would need .debug_str_offsets / .debug_addr
      }
    }
    if (name !== undefined && names.has(name)) out.named.set(die, name);
    if (ref !== undefined) {
      if (abbrev.tag === TAG_INLINED_SUBROUTINE) out.inlined.push({ die, origin: ref, entry: entryPc ?? lowPc });
      else if (name === undefined) out.origin.set(die, ref);
    }
  }
}

function resolve(collected: Collected): InlinedInstance[] {
  const out: InlinedInstance[] = [];
  for (const inst of collected.inlined) {
    let target = inst.origin;
    for (let hop = 0; hop < 8 && !collected.named.has(target) && collected.origin.has(target); hop++) target = collected.origin.get(target) as number;
    const name = collected.named.get(target);
    if (name !== undefined) out.push({ name, entry: inst.entry, die: inst.die });
  }
  return out;
}

function readName(c: DwarfCursor, form: number, unit: Unit, strings: Strings): string {
  if (form === FORM_STRING) return c.cstring();
  const offset = c.fixed(unit.offsetSize);
  return c.cstringIn(form === FORM_STRP ? strings.str : strings.lineStr, offset);
}

function readRef(c: DwarfCursor, form: number, unit: Unit): number | undefined {
  switch (form) {
    case 0x11: return unit.start + c.fixed(1);
    case 0x12: return unit.start + c.fixed(2);
    case 0x13: return unit.start + c.fixed(4);
    case 0x14: return unit.start + c.fixed(8);
    case 0x15: return unit.start + c.uleb();
    case 0x10: return c.fixed(unit.version <= 2 ? unit.addressSize : unit.offsetSize); // ref_addr: section offset
    default:
      skipForm(c, form, unit); // ref_sig8, supplementary-file refs: not followed
      return undefined;
  }
}

function skipForm(c: DwarfCursor, form: number, unit: Unit): void {
  switch (form) {
    case 0x01: return c.skip(unit.addressSize);
    case 0x0b: case 0x11: case 0x0c: case 0x25: case 0x29: return c.skip(1);
    case 0x05: case 0x12: case 0x26: case 0x2a: return c.skip(2);
    case 0x27: case 0x2b: return c.skip(3);
    case 0x06: case 0x13: case 0x28: case 0x2c: case 0x1c: return c.skip(4);
    case 0x07: case 0x14: case 0x20: case 0x24: return c.skip(8);
    case 0x1e: return c.skip(16);
    case 0x0d: case 0x0f: case 0x15: case 0x1a: case 0x1b: case 0x22: case 0x23: case 0x1f01: case 0x1f02:
      c.uleb();
      return;
    case 0x08:
      c.cstring();
      return;
    case 0x0e: case 0x1f: case 0x17: case 0x1d: case 0x1f20: case 0x1f21: return c.skip(unit.offsetSize);
    case 0x10: return c.skip(unit.version <= 2 ? unit.addressSize : unit.offsetSize);
    case 0x18: case 0x09: return c.skip(c.uleb());
    case 0x0a: return c.skip(c.u8());
    case 0x03: return c.skip(c.fixed(2));
    case 0x04: return c.skip(c.fixed(4));
    case 0x19: case 0x21: return; // flag_present, implicit_const: no data in the DIE
    default: throw c.fail(`unknown attribute form 0x${form.toString(16)}`, c.pos);
  }
}
