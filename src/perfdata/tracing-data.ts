import { ByteView, hexBytes } from './byte-view.js';
import { parseTracepointFormat, type TracepointFormat } from './tracepoint-format.js';

const TRACING_MAGIC = [0x17, 0x08, 0x44, 0x74, 0x72, 0x61, 0x63, 0x69, 0x6e, 0x67]; // "\027\010Dtracing"
const MAX_VERSION_LENGTH = 16;

/**
 * Parses perf's tracing data (tools/perf/util/trace-event-read.c layout): magic, version,
 * endianness, long size, page size, header_page, header_event, ftrace formats, then the event
 * formats by system — which is all we keep — then kallsyms, printk formats and saved cmdlines
 * (walked only to check the size). Returns the formats by tracepoint id.
 */
export function parseTracingData(view: ByteView): Map<number, TracepointFormat> {
  for (let i = 0; i < TRACING_MAGIC.length; i++) {
    if (view.u8(i, 'tracing data magic') !== TRACING_MAGIC[i]) {
      view.fail(0, `expected the tracing data magic "\\027\\010Dtracing", found ${hexBytes(view.bytes, 0, 10)}`);
    }
  }
  let p = TRACING_MAGIC.length;
  const version = readString(view, p, MAX_VERSION_LENGTH, 'tracing data version');
  p += version.length + 1;
  const bigEndian = view.u8(p, 'endianness flag');
  if (bigEndian !== 0) view.fail(p, 'big-endian tracing data is not supported (recorded on a big-endian machine)');
  p += 2; // endianness, long size
  p += 4; // page size
  p = skipNamedBlock(view, p, 'header_page');
  p = skipNamedBlock(view, p, 'header_event');
  const ftraceCount = view.u32(p, 'ftrace format count');
  p += 4;
  for (let i = 0; i < ftraceCount; i++) p = skipSized64(view, p, 'ftrace format');

  const formats = new Map<number, TracepointFormat>();
  const systems = view.u32(p, 'event system count');
  p += 4;
  for (let s = 0; s < systems; s++) {
    const system = readString(view, p, 256, 'event system name');
    p += system.length + 1;
    const count = view.u32(p, `event count of system ${system}`);
    p += 4;
    for (let e = 0; e < count; e++) {
      const size = view.u64(p, 'event format size');
      const text = view.cstring(p + 8, size, `event format of system ${system}`);
      const format = parseTracepointFormat(system, text);
      if (format === undefined) view.fail(p + 8, `expected a tracepoint format with "name:" and "ID:" lines in system ${system}, found ${JSON.stringify(text.slice(0, 40))}`);
      formats.set(format.id, format);
      p += 8 + size;
    }
  }
  // kallsyms (u32 size), printk formats (u32 size), saved cmdlines (u64 size, version >= 0.6)
  p = skipSized32(view, p, 'kallsyms');
  p = skipSized32(view, p, 'ftrace printk formats');
  if (Number(version) >= 0.6 && p < view.length) skipSized64(view, p, 'saved cmdlines');
  return formats;
}

function readString(view: ByteView, offset: number, maxLength: number, field: string): string {
  const limit = Math.min(view.length, offset + maxLength);
  for (let i = offset; i < limit; i++) {
    if (view.bytes[i] === 0) return view.cstring(offset, i - offset + 1, field);
  }
  return view.fail(offset, `expected a NUL-terminated ${field} of at most ${maxLength} bytes, found ${hexBytes(view.bytes, offset, 16)}`);
}

function skipNamedBlock(view: ByteView, p: number, name: string): number {
  const found = readString(view, p, 32, `${name} block name`);
  if (found !== name) view.fail(p, `expected the "${name}" block, found ${JSON.stringify(found)}`);
  return skipSized64(view, p + name.length + 1, name);
}

function skipSized64(view: ByteView, p: number, field: string): number {
  const size = view.u64(p, `${field} size`);
  view.need(p + 8, size, field);
  return p + 8 + size;
}

function skipSized32(view: ByteView, p: number, field: string): number {
  const size = view.u32(p, `${field} size`);
  view.need(p + 4, size, field);
  return p + 4 + size;
}
