/**
 * The dynamic section, read the way the loader reads it: through PT_DYNAMIC and DT_STRTAB
 * (a virtual address), so it works on files without section headers too.
 */
import { PT_DYNAMIC, vaddrToFileOffset, type ElfFile } from './elf-file.js';

const DT_NULL = 0n;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;
const DT_SONAME = 14n;
const DT_RPATH = 15n;
const DT_STRSZ = 10n;
const DT_RUNPATH = 29n;
const DYN_SIZE = 16;

export interface DynamicInfo {
  readonly needed: readonly string[];
  readonly soname: string | undefined;
  /** Colon-separated lists, unexpanded ($ORIGIN stays as written). */
  readonly rpath: string | undefined;
  readonly runpath: string | undefined;
}

export function readDynamic(elf: ElfFile): DynamicInfo {
  const empty: DynamicInfo = { needed: [], soname: undefined, rpath: undefined, runpath: undefined };
  const ph = elf.programHeaders.find((p) => p.type === PT_DYNAMIC);
  if (!ph || ph.filesz === 0) return empty; // static executable
  const table = elf.read(ph.offset, ph.filesz, 'dynamic segment');
  const entries: Array<{ tag: bigint; value: number; at: number }> = [];
  for (let at = 0; at + DYN_SIZE <= table.length; at += DYN_SIZE) {
    const tag = table.i64(at);
    if (tag === DT_NULL) break;
    // Only string offsets and addresses are used below; other tags may hold anything.
    const isUsed = tag === DT_NEEDED || tag === DT_STRTAB || tag === DT_STRSZ || tag === DT_SONAME || tag === DT_RPATH || tag === DT_RUNPATH;
    if (isUsed) entries.push({ tag, value: table.u64(at + 8, 'd_val'), at });
  }
  const strtabEntry = entries.find((e) => e.tag === DT_STRTAB);
  if (!strtabEntry) {
    if (entries.some((e) => e.tag !== DT_STRSZ)) throw table.error('dynamic section has strings but no DT_STRTAB', 0);
    return empty;
  }
  const strtabOffset = vaddrToFileOffset(elf.programHeaders, strtabEntry.value);
  if (strtabOffset === undefined) throw table.error(`DT_STRTAB 0x${strtabEntry.value.toString(16)} is not inside any PT_LOAD segment`, strtabEntry.at);
  const strsz = entries.find((e) => e.tag === DT_STRSZ)?.value ?? Math.min(elf.fileSize - strtabOffset, 1 << 20);
  const strings = elf.read(strtabOffset, Math.min(strsz, elf.fileSize - strtabOffset), 'dynamic string table');
  const str = (e: { value: number; at: number }): string => {
    if (e.value >= strings.length) throw table.error(`dynamic string offset ${e.value} past DT_STRSZ ${strings.length}`, e.at);
    return strings.cstring(e.value);
  };
  const one = (tag: bigint): string | undefined => {
    const e = entries.find((x) => x.tag === tag);
    return e ? str(e) : undefined;
  };
  return {
    needed: entries.filter((e) => e.tag === DT_NEEDED).map(str),
    soname: one(DT_SONAME),
    rpath: one(DT_RPATH),
    runpath: one(DT_RUNPATH),
  };
}
