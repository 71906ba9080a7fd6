import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { openElf } from './elf/elf-file.js';
import { expandPathList, findNeededLibrary, readLdSoCache } from './library-search.js';
import { makeTempDir, pyenvVersion } from '../../test/support/probe-oracle.js';

test('ld.so.cache agrees with ldconfig -p', { skip: !fs.existsSync('/etc/ld.so.cache') }, () => {
  const cache = readLdSoCache();
  const oracle = execFileSync('ldconfig', ['-p'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^\s*(\S+) \(([^)]*)\) => (\S+)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && m[2].includes('x86-64'));
  assert.ok(oracle.length > 10);
  for (const m of oracle) assert.ok(cache.get(m[1])?.includes(m[3]), `${m[1]} => ${m[3]}`);
  assert.ok(cache.get('libc.so.6')?.some((p) => p.endsWith('/libc.so.6')));
});

test('a missing or foreign cache file is an empty cache, not an error', () => {
  assert.equal(readLdSoCache('/nonexistent/ld.so.cache').size, 0);
  assert.equal(readLdSoCache('/etc/hostname').size, 0);
});

test('$ORIGIN expands to the directory of the executable', () => {
  assert.deepEqual(expandPathList('$ORIGIN/../lib:${ORIGIN}/x::/abs', '/opt/py/bin'), ['/opt/py/bin/../lib', '/opt/py/bin/x', '.', '/abs']);
});

test('DT_RUNPATH finds pyenv libpython; LD_LIBRARY_PATH comes before it; missing libraries list where we looked', { skip: !pyenvVersion(12) }, () => {
  const v = pyenvVersion(12)!;
  const exe = openElf(fs.realpathSync(v.python));
  const name = path.basename(v.libpython);
  assert.equal(findNeededLibrary(exe, name, {}).found, fs.realpathSync(v.libpython));

  const dir = makeTempDir('ldpath');
  try {
    const copy = path.join(dir, name);
    fs.copyFileSync(v.libpython, copy);
    assert.equal(findNeededLibrary(exe, name, { LD_LIBRARY_PATH: dir }).found, copy);
    const missing = findNeededLibrary(exe, 'libnothere.so.1', { LD_LIBRARY_PATH: dir });
    assert.equal(missing.found, undefined);
    assert.equal(missing.looked[0], path.join(dir, 'libnothere.so.1'));
    assert.ok(missing.looked.includes('/usr/lib/x86_64-linux-gnu/libnothere.so.1'));
    // a 32-bit or foreign file with the right name is skipped like the loader does
    fs.writeFileSync(path.join(dir, 'libc.so.6'), 'not an elf');
    assert.notEqual(findNeededLibrary(exe, 'libc.so.6', { LD_LIBRARY_PATH: dir }).found, path.join(dir, 'libc.so.6'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
