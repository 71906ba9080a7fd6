/**
 * Section contents, decompressed when SHF_COMPRESSED (debug files ship .debug_* compressed):
 * an Elf64_Chdr {ch_type u32, reserved u32, ch_size u64, ch_addralign u64}, then zlib or zstd data.
 */
import * as zlib from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { SHF_COMPRESSED, type ElfFile, type SectionHeader } from './elf-file.js';

const ELFCOMPRESS_ZLIB = 1;
const ELFCOMPRESS_ZSTD = 2;
const CHDR_SIZE = 24;
/** Larger claims are corruption, not debug info. */
const MAX_UNCOMPRESSED = 2 ** 31;

export function sectionData(elf: ElfFile, section: SectionHeader): Uint8Array {
  const raw = elf.sectionBytes(section);
  if ((section.flags & SHF_COMPRESSED) === 0) return raw.bytes;
  const type = raw.u32(0);
  const size = raw.u64(8, 'ch_size');
  if (size > MAX_UNCOMPRESSED) throw raw.error(`compressed section ${section.name} claims ${size} bytes`, 8);
  const body = raw.bytes.subarray(CHDR_SIZE);
  let out: Uint8Array;
  try {
    if (type === ELFCOMPRESS_ZLIB) out = zlib.inflateSync(body, { maxOutputLength: Math.max(size, 1) });
    else if (type === ELFCOMPRESS_ZSTD) out = zstdDecompress(body);
    else throw raw.error(`section ${section.name} uses unknown compression ${type}`, 0);
  } catch (e) {
    if ((e as Error).name === 'GiltraceError') throw e;
    throw raw.error(`section ${section.name} does not decompress: ${(e as Error).message}`, CHDR_SIZE);
  }
  if (out.length !== size) throw raw.error(`section ${section.name} decompressed to ${out.length} bytes, header says ${size}`, 8);
  return out;
}
