/** GNU build-id note and .gnu_debuglink: the two ways to find a stripped file's debug symbols. */
import { PT_NOTE, SHT_NOBITS, SHT_NOTE, type ElfFile } from './elf-file.js';
import type { ElfBytes } from './elf-bytes.js';

const NT_GNU_BUILD_ID = 3;

/** Lower-case hex build-id, or undefined when the file has none. */
export function readBuildId(elf: ElfFile): string | undefined {
  const areas: ElfBytes[] = [];
  for (const s of elf.sections) if (s.type === SHT_NOTE && s.size > 0) areas.push(elf.sectionBytes(s));
  if (areas.length === 0) {
    for (const p of elf.programHeaders) if (p.type === PT_NOTE && p.filesz > 0) areas.push(elf.read(p.offset, p.filesz, 'note segment'));
  }
  for (const area of areas) {
    const id = findBuildId(area);
    if (id !== undefined) return id;
  }
  return undefined;
}

function findBuildId(notes: ElfBytes): string | undefined {
  let at = 0;
  while (at + 12 <= notes.length) {
    const namesz = notes.u32(at);
    const descsz = notes.u32(at + 4);
    const type = notes.u32(at + 8);
    const nameAt = at + 12;
    const descAt = nameAt + align4(namesz);
    const next = descAt + align4(descsz);
    if (next > notes.length) throw notes.error(`note of ${namesz}+${descsz} bytes overruns its section`, at);
    if (type === NT_GNU_BUILD_ID && namesz === 4 && notes.cstring(nameAt) === 'GNU' && descsz > 0) {
      return Buffer.from(notes.sub(descAt, descsz).bytes).toString('hex');
    }
    at = next;
  }
  return undefined;
}

export interface DebugLink {
  readonly file: string;
  readonly crc: number;
}

export function readDebugLink(elf: ElfFile): DebugLink | undefined {
  const section = elf.section('.gnu_debuglink');
  if (!section || section.type === SHT_NOBITS || section.size === 0) return undefined;
  const bytes = elf.sectionBytes(section);
  const file = bytes.cstring(0);
  const crcAt = align4(file.length + 1);
  if (file === '' || file.includes('/')) throw bytes.error(`debuglink names '${file}', not a plain file name`, 0);
  return { file, crc: bytes.u32(crcAt) };
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
