/**
 * ELF64 little-endian container: file header, program headers, section headers. Sections are
 * read on demand with positioned reads, so a 100 MB debug file costs only its symbol table.
 */
import * as fs from 'node:fs';
import { GiltraceError } from '../../base/errors.js';
import { ElfBytes } from './elf-bytes.js';

export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_NOTE = 4;
/** p_flags: the segment is executable. */
export const PF_X = 1;
export const SHT_SYMTAB = 2;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_DYNSYM = 11;
export const SHF_COMPRESSED = 0x800;
export const EM_X86_64 = 62;
export const ET_EXEC = 2;
export const ET_DYN = 3;

export interface ElfHeader {
  readonly type: number;
  readonly machine: number;
  readonly phoff: number;
  readonly shoff: number;
  readonly phnum: number;
  readonly shnum: number;
  readonly shstrndx: number;
}

export interface ProgramHeader {
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly vaddr: number;
  readonly filesz: number;
  readonly memsz: number;
}

export interface SectionHeader {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly addr: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly entsize: number;
}

export interface ElfFile {
  readonly path: string;
  readonly fileSize: number;
  readonly header: ElfHeader;
  readonly programHeaders: readonly ProgramHeader[];
  readonly sections: readonly SectionHeader[];
  /** Bytes of a file range (bounds-checked against the file size). */
  read(offset: number, length: number, what: string): ElfBytes;
  /** Contents of a section; NOBITS sections (e.g. everything in a debug-only file's code) have none. */
  sectionBytes(section: SectionHeader): ElfBytes;
  section(name: string): SectionHeader | undefined;
  /** A corrupt-structure error naming this file and an absolute byte offset. */
  fail(message: string, offset: number): GiltraceError;
}

const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;
/** Sanity limits: real files have tens of each; more means a corrupt count. */
const MAX_HEADERS = 65_535;

/** Quick check used when walking PATH / shebangs: is this file an ELF at all? */
export function isElfFile(path: string): boolean {
  const head = readHead(path, 4);
  return head.length === 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
}

