import * as fs from 'node:fs';
import { GiltraceError } from '../base/errors.js';
import { parseAttr, type PerfAttr } from './attr.js';
import { ByteView, hexBytes } from './byte-view.js';
import { Feature, FILE_HEADER_SIZE, MAGIC_HI, MAGIC_LO, PIPE_HEADER_SIZE } from './constants.js';
import { parseFeature, type EventDesc, type MutableFeatures } from './features.js';
import { parseTracingData } from './tracing-data.js';
import type { TracepointFormat } from './tracepoint-format.js';

/** Largest header-side block (attr ids, one feature) we are willing to read into memory. */
const MAX_BLOCK = 256 << 20;

export type HeaderForm = 'file' | 'pipe';

/** Checks the 16 bytes every perf.data starts with; returns the form they announce. */
export function parseMagic(first: Uint8Array, path: string): HeaderForm {
  const view = new ByteView(first, path, 0, 'perf.data header');
  if (first.length < PIPE_HEADER_SIZE) {
    view.fail(first.length, `expected a ${PIPE_HEADER_SIZE}-byte perf.data header, found ${first.length} bytes (empty or truncated file)`);
  }
  const lo = view.dv.getUint32(0, true);
  const hi = view.dv.getUint32(4, true);
  if (lo !== MAGIC_LO || hi !== MAGIC_HI) {
    const text = new TextDecoder('latin1').decode(first.subarray(0, 8));
    if (text === '2ELIFREP') view.fail(0, 'big-endian perf.data (recorded on a big-endian machine) is not supported');
    if (text === 'PERFFILE') view.fail(0, 'this is a version 1 perf.data ("PERFFILE"); only version 2 ("PERFILE2") is supported');
    view.fail(0, `not a perf.data file: expected magic "PERFILE2", found ${hexBytes(first, 0, 8)}`);
  }
  const size = view.u64(8, 'header size');
  if (size === PIPE_HEADER_SIZE) return 'pipe';
  if (size >= FILE_HEADER_SIZE) return 'file';
  return view.fail(8, `expected header size ${FILE_HEADER_SIZE} (file) or ${PIPE_HEADER_SIZE} (pipe), found ${size}`);
}

export interface FileHeader {
  readonly attrs: PerfAttr[];
  readonly dataOffset: number;
  readonly dataSize: number;
  readonly formats: Map<number, TracepointFormat>;
  readonly eventDescs: EventDesc[];
  readonly unknownFeatures: number;
}

/** Reads header, attrs (with their ids) and feature sections of a file-mode perf.data. */
export function readFileHeader(fd: number, path: string, fileSize: number, features: MutableFeatures): FileHeader {
  const read = (offset: number, length: number, what: string): ByteView => {
    if (length > MAX_BLOCK) throw new GiltraceError(`${what}: size ${length} is implausibly large`, { file: path, offset });
    if (offset + length > fileSize) {
      throw new GiltraceError(`${what}: expected ${length} bytes at this offset, but the file ends at ${fileSize} (truncated file?)`, { file: path, offset });
    }
    const bytes = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const n = fs.readSync(fd, bytes, got, length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    if (got < length) throw new GiltraceError(`${what}: expected ${length} bytes, read ${got}`, { file: path, offset });
    return new ByteView(bytes, path, offset, what);
  };
  const h = read(0, FILE_HEADER_SIZE, 'perf.data header');
  const attrSize = h.u64(16, 'attr_size');
  const attrsOff = h.u64(24, 'attrs offset');
  const attrsSize = h.u64(32, 'attrs size');
  const dataOffset = h.u64(40, 'data offset');
  let dataSize = h.u64(48, 'data size');
  if (attrSize < 64 + 16) h.fail(16, `expected attr_size >= 80 (perf_event_attr + ids section), found ${attrSize}`);
  if (attrsSize % attrSize !== 0) h.fail(32, `attrs size ${attrsSize} is not a multiple of attr_size ${attrSize}`);
  if (dataOffset < FILE_HEADER_SIZE || dataOffset > fileSize) h.fail(40, `data offset ${dataOffset} lies outside the file (${fileSize} bytes)`);
  // perf record killed before it rewrote the header: the data runs to the end, no features follow
  const unfinished = dataSize === 0;
  if (unfinished) {
    dataSize = fileSize - dataOffset;
    features.unfinished = true;
  }
  if (dataOffset + dataSize > fileSize) {
    h.fail(48, `data section [${dataOffset}, ${dataOffset + dataSize}) runs past the end of the file (${fileSize} bytes; truncated file?)`);
  }

  const attrs: PerfAttr[] = [];
  const av = read(attrsOff, attrsSize, 'attrs section');
  for (let p = 0; p < attrsSize; p += attrSize) {
    const idsOff = av.u64(p + attrSize - 16, 'attr ids offset');
    const idsSize = av.u64(p + attrSize - 8, 'attr ids size');
    const iv = read(idsOff, idsSize, 'attr ids');
    const ids: number[] = [];
    for (let q = 0; q + 8 <= idsSize; q += 8) ids.push(iv.u64(q, 'attr id'));
    attrs.push(parseAttr(av, p, attrSize - 16, ids));
  }
  if (attrs.length === 0) h.fail(24, 'the recording has no events (attrs section is empty)');

  // feature sections: one {offset, size} per set bit, in bit order, right after the data
  const bits: number[] = [];
  for (let word = 0; word < 8; word++) {
    const v = h.u32(72 + 4 * word, 'feature bitmap');
    for (let b = 0; b < 32; b++) if (v & (1 << b)) bits.push(word * 32 + b);
  }
  const formats = new Map<number, TracepointFormat>();
  const eventDescs: EventDesc[] = [];
  let unknownFeatures = 0;
  if (bits.length > 0 && !unfinished) {
    const secOff = dataOffset + dataSize;
    const sv = read(secOff, 16 * bits.length, 'feature section table');
    for (let i = 0; i < bits.length; i++) {
      const off = sv.u64(16 * i, 'feature offset');
      const size = sv.u64(16 * i + 8, 'feature size');
      const id = bits[i];
      if (id === Feature.TRACING_DATA) {
        for (const [k, v] of parseTracingData(read(off, size, 'tracing data'))) formats.set(k, v);
        features.present.push(id);
      } else if (id === Feature.BUILD_ID) {
        features.present.push(id);
      } else if (!parseFeature(id, read(off, size, `header feature ${id}`), features, eventDescs)) {
        unknownFeatures++;
      }
    }
  }
  return { attrs, dataOffset, dataSize, formats, eventDescs, unknownFeatures };
}
