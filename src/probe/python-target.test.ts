import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { GiltraceError } from '../base/errors.js';
import { resolvePythonExecutable, resolvePythonTarget, type PythonTarget } from './python-target.js';
import { readFunctionTable } from './elf/symbolizer.js';
import { findGilSites } from './gil-sites.js';
import { openElf } from './elf/elf-file.js';
import { findDebugFile } from './elf/debug-file.js';
import { hasReadelf, makeTempDir, oracleFileOffset, pyenvVersion, pyenvVersions, PYENV_ROOT, readelfLoads, readelfSymbols } from '../../test/support/probe-oracle.js';

const versions = pyenvVersions();
const py312 = pyenvVersion(12);
const BASE_PATH = '/usr/local/bin:/usr/bin:/bin';

function isGiltraceError(pattern: RegExp): (e: unknown) => boolean {
  return (e) => e instanceof GiltraceError && pattern.test(e.message);
}

function oracleSites(lib: string, fn: 'take_gil' | 'drop_gil'): Array<{ symbol: string; fileOffset: number }> {
  const loads = readelfLoads(lib);
  return readelfSymbols(lib)
    .filter((s) => s.type === 'FUNC' && (s.name === fn || s.name.startsWith(`${fn}.`)) && !s.name.includes('cold'))
    .map((s) => ({ symbol: s.name, fileOffset: oracleFileOffset(loads, s.value) as number }))
    .sort((a, b) => a.fileOffset - b.fileOffset);
}

test('every pyenv version: version, libpython and probe sites equal the readelf oracle', { skip: versions.length === 0 || !hasReadelf() }, () => {
  for (const v of versions) {
    const t = resolvePythonExecutable(v.python, { PATH: BASE_PATH });
    assert.equal(t.executable, fs.realpathSync(v.python));
    assert.equal(t.version, v.version);
    assert.equal(t.major, 3);
    assert.equal(t.minor, v.minor);
    assert.equal(t.freeThreaded, false);
    assert.equal(t.gilLibrary, fs.realpathSync(v.libpython));
    assert.equal(t.symbolSource, t.gilLibrary);
    const strip = (sites: PythonTarget['takeGil']): Array<{ symbol: string; fileOffset: number }> => sites.map((s) => ({ symbol: s.symbol, fileOffset: s.fileOffset }));
    assert.deepEqual(strip(t.takeGil), oracleSites(v.libpython, 'take_gil'), `${v.version} take_gil`);
    assert.deepEqual(strip(t.dropGil.filter((s) => s.inlinedInto === undefined)), oracleSites(v.libpython, 'drop_gil'), `${v.version} drop_gil`);
    // inlined copies (from DWARF): pyenv's 3.13 inlines drop_gil into PyEval_ReleaseLock, no other pyenv build does
    const inlined = t.dropGil.filter((s) => s.inlinedInto !== undefined).map((s) => `${s.symbol} in ${s.inlinedInto}`);
    assert.deepEqual(inlined, v.version === '3.13.0' ? ['drop_gil in PyEval_ReleaseLock'] : [], `${v.version} inlined drop_gil`);
    // tstate->interp at +16 is only used where verified: 3.12+ with an unmodified take_gil(tstate)
    assert.equal(t.interpArg, v.minor >= 12 ? 'interp=+16(%di):x64' : undefined, `${v.version} interpArg`);
  }
  const v38 = versions.find((v) => v.minor === 8);
  if (v38) {
    const t = resolvePythonExecutable(v38.python, { PATH: BASE_PATH });
    assert.deepEqual(t.takeGil.map((s) => s.symbol), ['take_gil', 'take_gil.constprop.0'], '3.8 has a constprop clone');
  }
});

test('python3 app.py is looked up on PATH from the given environment', { skip: !py312 }, () => {
  const v = py312!;
  const t = resolvePythonTarget(['python3', 'app.py'], { PATH: `${path.dirname(v.python)}:${BASE_PATH}` });
  assert.equal(t.executable, fs.realpathSync(v.python));
  const viaEnv = resolvePythonTarget(['env', `PATH=${path.dirname(v.python)}:${BASE_PATH}`, 'python3', 'app.py'], { PATH: BASE_PATH });
  assert.equal(viaEnv.executable, fs.realpathSync(v.python), 'env VAR=value prefix applies to the lookup');
});

