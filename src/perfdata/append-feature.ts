/**
 * Adds (or replaces) one header feature section of a finished file-form perf.data, in place.
 * Feature sections follow the data: a table of {offset, size} per set bit of the header's feature
 * bitmap, in bit order, then their contents. Only that tail is rewritten (perf keeps it small:
 * kilobytes, whatever the size of the data), so this is cheap even for a multi-GB recording.
 */
import * as fs from 'node:fs';
import { GiltraceError } from '../base/errors.js';
import { ByteView } from './byte-view.js';
import { FILE_HEADER_SIZE, MAGIC_HI, MAGIC_LO } from './constants.js';

const BITMAP_AT = 72;
const FEATURE_BITS = 256;
/** The tail is read into memory: refuse anything implausible rather than allocate it. */
const MAX_TAIL = 256 << 20;

export function appendFeatureSection(path: string, feature: number, content: Uint8Array): void {
  if (!Number.isInteger(feature) || feature < 1 || feature >= FEATURE_BITS) throw new RangeError(`feature bit ${feature} out of range`);
  const fd = openForUpdate(path);
  try {
    const size = fs.fstatSync(fd).size;
    const header = new ByteView(readAt(fd, 0, FILE_HEADER_SIZE, size, path), path, 0, 'perf.data header');
    if (header.dv.getUint32(0, true) !== MAGIC_LO || header.dv.getUint32(4, true) !== MAGIC_HI || header.u64(8, 'header size') !== FILE_HEADER_SIZE) {
      header.fail(0, 'not a file-form perf.data (a pipe-form recording has no feature sections)');
    }
    const dataOffset = header.u64(40, 'data offset');
    const dataSize = header.u64(48, 'data size');
    if (dataSize === 0) header.fail(48, 'the recording was not finished (data size 0): perf did not write its feature sections');
    const tableAt = dataOffset + dataSize;
    if (tableAt > size || size - tableAt > MAX_TAIL) header.fail(48, `feature sections at ${tableAt} do not fit a ${size}-byte file`);

    const bitmap = readAt(fd, BITMAP_AT, FEATURE_BITS / 8, size, path);
    const bits = setBits(bitmap);
    const sections = new Map<number, Uint8Array>();
    if (bits.length > 0) {
      const table = new ByteView(readAt(fd, tableAt, 16 * bits.length, size, path), path, tableAt, 'feature section table');
      bits.forEach((bit, i) => {
        const offset = table.u64(16 * i, 'feature offset');
        const length = table.u64(16 * i + 8, 'feature size');
        sections.set(bit, readAt(fd, offset, length, size, path));
      });
    }
    sections.set(feature, content);
    bitmap[feature >> 3] |= 1 << (feature & 7);

    const order = [...sections.keys()].sort((a, b) => a - b);
    const tail = Buffer.alloc(16 * order.length + order.reduce((n, bit) => n + sections.get(bit)!.length, 0));
    let at = 16 * order.length;
    order.forEach((bit, i) => {
      const body = sections.get(bit)!;
      tail.writeBigUInt64LE(BigInt(tableAt + at), 16 * i);
      tail.writeBigUInt64LE(BigInt(body.length), 16 * i + 8);
      tail.set(body, at);
      at += body.length;
    });
    writeAt(fd, tail, tableAt);
    fs.ftruncateSync(fd, tableAt + tail.length);
    writeAt(fd, bitmap, BITMAP_AT);
  } finally {
    fs.closeSync(fd);
  }
}

function openForUpdate(path: string): number {
  try {
    return fs.openSync(path, 'r+');
  } catch (e) {
    throw new GiltraceError(`cannot open for update: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: path });
  }
}

function setBits(bitmap: Uint8Array): number[] {
  const bits: number[] = [];
  for (let bit = 0; bit < FEATURE_BITS; bit++) if (bitmap[bit >> 3] & (1 << (bit & 7))) bits.push(bit);
  return bits;
}

function readAt(fd: number, offset: number, length: number, fileSize: number, path: string): Uint8Array {
  if (offset + length > fileSize) {
    throw new GiltraceError(`expected ${length} bytes at this offset, but the file ends at ${fileSize}`, { file: path, offset });
  }
  const bytes = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, bytes, got, length - got, offset + got);
    if (n === 0) throw new GiltraceError(`expected ${length} bytes, read ${got}`, { file: path, offset });
    got += n;
  }
  return bytes;
}

function writeAt(fd: number, bytes: Uint8Array, offset: number): void {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, offset + done);
}
