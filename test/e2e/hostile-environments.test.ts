/**
 * Programs and environments that are hard on giltrace's Python hook, each recorded for real and
 * compared with an untraced run (stdout, stderr, exit code; 60 s limit per run, so a hang fails
 * fast): threads the hook never sees start, threads started while modules are imported, a user's
 * sitecustomize that raises, interpreters that skip the hook (-I, -S) and Python 2 started by the
 * traced program. Where the hook could not name threads, the stats say so. Needs root, perf and
 * pyenv Python 3.12 (the per-version test: every pyenv CPython 3.6+, and Debian's python3.11 with
 * its own sitecustomize).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StatsJson } from '../../src/contract/stats.js';
import { PROGRAMS, PYENV_MINORS, leftoverProbes, pyenvPython, scratchDir } from './giltrace-cli.js';
import { OS_NAMES_WARNING, TEST_LIMIT_MS, assertBehavesAsUntraced, pyenvPython2, threadNames } from './untraced-comparison.js';

const dir = scratchDir();
after(() => rmSync(dir, { recursive: true, force: true }));
const HOSTILE = join(PROGRAMS, 'hostile');
const PROBE = join(PROGRAMS, 'hook_probe.py');
const python = pyenvPython('3.12');
const skip = python ? false : 'pyenv Python 3.12 is not installed';
const limit = { skip, timeout: TEST_LIMIT_MS };
let runs = 0;
const data = () => join(dir, `run-${runs++}.data`);

function assertNamed(stats: StatsJson, names: readonly string[]): void {
  const seen = threadNames(stats);
  for (const name of names) assert.ok(seen.includes(name), `thread ${name} named in ${seen.join(', ')}`);
  assert.ok(!stats.recording.warnings.some((w) => OS_NAMES_WARNING.test(w)), `no OS-names warning: ${stats.recording.warnings.join('; ')}`);
}

function assertOsNamesSaid(stats: StatsJson): void {
  const seen = threadNames(stats);
  assert.ok(!seen.includes('MainThread') && !seen.includes('worker-a'), `no Python names expected: ${seen.join(', ')}`);
  const pid = stats.processes[0].pid;
  assert.ok(
    stats.recording.warnings.some((w) => OS_NAMES_WARNING.test(w) && w.includes(String(pid))),
    `the warning names process ${pid}: ${stats.recording.warnings.join('; ')}`,
  );
}

describe('every Python giltrace traces: the hook probe program behaves as untraced and its threads are named', () => {
  const pythons: [string, string | undefined][] = [
    ...['3.6', '3.7', ...PYENV_MINORS].map((minor): [string, string | undefined] => [`pyenv ${minor}`, pyenvPython(minor)]),
    ['Debian /usr/bin/python3.11 (own sitecustomize)', existsSync('/usr/bin/python3.11') ? '/usr/bin/python3.11' : undefined],
  ];
  for (const [label, interpreter] of pythons) {
    test(label, { skip: interpreter ? false : `${label} is not installed`, timeout: TEST_LIMIT_MS }, () => {
      // show-meta-path: once threading is imported, the hook's finder has left sys.meta_path.
      const stats = assertBehavesAsUntraced([interpreter!, PROBE, 'show-meta-path'], process.env, data());
      assertNamed(stats, ['MainThread', 'worker-a', 'worker-b', 'renamed-c', 'failing', 'Dummy-1']);
    });
  }
});

test('threads started with _thread.start_new_thread, one of them the first to import threading', limit, () => {
  const stats = assertBehavesAsUntraced([python!, join(HOSTILE, 'raw_threads.py')], process.env, data());
  assert.ok(threadNames(stats).length >= 4, `main and three raw threads: ${threadNames(stats).join(', ')}`);
  assertNamed(stats, ['MainThread']);
});

test('threads started at import time, of the main module and of a module it imports', limit, () => {
  const stats = assertBehavesAsUntraced([python!, join(HOSTILE, 'import_time_threads.py')], process.env, data());
  assertNamed(stats, ['MainThread', 'main-module-import-time', 'imported-module-import-time']);
});

describe("the user's own sitecustomize on PYTHONPATH", () => {
  for (const [site, what] of [
    ['user_site_works', 'works: it still runs and is the one in sys.modules'],
    ['user_site_raises', 'raises: Python prints the same one line'],
    ['user_site_import_error', 'fails to import a module: Python reports it the same way'],
  ]) {
    test(what, limit, () => {
      const env = { ...process.env, PYTHONPATH: join(HOSTILE, site) };
      const stats = assertBehavesAsUntraced([python!, join(HOSTILE, 'show_sitecustomize.py')], env, data());
      assertNamed(stats, ['MainThread', 't0', 't1']);
    });
  }
});

describe('interpreter options and variables that keep the hook out', () => {
  test('python -I: behaves as untraced; the stats say threads show OS names', limit, () => {
    assertOsNamesSaid(assertBehavesAsUntraced([python!, '-I', PROBE], process.env, data()));
  });
  test('python -S: behaves as untraced; the stats say threads show OS names', limit, () => {
    assertOsNamesSaid(assertBehavesAsUntraced([python!, '-S', PROBE], process.env, data()));
  });
  test('PYTHONSAFEPATH=1: behaves as untraced, names still come', limit, () => {
    const stats = assertBehavesAsUntraced([python!, PROBE], { ...process.env, PYTHONSAFEPATH: '1' }, data());
    assertNamed(stats, ['MainThread', 'worker-a']);
  });
  test('-W always -X dev: the hook raises no warning', limit, () => {
    const stats = assertBehavesAsUntraced([python!, '-W', 'always', '-X', 'dev', PROBE], process.env, data());
    assertNamed(stats, ['MainThread', 'worker-a']);
  });
});

const python2 = pyenvPython2();
test('Python 2.7 started by the traced program runs the hook file unharmed', { ...limit, skip: skip || (!python2 && 'pyenv Python 2.7 is not installed') }, () => {
  const stats = assertBehavesAsUntraced([python!, join(HOSTILE, 'python2_child.py'), python2!], process.env, data());
  assertNamed(stats, ['MainThread']);
  assert.deepEqual(leftoverProbes(), []);
});
