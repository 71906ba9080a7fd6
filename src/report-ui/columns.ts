/** The report blob → typed arrays (layout: src/contract/report-data.ts). */
import type { BlobRef, EncodedInts, EncodedTimes } from '../contract/report-data.js';

/** base64 text → bytes, natively where the browser can (Uint8Array.fromBase64). */
function bytesOfBase64(text: string): Uint8Array {
  const native = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  if (native) return native(text.trim());
  const binary = atob(text.trim());
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Decompresses the blob element's text with the browser's own gzip (DecompressionStream). */
export async function readBlob(text: string, byteLength: number): Promise<ArrayBuffer> {
  if (typeof DecompressionStream === 'undefined') {
    throw new Error('this browser cannot decompress the report data (no DecompressionStream): open it in Chrome 80+, Firefox 113+ or Safari 16.4+');
  }
  const compressed = bytesOfBase64(text);
  const stream = new Blob([compressed as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
  const buffer = await new Response(stream).arrayBuffer();
  if (buffer.byteLength !== byteLength) throw new Error(`report data is damaged: ${buffer.byteLength} bytes instead of ${byteLength}`);
  return buffer;
}

function view(buffer: ArrayBuffer, ref: BlobRef): Uint8Array {
  if (ref.offset + ref.byteLength > buffer.byteLength) throw new Error('report data is damaged: a column lies outside the blob');
  return new Uint8Array(buffer, ref.offset, ref.byteLength);
}

export function decodeTimes(buffer: ArrayBuffer, column: EncodedTimes): Float64Array {
  const bytes = view(buffer, column.data);
  if (column.enc === 'f64') return new Float64Array(buffer, column.data.offset, column.length);
  const times = new Float64Array(column.length);
  if (column.length === 0) return times;
  // hot path: LEB128 deltas; the running sum stays an exact integer below 2^53.
  let t = column.first;
  times[0] = t;
  let at = 0;
  for (let i = 1; i < column.length; i++) {
    let delta = 0;
    let scale = 1;
    let byte: number;
    do {
      byte = bytes[at++];
      delta += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80);
    times[i] = t += delta;
  }
  return times;
}

export function decodeInts(buffer: ArrayBuffer, column: EncodedInts): Uint8Array | Uint16Array | Int32Array {
  view(buffer, column.data);
  switch (column.enc) {
    case 'u8':
      return new Uint8Array(buffer, column.data.offset, column.length);
    case 'u16':
      return new Uint16Array(buffer, column.data.offset, column.length);
    case 'i32':
      return new Int32Array(buffer, column.data.offset, column.length);
  }
}
