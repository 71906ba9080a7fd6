import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePyStrBytes } from './python-str.js';

const L312 = { asciiData: 8, compactData: 24 };
const L311 = { asciiData: 16, compactData: 40 };

/** Bytes as the probe copies them: the state byte, then the text at the layout's place. */
function copy(state: number, at: number, text: Uint8Array, length = 64): Uint8Array {
  const bytes = new Uint8Array(length);
  bytes[0] = state;
  bytes.set(text.subarray(0, Math.max(0, length - at)), at);
  return bytes;
}
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const ucs = (s: string, width: 1 | 2 | 4) => {
  const points = [...s].map((c) => c.codePointAt(0)!);
  const out = new Uint8Array(points.length * width);
  const dv = new DataView(out.buffer);
  points.forEach((p, i) => (width === 1 ? dv.setUint8(i, p) : width === 2 ? dv.setUint16(2 * i, p, true) : dv.setUint32(4 * i, p, true)));
  return out;
};
// state bits: interned 2, kind << 2, compact 1 << 5, ascii 1 << 6
const state = (kind: number, isAscii: boolean) => (kind << 2) | (1 << 5) | (isAscii ? 1 << 6 : 0);

test('compact ASCII, Latin-1, UCS-2 and UCS-4 names, in both layouts', () => {
  for (const layout of [L312, L311]) {
    assert.equal(decodePyStrBytes(copy(state(1, true), layout.asciiData, ascii('Parser.feed')), layout), 'Parser.feed');
    assert.equal(decodePyStrBytes(copy(state(1, false), layout.compactData, ucs('café', 1)), layout), 'café');
    assert.equal(decodePyStrBytes(copy(state(2, false), layout.compactData, ucs('計算', 2)), layout), '計算');
    assert.equal(decodePyStrBytes(copy(state(4, false), layout.compactData, ucs('f𝔬o', 4)), layout), 'f𝔬o');
  }
});

test('text cut off by the end of the copy ends in …; nothing readable reads as empty', () => {
  assert.equal(decodePyStrBytes(copy(state(1, true), 8, ascii('x'.repeat(80))), L312), `${'x'.repeat(56)}…`);
  assert.equal(decodePyStrBytes(new Uint8Array(64), L312), '', 'a frame with nothing there');
  assert.equal(decodePyStrBytes(copy(state(1, true) & ~(1 << 5), 8, ascii('legacy')), L312), '', 'not compact');
  assert.equal(decodePyStrBytes(copy(state(3, false), 24, ascii('kind 3')), L312), '', 'no such kind');
  assert.equal(decodePyStrBytes(new Uint8Array(0), L312), '');
});
