import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { branchTargets, reachesAddress } from './call-scan.js';
import { readFunctionTable } from './symbolizer.js';
import { findDebugFile } from './debug-file.js';
import { openElf } from './elf-file.js';
import { pyenvVersion } from '../../../test/support/probe-oracle.js';

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

test('PyEval_SaveThread reaches drop_gil in a pyenv build, not in Debian\'s LTO build (inlined there)', () => {
  const v = pyenvVersion(12);
  if (v) {
    const table = readFunctionTable(v.libpython);
    const drop = table.functions.find((f) => f.name === 'drop_gil')!;
    assert.equal(reachesAddress(table, table.functions.find((f) => f.name === 'PyEval_SaveThread')!, new Set([drop.vaddr])), true);
  }
  if (fs.existsSync('/usr/bin/python3.11') && findDebugFile(openElf('/usr/bin/python3.11')).found) {
    const table = readFunctionTable('/usr/bin/python3.11');
    const drop = table.functions.find((f) => f.name === 'drop_gil.lto_priv.0')!;
    const fn = (name: string) => table.functions.find((f) => f.name === name)!;
    assert.equal(reachesAddress(table, fn('PyEval_SaveThread'), new Set([drop.vaddr])), false);
    assert.equal(reachesAddress(table, fn('PyEval_ReleaseThread'), new Set([drop.vaddr])), true, 'this one still calls it');
  }
});
