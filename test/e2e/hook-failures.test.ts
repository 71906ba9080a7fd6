/**
 * Every step of giltrace's Python hook (python/giltrace_site/sitecustomize.py) made to fail on
 * purpose (GILTRACE_HOOK_FAIL, read only by the hook): the traced program must print and exit
 * exactly as untraced, and the recording must show that the step did fail (names lost, the
 * warning), so that these tests cannot pass by injecting nothing. Needs root, perf and pyenv
 * Pythons 3.12 and 3.6 (3.6 takes the gettid path).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StatsJson } from '../../src/contract/stats.js';
import { PROGRAMS, REPO, leftoverProbes, pyenvPython, scratchDir } from './giltrace-cli.js';
import { OS_NAMES_WARNING, TEST_LIMIT_MS, assertBehavesAsUntraced, runTraced, threadNames } from './untraced-comparison.js';

const dir = scratchDir();
after(() => rmSync(dir, { recursive: true, force: true }));
const HOOK = join(REPO, 'python/giltrace_site/sitecustomize.py');
const PROBE = join(PROGRAMS, 'hook_probe.py');

const ALL_NAMES = ['MainThread', 'worker-a', 'worker-b', 'renamed-c', 'failing', 'Dummy-1'];
const NO_PYTHON_NAMES = { present: [], absent: ALL_NAMES, warned: true };

interface Expected {
  /** Python names the recording must show, and must not. */
  readonly present: readonly string[];
  readonly absent: readonly string[];
  /** The "threads show OS names" warning. */
  readonly warned: boolean;
  /**
   * The `process` line arrived: the stats name the interpreter as Python saw itself
   * (sys.executable, the path as run), not as the recording's manifest has it (its real path).
   */
  readonly processLine?: boolean;
}

/** What each failing step costs; a step not listed here fails the coverage test below. */
const STEPS: Record<string, Expected> = {
  libc: NO_PYTHON_NAMES,
  'native-id': NO_PYTHON_NAMES,
  emit: NO_PYTHON_NAMES,
  process: { present: ALL_NAMES, absent: [], warned: false, processLine: false },
  'main-thread': { present: ['worker-a', 'renamed-c'], absent: ['MainThread'], warned: false },
  watch: { present: ['MainThread'], absent: ['worker-a', 'worker-b', 'renamed-c', 'Dummy-1'], warned: false },
  'find-spec': { present: ['MainThread'], absent: ['worker-a', 'worker-b', 'renamed-c', 'Dummy-1'], warned: false },
  patch: { present: ['MainThread'], absent: ['worker-a', 'worker-b', 'renamed-c', 'Dummy-1'], warned: false },
  announce: { present: ['MainThread', 'renamed-c'], absent: ['worker-a', 'worker-b', 'failing', 'Dummy-1'], warned: false },
  rename: { present: ['MainThread', 'worker-a', 'to-rename'], absent: ['renamed-c'], warned: false },
  unwatch: { present: ALL_NAMES, absent: [], warned: false },
  // hook_probe.py does not fork: nothing lost (forked-children.test.ts fails it in forked children)
  fork: { present: ALL_NAMES, absent: [], warned: false },
};

test('every step the hook can fail is covered here and listed in its docstring', () => {
  const source = readFileSync(HOOK, 'utf8');
  const inCode = [...new Set([...source.matchAll(/_step\("([a-z-]+)"\)/g)].map((m) => m[1]))].sort();
  assert.deepEqual(inCode, Object.keys(STEPS).sort());
  const docstring = source.slice(0, source.indexOf('"""', 3));
  for (const step of inCode) assert.match(docstring, new RegExp(`\\b${step}\\s+\\(`), `docstring explains step ${step}`);
});

function assertRecordingShows(stats: StatsJson, expected: Expected, label: string, python: string): void {
  const names = threadNames(stats);
  for (const name of expected.present) assert.ok(names.includes(name), `${label}: thread ${name} named in ${names.join(', ')}`);
  for (const name of expected.absent) assert.ok(!names.includes(name), `${label}: thread ${name} must not be named (${names.join(', ')})`);
  const warned = stats.recording.warnings.some((w) => OS_NAMES_WARNING.test(w));
  assert.equal(warned, expected.warned, `${label}: OS-names warning in ${JSON.stringify(stats.recording.warnings)}`);
  if (expected.processLine !== undefined) {
    const executable = stats.processes[0].python.executable;
    assert.equal(executable === python, expected.processLine, `${label}: executable ${executable}, run as ${python}`);
  }
}

for (const minor of ['3.12', '3.6']) {
  const python = pyenvPython(minor);
  const skip = python ? false : `pyenv Python ${minor} is not installed`;
  describe(`Python ${minor} (needs root, perf): the hook failing at each step changes nothing for the program`, () => {
    test('no step failing: all names, no warning, same output', { skip, timeout: TEST_LIMIT_MS }, () => {
      const stats = assertBehavesAsUntraced([python!, PROBE], process.env, join(dir, `${minor}-none.data`));
      assertRecordingShows(stats, { present: ALL_NAMES, absent: ['to-rename'], warned: false, processLine: true }, 'no failure', python!);
    });
    for (const [step, expected] of Object.entries(STEPS)) {
      test(`${step} failing`, { skip, timeout: TEST_LIMIT_MS }, () => {
        const env = { ...process.env, GILTRACE_HOOK_FAIL: step };
        const stats = assertBehavesAsUntraced([python!, PROBE], env, join(dir, `${minor}-${step}.data`));
        assertRecordingShows(stats, expected, step, python!);
        if (step === 'unwatch') {
          // The one trace a failing step leaves: the hook's finder stays on sys.meta_path, inert.
          const shown = runTraced([python!, PROBE, 'show-meta-path'], env, join(dir, `${minor}-${step}-shown.data`));
          assert.match(shown.stdout, /sys\.meta_path: \['_ThreadingWatch'/);
        }
      });
    }
    test('several steps failing at once', { skip, timeout: TEST_LIMIT_MS }, () => {
      const env = { ...process.env, GILTRACE_HOOK_FAIL: 'process,main-thread,announce,rename,unwatch' };
      const stats = assertBehavesAsUntraced([python!, PROBE], env, join(dir, `${minor}-several.data`));
      assertRecordingShows(stats, NO_PYTHON_NAMES, 'several', python!);
      assert.deepEqual(leftoverProbes(), []);
    });
  });
}
