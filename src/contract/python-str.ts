/**
 * A CPython str read from the raw bytes a probe (or the sampler) copied of it, from its `state` bit field on:
 * interned (2 bits), kind (3: 1 = Latin-1, 2 = UCS-2, 4 = UCS-4), compact (1), ascii (1). A
 * compact ASCII str keeps its characters at `asciiData`, a compact non-ASCII one at
 * `compactData`, NUL-terminated in its kind's width. Text cut off by the end of the copy ends in
 * `…`; anything else (a non-compact str, a frame with nothing there) reads as ''.
 */
import type { NameBytesLayout } from './recording-manifest.js';

const KIND_SHIFT = 2;
const COMPACT = 1 << 5;
const ASCII = 1 << 6;
const TRUNCATED = '…';

export function decodePyStrBytes(bytes: Uint8Array, layout: NameBytesLayout): string {
  if (bytes.length === 0) return '';
  const state = bytes[0];
  if ((state & COMPACT) === 0) return '';
  if (state & ASCII) return units(bytes, layout.asciiData, 1);
  const kind = (state >> KIND_SHIFT) & 7;
  return kind === 1 || kind === 2 || kind === 4 ? units(bytes, layout.compactData, kind) : '';
}

/** Code points of `width` bytes each (little-endian) from `from` up to a NUL, or the end (then `…`). */
function units(bytes: Uint8Array, from: number, width: 1 | 2 | 4): string {
  const points: number[] = [];
  for (let i = from; i + width <= bytes.length; i += width) {
    let point = bytes[i];
    if (width >= 2) point |= bytes[i + 1] << 8;
    if (width === 4) point = (point | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) >>> 0;
    if (point === 0) return String.fromCodePoint(...points);
    if (point > 0x10ffff) return '';
    points.push(point);
  }
  return points.length > 0 ? String.fromCodePoint(...points) + TRUNCATED : '';
}