/** The first `length` bytes of a file (fewer if it is shorter); empty when it cannot be read. */
export function readHead(path: string, length: number): Buffer {
  let fd: number | undefined;
  try {
    fd = fs.openSync(path, 'r');
    const buf = Buffer.alloc(length);
    const n = fs.readSync(fd, buf, 0, length, 0);
    return buf.subarray(0, n);
  } catch {
    return Buffer.alloc(0);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export function openElf(path: string): ElfFile {
  let fileSize: number;
  try {
    const st = fs.statSync(path);
    if (!st.isFile()) throw new GiltraceError('not a regular file', { file: path });
    fileSize = st.size;
  } catch (e) {
    if (e instanceof GiltraceError) throw e;
    throw new GiltraceError(`cannot read: ${(e as Error).message}`, { file: path });
  }
  const read = (offset: number, length: number, what: string): ElfBytes => readRange(path, fileSize, offset, length, what);

  const head = read(0, Math.min(EHDR_SIZE, fileSize), 'ELF header');
  if (head.length < 4 || head.u32(0) !== 0x464c457f) {
    throw new GiltraceError('not an ELF file (no \\x7fELF magic)', { file: path, offset: 0 });
  }
  if (head.length < EHDR_SIZE) throw head.error('file is shorter than an ELF64 header', head.length);
  const elfClass = head.u8(4);
  const data = head.u8(5);
  if (elfClass !== 2) throw new GiltraceError(`32-bit ELF (class ${elfClass}): giltrace reads 64-bit ELF only`, { file: path, offset: 4 });
  if (data !== 1) throw new GiltraceError('big-endian ELF: giltrace reads little-endian ELF only', { file: path, offset: 5 });

  const header: ElfHeader = {
    type: head.u16(16),
    machine: head.u16(18),
    phoff: head.u64(32, 'e_phoff'),
    shoff: head.u64(40, 'e_shoff'),
    phnum: head.u16(56),
    shnum: head.u16(60),
    shstrndx: head.u16(62),
  };
  const phentsize = head.u16(54);
  const shentsize = head.u16(58);
  if (header.phnum > 0 && phentsize < PHDR_SIZE) throw head.error(`e_phentsize ${phentsize} < ${PHDR_SIZE}`, 54);
  if (header.shnum > 0 && shentsize < SHDR_SIZE) throw head.error(`e_shentsize ${shentsize} < ${SHDR_SIZE}`, 58);

  const programHeaders = parseProgramHeaders(read, header, phentsize);
  const sections = parseSections(read, header, shentsize, path);
  const byName = new Map<string, SectionHeader>();
  for (const s of sections) if (!byName.has(s.name)) byName.set(s.name, s);

  return {
    path,
    fileSize,
    header,
    programHeaders,
    sections,
    read,
    sectionBytes(section) {
      if (section.type === SHT_NOBITS) return new ElfBytes(path, new Uint8Array(0), section.offset);
      return read(section.offset, section.size, `section ${section.name || section.index}`);
    },
    section: (name) => byName.get(name),
    fail: (message, offset) => new GiltraceError(`corrupt ELF: ${message}`, { file: path, offset }),
  };
}

function parseProgramHeaders(
  read: ElfFile['read'],
  header: ElfHeader,
  entsize: number,
): ProgramHeader[] {
  if (header.phnum === 0) return [];
  const table = read(header.phoff, header.phnum * entsize, 'program header table');
  const out: ProgramHeader[] = [];
  for (let i = 0; i < header.phnum; i++) {
    const at = i * entsize;
    out.push({
      type: table.u32(at),
      flags: table.u32(at + 4),
      offset: table.u64(at + 8, 'p_offset'),
      vaddr: table.u64(at + 16, 'p_vaddr'),
      filesz: table.u64(at + 32, 'p_filesz'),
      memsz: table.u64(at + 40, 'p_memsz'),
    });
  }
  return out;
}

function parseSections(read: ElfFile['read'], header: ElfHeader, entsize: number, path: string): SectionHeader[] {
  if (header.shoff === 0) return []; // sstrip'ed: no section headers, only segments
  let count = header.shnum;
  if (count === 0) {
    // More than 0xff00 sections: the real count lives in section 0's sh_size.
    count = read(header.shoff, SHDR_SIZE, 'section header 0').u64(32, 'sh_size of section 0');
  }
  if (count > MAX_HEADERS * 4) throw new GiltraceError(`section count ${count} is not believable`, { file: path, offset: 60 });
  const table = read(header.shoff, count * entsize, 'section header table');
  const raw = [];
  for (let i = 0; i < count; i++) {
    const at = i * entsize;
    raw.push({
      index: i,
      nameOffset: table.u32(at),
      type: table.u32(at + 4),
      flags: table.u64(at + 8, 'sh_flags'),
      addr: table.u64(at + 16, 'sh_addr'),
      offset: table.u64(at + 24, 'sh_offset'),
      size: table.u64(at + 32, 'sh_size'),
      link: table.u32(at + 40),
      entsize: table.u64(at + 56, 'sh_entsize'),
    });
  }
  let shstrndx = header.shstrndx;
  if (shstrndx === 0xffff) shstrndx = raw[0]?.link ?? 0; // SHN_XINDEX escape
  const strtab = raw[shstrndx];
  const names = strtab && strtab.type !== SHT_NOBITS && shstrndx !== 0
    ? read(strtab.offset, strtab.size, 'section name table')
    : undefined;
  return raw.map((s) => ({
    index: s.index,
    name: names && s.nameOffset < names.length ? names.cstring(s.nameOffset) : '',
    type: s.type,
    flags: s.flags,
    addr: s.addr,
    offset: s.offset,
    size: s.size,
    link: s.link,
    entsize: s.entsize,
  }));
}

function readRange(path: string, fileSize: number, offset: number, length: number, what: string): ElfBytes {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > fileSize) {
    throw new GiltraceError(`corrupt ELF: ${what} (${length} bytes) lies outside the ${fileSize}-byte file`, { file: path, offset });
  }
  const buf = Buffer.alloc(length);
  let fd: number | undefined;
  try {
    fd = fs.openSync(path, 'r');
    let done = 0;
    while (done < length) {
      const n = fs.readSync(fd, buf, done, length - done, offset + done);
      if (n === 0) throw new GiltraceError(`file shrank while reading ${what}`, { file: path, offset: offset + done });
      done += n;
    }
  } catch (e) {
    if (e instanceof GiltraceError) throw e;
    throw new GiltraceError(`cannot read ${what}: ${(e as Error).message}`, { file: path, offset });
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  return new ElfBytes(path, buf, offset);
}

/** File offset of a virtual address, through the PT_LOAD segment that maps it from the file. */
export function vaddrToFileOffset(programHeaders: readonly ProgramHeader[], vaddr: number): number | undefined {
  for (const ph of programHeaders) {
    if (ph.type === PT_LOAD && vaddr >= ph.vaddr && vaddr < ph.vaddr + ph.filesz) return vaddr - ph.vaddr + ph.offset;
  }
  return undefined;
}

/** Inverse of vaddrToFileOffset. */
export function fileOffsetToVaddr(programHeaders: readonly ProgramHeader[], fileOffset: number): number | undefined {
  for (const ph of programHeaders) {
    if (ph.type === PT_LOAD && fileOffset >= ph.offset && fileOffset < ph.offset + ph.filesz) return fileOffset - ph.offset + ph.vaddr;
  }
  return undefined;
}
