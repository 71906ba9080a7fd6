/**
 * What giltrace learns of an interpreter (python-target.ts) and which one a pyenv shim runs
 * (find-interpreter.ts) are kept on disk: the cache must be
 * used, and must be dropped the moment the interpreter file changes. Real interpreters (pyenv's
 * 3.11 and 3.12, whose executables find their libpython by an absolute RUNPATH, so a copy of one
 * still runs), copied into a scratch folder and swapped under the same path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { resolvePythonExecutable } from './python-target.js';
import { followToElf, pyenvVersionFile } from './find-interpreter.js';
import { pyenvVersion } from '../../test/support/probe-oracle.js';
import { withScratchCache } from '../../test/support/scratch-cache.js';

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
  withScratchCache('giltrace-target-cache-', (dir) => {
    const env = { PATH: '/usr/bin:/bin' };
    const python = join(dir, 'python3');
    copyFileSync(py311!.python, python);
    const first = resolvePythonExecutable(python, env);
    assert.equal(first.version, py311!.version);
    assert.equal(first.gilLibrary, py311!.libpython);

    // served from the cache: an entry marked by hand comes back as it is
    const { file, entries } = cacheEntries(join(dir, 'cache'));
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
    assert.equal(Object.keys(cacheEntries(join(dir, 'cache')).entries).length, 2);
  });
});

const shim = join(process.env.PYENV_ROOT || join(homedir(), '.pyenv'), 'shims', 'python3');

test("a pyenv shim's answer is kept while the version files are unchanged, and asked again once .python-version changes (needs pyenv 3.11 and 3.12)", { skip: skip || (!existsSync(shim) && 'no pyenv shims') }, () => {
  withScratchCache('giltrace-shim-cache-', (dir) => {
    // pyenv looks for .python-version from PYENV_DIR up: the project folder of this test
    const project = join(dir, 'project');
    mkdirSync(project);
    const env = { PATH: `${dirname(shim)}:/usr/bin:/bin`, HOME: process.env.HOME, PYENV_DIR: project };
    const cached = (): { file: string; entries: Record<string, { answer: string }> } => {
      const file = join(dir, 'cache', 'giltrace', 'pyenv-which-v2.json');
      return { file, entries: JSON.parse(readFileSync(file, 'utf8')) };
    };
    writeFileSync(join(project, '.python-version'), `${py311!.version}\n`);
    assert.equal(followToElf(shim, env), realpathSync(py311!.python));

    // served from the cache: an answer changed by hand comes back
    const { file, entries } = cached();
    const [key] = Object.keys(entries);
    entries[key].answer = py312!.python;
    writeFileSync(file, JSON.stringify(entries));
    assert.equal(followToElf(shim, env), realpathSync(py312!.python));

    // the project now asks for 3.12 (the file rewritten): pyenv is asked again
    writeFileSync(join(project, '.python-version'), `${py312!.version}\n`);
    assert.equal(followToElf(shim, env), realpathSync(py312!.python));
    assert.equal(cached().entries[key].answer, join(dirname(py312!.python), 'python3'));

    // a .python-version appearing closer to where pyenv starts wins over the one above it
    const sub = join(project, 'sub');
    mkdirSync(sub);
    followToElf(shim, { ...env, PYENV_DIR: sub });
    writeFileSync(join(sub, '.python-version'), `${py311!.version}\n`);
    assert.equal(followToElf(shim, { ...env, PYENV_DIR: sub }), realpathSync(py311!.python));
  });
});

test("a pyenv shim asked from another folder that takes its version from the same file is answered from what was kept (needs pyenv 3.11 and 3.12)", { skip: skip || (!existsSync(shim) && 'no pyenv shims') }, () => {
  withScratchCache('giltrace-shim-folders-', (dir) => {
    const project = join(dir, 'project');
    const sub = join(project, 'src', 'deeper');
    mkdirSync(sub, { recursive: true });
    const env = { PATH: `${dirname(shim)}:/usr/bin:/bin`, HOME: process.env.HOME, PYENV_DIR: project };
    writeFileSync(join(project, '.python-version'), `${py311!.version}\n`);
    assert.equal(pyenvVersionFile(join(process.env.HOME!, '.pyenv'), { ...env, PYENV_DIR: sub }), join(project, '.python-version'));
    assert.equal(followToElf(shim, env), realpathSync(py311!.python));
    // an answer changed by hand comes back from a folder below: the same version file, one entry
    const file = join(dir, 'cache', 'giltrace', 'pyenv-which-v2.json');
    const entries = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { answer: string }>;
    assert.equal(Object.keys(entries).length, 1);
    for (const entry of Object.values(entries)) entry.answer = py312!.python;
    writeFileSync(file, JSON.stringify(entries));
    assert.equal(followToElf(shim, { ...env, PYENV_DIR: sub }), realpathSync(py312!.python));
    // a version file of its own there: pyenv is asked for that folder
    writeFileSync(join(sub, '.python-version'), `${py311!.version}\n`);
    assert.equal(followToElf(shim, { ...env, PYENV_DIR: sub }), realpathSync(py311!.python));
  });
});
