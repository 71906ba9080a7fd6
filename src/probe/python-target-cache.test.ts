/**
 * What giltrace learns of an interpreter is kept on disk (python-target.ts): the cache must be
 * used, and must be dropped the moment the interpreter file changes. Real interpreters (pyenv's
 * 3.11 and 3.12, whose executables find their libpython by an absolute RUNPATH, so a copy of one
 * still runs), copied into a scratch folder and swapped under the same path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvePythonExecutable } from './python-target.js';
import { pyenvVersion } from '../../test/support/probe-oracle.js';

const py311 = pyenvVersion(11);
const py312 = pyenvVersion(12);
const skip = !py311 || !py312 ? "needs pyenv's Python 3.11 and 3.12 ($HOME/.pyenv/versions)" : false;

/** The one cache file of resolved interpreters, and its entries. */
function cacheEntries(cacheHome: string): { file: string; entries: Record<string, { answer: { version: string } }> } {
  const dir = join(cacheHome, 'giltrace');
  const name = readdirSync(dir).find((f) => f.startsWith('python-target-'));
  assert.ok(name, `a python-target cache in ${dir}: ${readdirSync(dir).join(', ')}`);
  const file = join(dir, name);
  return { file, entries: JSON.parse(readFileSync(file, 'utf8')) };
}

test('an interpreter is described from the cache while its file is unchanged, and afresh once it changes (needs pyenv 3.11 and 3.12)', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'giltrace-target-cache-'));
  const saved = { xdg: process.env.XDG_CACHE_HOME, off: process.env.GILTRACE_NO_CACHE };
  process.env.XDG_CACHE_HOME = join(dir, 'cache');
  delete process.env.GILTRACE_NO_CACHE;
  const env = { PATH: '/usr/bin:/bin' };
  try {
    const python = join(dir, 'python3');
    copyFileSync(py311!.python, python);
    const first = resolvePythonExecutable(python, env);
    assert.equal(first.version, py311!.version);
    assert.equal(first.gilLibrary, py311!.libpython);

    // served from the cache: an entry marked by hand comes back as it is
    const { file, entries } = cacheEntries(process.env.XDG_CACHE_HOME);
    const keys = Object.keys(entries);
    assert.equal(keys.length, 1);
    entries[keys[0]].answer.version = '3.11.99-from-the-cache';
    writeFileSync(file, JSON.stringify(entries));
    assert.equal(resolvePythonExecutable(python, env).version, '3.11.99-from-the-cache');
    // ... and equal to what asking gives, thread-state locations (undefined, null in JSON) included
    entries[keys[0]].answer.version = first.version;
    writeFileSync(file, JSON.stringify(entries));
    assert.deepEqual(resolvePythonExecutable(python, env), first);

    // the file is overwritten in place (same inode) by another interpreter: asked again
    copyFileSync(py312!.python, python);
    const second = resolvePythonExecutable(python, env);
    assert.equal(second.version, py312!.version);
    assert.equal(second.gilLibrary, py312!.libpython);
    assert.notDeepEqual(second.takeGil, first.takeGil);

    // replaced by rename (a new inode, as package managers do): asked again
    copyFileSync(py311!.python, join(dir, 'python3.new'));
    renameSync(join(dir, 'python3.new'), python);
    assert.equal(resolvePythonExecutable(python, env).version, py311!.version);

    // what steers the loader or the GIL is part of the key: another entry, not a stale one
    resolvePythonExecutable(python, { ...env, LD_LIBRARY_PATH: dir });
    assert.equal(Object.keys(cacheEntries(process.env.XDG_CACHE_HOME).entries).length, 2);
  } finally {
    for (const [name, value] of [['XDG_CACHE_HOME', saved.xdg], ['GILTRACE_NO_CACHE', saved.off]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
