import { test } from 'node:test';
import assert from 'node:assert/strict';
import { branchTargets, endsWithCall } from './x86-calls.js';

test('rel32 call, jmp and jcc targets are computed from the end of each instruction', () => {
  const code = Uint8Array.from([
    0xe8, 0x10, 0x00, 0x00, 0x00, // call +0x10        at 0x1000 -> 0x1015
    0xe9, 0xf6, 0xff, 0xff, 0xff, // jmp -0xa          at 0x1005 -> 0x1000
    0x0f, 0x85, 0x00, 0x01, 0x00, 0x00, // jne +0x100  at 0x100a -> 0x1110
    0x90,
  ]);
  const targets = branchTargets(code, 0x1000);
  for (const t of [0x1015, 0x1000, 0x1110]) assert.ok(targets.includes(t), t.toString(16));
  assert.deepEqual(branchTargets(Uint8Array.from([0xe8, 1, 2]), 0), [], 'a truncated encoding is no target');
});

test('a return address follows a call rel32 or a call r/m64 of 2 to 7 bytes, and nothing else', () => {
  const before = (...tail: number[]) => Uint8Array.from([...new Array(7 - tail.length).fill(0x90), ...tail]);
  assert.equal(endsWithCall(before(0xe8, 0x10, 0x00, 0x00, 0x00)), true, 'call rel32');
  assert.equal(endsWithCall(before(0xff, 0xd0)), true, 'call rax');
  assert.equal(endsWithCall(before(0x41, 0xff, 0xd3)), true, 'call r11 (REX prefix)');
  assert.equal(endsWithCall(before(0xff, 0x50, 0x08)), true, 'call [rax+8]');
  assert.equal(endsWithCall(before(0xff, 0x15, 0x00, 0x10, 0x00, 0x00)), true, 'call [rip+disp32]');
  assert.equal(endsWithCall(before(0xff, 0x94, 0x24, 0x00, 0x01, 0x00, 0x00)), true, 'call [rsp+disp32] (SIB)');
  assert.equal(endsWithCall(before(0xe9, 0x10, 0x00, 0x00, 0x00)), false, 'jmp rel32 is no call');
  assert.equal(endsWithCall(before(0xff, 0xe0)), false, 'jmp rax (FF /4) is no call');
  assert.equal(endsWithCall(before(0x90, 0x90)), false, 'nops');
  assert.throws(() => endsWithCall(Uint8Array.from([0xe8])), RangeError);
});
