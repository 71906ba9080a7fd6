import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { reachesAddress } from './call-scan.js';
import { readFunctionTable } from './symbolizer.js';
import { findDebugFile } from './debug-file.js';
import { openElf } from './elf-file.js';
import { pyenvVersion } from '../../../test/support/probe-oracle.js';

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