test('missing commands and non-Python programs say what to do', () => {
  assert.throws(() => resolvePythonTarget(['python9', 'x.py'], { PATH: BASE_PATH }), (e: unknown) => e instanceof GiltraceError && e.message === "python not found: 'python9' is not on PATH; pass --python PATH");
  assert.throws(() => resolvePythonTarget([], { PATH: BASE_PATH }), isGiltraceError(/no command given/));
  assert.throws(() => resolvePythonTarget(['./no-such-script.py'], { PATH: BASE_PATH }), isGiltraceError(/does not exist; pass --python PATH/));
  assert.throws(() => resolvePythonTarget(['ls', '-l'], { PATH: BASE_PATH }), isGiltraceError(/which is not a Python interpreter; pass --python PATH/));
  assert.throws(() => resolvePythonExecutable('/etc/hostname', { PATH: BASE_PATH }), isGiltraceError(/neither a program nor a script with a #! line/));
});

test('garbage files: random bytes, a shell script, an ELF of another kind', () => {
  const dir = makeTempDir('garbage');
  try {
    const garbage = path.join(dir, 'garbage');
    fs.writeFileSync(garbage, Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37 + 11) & 0xff)), { mode: 0o755 });
    assert.throws(() => resolvePythonTarget([garbage]), isGiltraceError(/neither a program nor a script/));
    const fakeElf = path.join(dir, 'python-fake');
    fs.writeFileSync(fakeElf, Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(40)]), { mode: 0o755 });
    assert.throws(() => resolvePythonTarget([fakeElf]), (e: unknown) => e instanceof GiltraceError && e.file === fakeElf);
    const shell = path.join(dir, 'run.sh');
    fs.writeFileSync(shell, '#!/bin/sh\nexec python3 "$@"\n', { mode: 0o755 });
    assert.throws(() => resolvePythonTarget([shell]), isGiltraceError(/is a shell script, not Python.*pass --python PATH/));
    const loop = path.join(dir, 'loop');
    fs.writeFileSync(loop, `#!${loop}\n`, { mode: 0o755 });
    assert.throws(() => resolvePythonTarget([loop]), isGiltraceError(/more than \d+ scripts and shims/));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('shebang scripts, console scripts and pip long-path scripts resolve to their interpreter', { skip: !py312 }, () => {
  const v = py312!;
  const real = fs.realpathSync(v.python);
  const dir = makeTempDir('shebang');
  try {
    const direct = path.join(dir, 'direct.py');
    fs.writeFileSync(direct, `#!${v.python}\nprint(1)\n`, { mode: 0o755 });
    assert.equal(resolvePythonTarget([direct, 'arg']).executable, real);

    const viaEnv = path.join(dir, 'via-env.py');
    fs.writeFileSync(viaEnv, '#!/usr/bin/env python3\nprint(1)\n', { mode: 0o755 });
    assert.equal(resolvePythonTarget([viaEnv], { PATH: `${path.dirname(v.python)}:${BASE_PATH}` }).executable, real);

    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    const consoleScript = path.join(bin, 'mytool');
    fs.writeFileSync(consoleScript, `#!${v.python}\n# -*- coding: utf-8 -*-\nimport sys\nfrom mytool import main\nsys.exit(main())\n`, { mode: 0o755 });
    assert.equal(resolvePythonTarget(['mytool', '--flag'], { PATH: `${bin}:${BASE_PATH}` }).executable, real);

    const longPath = path.join(bin, 'longtool');
    fs.writeFileSync(longPath, `#!/bin/sh\n'''exec' "${v.python}" "$0" "$@"\n' '''\nimport sys\n`, { mode: 0o755 });
    assert.equal(resolvePythonTarget(['longtool'], { PATH: `${bin}:${BASE_PATH}` }).executable, real);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a venv (symlinked and --copies) resolves to the base interpreter and its libpython', { skip: !py312 }, () => {
  const v = py312!;
  const dir = makeTempDir('venv');
  try {
    for (const copies of [false, true]) {
      const venv = path.join(dir, copies ? 'copies' : 'links');
      execFileSync(v.python, ['-m', 'venv', '--without-pip', ...(copies ? ['--copies'] : []), venv], { stdio: 'ignore' });
      const t = resolvePythonTarget([path.join(venv, 'bin', 'python'), 'x.py'], { PATH: BASE_PATH });
      if (!copies) assert.equal(t.executable, fs.realpathSync(v.python));
      else assert.equal(t.executable, fs.realpathSync(path.join(venv, 'bin', 'python')), 'a copy is its own interpreter');
      assert.equal(t.gilLibrary, fs.realpathSync(v.libpython));
      assert.equal(t.version, v.version);
      const activated = resolvePythonTarget(['python', 'x.py'], { PATH: `${path.join(venv, 'bin')}:${BASE_PATH}`, VIRTUAL_ENV: venv });
      assert.equal(activated.gilLibrary, t.gilLibrary);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const shims = path.join(PYENV_ROOT, 'shims');
test('pyenv shims resolve through pyenv for the selected version, and say why when they cannot', { skip: !fs.existsSync(path.join(shims, 'python3')) || versions.length < 2 }, () => {
  const env = { PATH: `${shims}:${BASE_PATH}`, HOME: process.env.HOME, PYENV_ROOT };
  for (const v of [versions[0], versions[versions.length - 1]]) {
    const t = resolvePythonTarget(['python3', 'app.py'], { ...env, PYENV_VERSION: v.version });
    assert.equal(t.version, v.version);
    assert.equal(t.executable, fs.realpathSync(v.python));
  }
  const newest = versions[versions.length - 1];
  const oldest = versions[0];
  assert.throws(
    () => resolvePythonTarget([`python3.${newest.minor}`], { ...env, PYENV_VERSION: oldest.version }),
    isGiltraceError(new RegExp(`pyenv shim 'python3.${newest.minor}' does not resolve: .*command not found.*pass --python PATH`)),
  );
});

const debianHasDebugFile = fs.existsSync('/usr/bin/python3.11') && findDebugFile(openElf('/usr/bin/python3.11')).found !== undefined;

test("Debian's stripped LTO python3.11 with python3.11-dbg: symbols from the debug file, inlined drop_gil copies from DWARF", { skip: !debianHasDebugFile || !hasReadelf() }, () => {
  const t = resolvePythonExecutable('/usr/bin/python3', { PATH: BASE_PATH });
  assert.equal(t.executable, '/usr/bin/python3.11');
  assert.equal(t.gilLibrary, '/usr/bin/python3.11', 'static build: the GIL is in the executable');
  const debug = findDebugFile(openElf('/usr/bin/python3.11')).found!;
  assert.equal(t.symbolSource, debug.path);
  const loads = readelfLoads('/usr/bin/python3.11');
  const oracle = (name: string): number => oracleFileOffset(loads, readelfSymbols(debug.path).find((s) => s.name === name)!.value)!;
  assert.deepEqual(t.takeGil.map((s) => [s.symbol, s.fileOffset]), [['take_gil.lto_priv.0', oracle('take_gil.lto_priv.0')]]);
  assert.deepEqual([t.dropGil[0].symbol, t.dropGil[0].fileOffset, t.dropGil[0].inlinedInto], ['drop_gil.lto_priv.0', oracle('drop_gil.lto_priv.0'), undefined]);
  const inlined = t.dropGil.slice(1);
  assert.ok(inlined.length >= 1 && inlined.every((s) => s.symbol === 'drop_gil' && s.inlinedInto !== undefined));
  assert.ok(inlined.some((s) => s.inlinedInto === 'PyEval_SaveThread'), inlined.map((s) => s.inlinedInto).join(','));
  assert.equal(t.interpArg, undefined);
});

test("Debian's stripped python3.11 without its debug file: says which package to install", { skip: !fs.existsSync('/usr/bin/python3.11') }, () => {
  if (!debianHasDebugFile) {
    assert.throws(() => resolvePythonExecutable('/usr/bin/python3.11', { PATH: BASE_PATH }), isGiltraceError(/stripped.*apt-get install python3\.11-dbg/));
  }
  // Whether or not it is installed: a debug root that has none gives the stripped-binary message.
  const table = readFunctionTable('/usr/bin/python3.11', ['/nonexistent-debug-root']);
  assert.throws(
    () => findGilSites(table, '/usr/bin/python3.11', 'apt-get install python3.11-dbg'),
    (e: unknown) => e instanceof GiltraceError && e.message.startsWith('no take_gil symbol in /usr/bin/python3.11 (stripped') && /install its debug symbols: apt-get install python3\.11-dbg, .*or sample instead of tracing exactly \(--sample/.test(e.message),
  );
});

test('unsupported versions are refused by version number', { skip: !fs.existsSync(path.join(PYENV_ROOT, 'versions', '2.7.18', 'bin', 'python')) }, () => {
  assert.throws(() => resolvePythonExecutable(path.join(PYENV_ROOT, 'versions', '2.7.18', 'bin', 'python')), isGiltraceError(/Python 2\.7\.18 .* is not supported: giltrace needs CPython 3\.6 or newer/));
});
