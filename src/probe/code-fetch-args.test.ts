import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeFetchArgs, frameFetchArgs, frameLayoutFor } from './frame-layout.js';

test('3.11: the code addresses of three frames with their file pointers, the innermost one\'s name bytes and instruction, each a chain from the thread state', () => {
  const layout = frameLayoutFor({ major: 3, minor: 11 })!;
  assert.deepEqual(codeFetchArgs(layout, '%si', 3), [
    'co0=+32(+8(+56(%si))):u64',
    'cf0=+112(+32(+8(+56(%si)))):u64',
    'cn0=+48(+128(+32(+8(+56(%si))))):u64',
    'ip0=+56(+8(+56(%si))):u64',
    'co1=+32(+48(+8(+56(%si)))):u64',
    'cf1=+112(+32(+48(+8(+56(%si))))):u64',
    'co2=+32(+48(+48(+8(+56(%si))))):u64',
    'cf2=+112(+32(+48(+48(+8(+56(%si)))))):u64',
  ]);
});

test('3.8: frame objects, an instruction offset (s32)', () => {
  const layout = frameLayoutFor({ major: 3, minor: 8 })!;
  assert.deepEqual(codeFetchArgs(layout, '%di', 2), [
    'co0=+32(+24(%di)):u64',
    'cf0=+104(+32(+24(%di))):u64',
    'cn0=+48(+112(+32(+24(%di)))):u64',
    'ip0=+104(+24(%di)):s32',
    'co1=+32(+24(+24(%di))):u64',
    'cf1=+104(+32(+24(+24(%di)))):u64',
  ]);
});

test('every version reads at least as deep as names were read, each argument within the kernel\'s length limit', () => {
  for (let minor = 6; minor <= 13; minor++) {
    const layout = frameLayoutFor({ major: 3, minor })!;
    for (const tstate of ['%di', '@+0x656590']) {
      const args = codeFetchArgs(layout, tstate, 8);
      const codes = args.filter((a) => /^co\d/.test(a)).length;
      const names = frameFetchArgs(layout, tstate, 8).filter((a) => a.startsWith('fn')).length;
      assert.ok(codes >= Math.max(names, 5), `3.${minor}, ${tstate}: ${codes} frames (names: ${names})`);
      for (const arg of args) assert.ok(arg.slice(0, arg.lastIndexOf(':')).length <= 61, `3.${minor}: ${arg}`);
    }
  }
});
