/**
 * .symtab / .dynsym entries. take_gil and drop_gil are `static`, so they only exist as LOCAL
 * symbols in .symtab (or in the separate debug file when the binary is stripped).
 */
import { SHT_DYNSYM, SHT_NOBITS, SHT_SYMTAB, SHF_COMPRESSED, type ElfFile, type SectionHeader } from './elf-file.js';

export const STT_FUNC = 2;
export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;
const SYM_SIZE = 24;

export interface ElfSymbol {
  readonly name: string;
  /** st_value: a virtual address for defined symbols of executables and shared objects. */
  readonly value: number;
  readonly size: number;
  readonly type: number;
  readonly bind: number;
  readonly shndx: number;
}

/** Symbols of one table ('.symtab' or '.dynsym'); empty when the table is absent or has no bytes. */
export function readSymbolTable(elf: ElfFile, kind: 'symtab' | 'dynsym'): ElfSymbol[] {
  const wanted = kind === 'symtab' ? SHT_SYMTAB : SHT_DYNSYM;
  const table = elf.sections.find((s) => s.type === wanted);
  if (!table || table.type === SHT_NOBITS || table.size === 0) return [];
  return parseSymbols(elf, table);
}

export function hasSymtab(elf: ElfFile): boolean {
  return elf.sections.some((s) => s.type === SHT_SYMTAB && s.size > 0);
}

function parseSymbols(elf: ElfFile, table: SectionHeader): ElfSymbol[] {
  if ((table.flags & SHF_COMPRESSED) !== 0) {
    throw elf.fail(`symbol table ${table.name} is compressed (unsupported)`, table.offset);
  }
  const strSection = elf.sections[table.link];
  if (!strSection) throw elf.fail(`symbol table ${table.name} links to missing string table ${table.link}`, table.offset);
  const entsize = table.entsize || SYM_SIZE;
  if (entsize < SYM_SIZE) throw elf.fail(`symbol entry size ${entsize} < ${SYM_SIZE}`, table.offset);
  const bytes = elf.sectionBytes(table);
  const strings = elf.sectionBytes(strSection);
  const count = Math.floor(bytes.length / entsize);
  const out: ElfSymbol[] = [];
  for (let i = 1; i < count; i++) {
    const at = i * entsize;
    const nameOffset = bytes.u32(at);
    const info = bytes.u8(at + 4);
    const shndx = bytes.u16(at + 6);
    if (nameOffset >= strings.length) throw bytes.error(`symbol ${i} name offset ${nameOffset} past its string table`, at);
    out.push({
      name: nameOffset === 0 ? '' : strings.cstring(nameOffset),
      value: bytes.u64(at + 8, 'st_value'),
      size: bytes.u64(at + 16, 'st_size'),
      type: info & 0xf,
      bind: info >> 4,
      shndx,
    });
  }
  return out;
}

/** Defined functions only (SHN_UNDEF = 0 are imports). */
export function isDefinedFunction(sym: ElfSymbol): boolean {
  return sym.type === STT_FUNC && sym.shndx !== 0 && sym.name !== '';
}
