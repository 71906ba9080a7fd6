/**
 * Children made by fork run no sitecustomize: giltrace's hook announces them from an at-fork
 * handler (3.7+), so their threads carry Python's names and no "OS names" warning is said of
 * them; the program prints the same traced or not, its children's threading included; the hook
 * failing there (GILTRACE_HOOK_FAIL=fork) is said. Exact recordings would know the names from
 * perf's fork records anyway (not the process's own view of itself); a sampled one has no such
 * records: there the handler is what names a forked child's thread. Needs root, perf and pyenv
 * Pythons 3.8 and 3.12.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StatsJson } from '../../src/contract/stats.js';
import { PROGRAMS, giltrace, leftoverProbes, pyenvPython, scratchDir } from './giltrace-cli.js';
import { OS_NAMES_WARNING, RUN_LIMIT_MS, TEST_LIMIT_MS, assertBehavesAsUntraced, readStats } from './untraced-comparison.js';

const dir = scratchDir();
after(() => rmSync(dir, { recursive: true, force: true }));
const PROGRAM = join(PROGRAMS, 'fork_children.py');

/** The three processes by what they ran: the parent has the forker thread's GIL events too. */
function processesOf(stats: StatsJson): { parent: StatsJson['processes'][number]; children: StatsJson['processes'] } {
  assert.equal(stats.processes.length, 3, stats.processes.map((p) => `${p.pid}: ${p.threads.map((t) => t.name).join(',')}`).join(' / '));
  const [parent, ...children] = [...stats.processes].sort((a, b) => a.pid - b.pid);
  return { parent, children };
}

for (const minor of ['3.8', '3.12']) {
  const python = pyenvPython(minor);
  const skip = process.getuid?.() !== 0 ? 'needs root' : python ? false : `pyenv Python ${minor} is not installed`;
  describe(`Python ${minor}: forked children`, () => {
    test('named as in the parent, no warning, the program unchanged', { skip, timeout: TEST_LIMIT_MS }, () => {
      const stats = assertBehavesAsUntraced([python!, PROGRAM, 'show-thread'], process.env, join(dir, `${minor}.data`));
      const { parent, children } = processesOf(stats);
      assert.deepEqual(parent.threads.map((t) => t.name).sort(), ['MainThread', 'forker']);
      // the os.fork child forked from the thread "forker", the multiprocessing one from the main thread
      assert.deepEqual(children.map((p) => p.threads.map((t) => t.name)), [['forker'], ['MainThread']]);
      for (const child of children) assert.ok(child.threads[0].held_ns / child.threads[0].lifetime_ns > 0.5, `${child.pid} spun holding its GIL`);
      assert.deepEqual(stats.recording.warnings.filter((w) => OS_NAMES_WARNING.test(w)), []);
      assert.deepEqual(leftoverProbes(), []);
    });
    test('the fork step failing: the children unnamed and said so, the program unchanged', { skip, timeout: TEST_LIMIT_MS }, () => {
      const env = { ...process.env, GILTRACE_HOOK_FAIL: 'fork' };
      const stats = assertBehavesAsUntraced([python!, PROGRAM, 'show-thread'], env, join(dir, `${minor}-failing.data`));
      const { parent, children } = processesOf(stats);
      assert.deepEqual(parent.threads.map((t) => t.name).sort(), ['MainThread', 'forker']);
      const warned = stats.recording.warnings.filter((w) => OS_NAMES_WARNING.test(w));
      // (their threads' names still come from the parent's, through perf's fork records)
      assert.deepEqual(warned.map((w) => Number(/process (\d+)/.exec(w)?.[1])).sort(), children.map((p) => p.pid).sort());
    });
  });
}

const py312 = pyenvPython('3.12');
test('sampled (3.12): the forked children named as in the parent', { skip: process.getuid?.() !== 0 ? 'needs root' : py312 ? false : 'pyenv Python 3.12 is not installed', timeout: TEST_LIMIT_MS }, () => {
  const data = join(dir, 'sampled.data');
  const record = giltrace(['record', '--sample', '-o', data, '--', py312!, PROGRAM], { timeoutMs: RUN_LIMIT_MS });
  assert.equal(record.code, 0, record.stderr);
  const { parent, children } = processesOf(readStats(data));
  assert.deepEqual(parent.threads.map((t) => t.name).sort(), ['MainThread', 'forker']);
  assert.deepEqual(children.map((p) => p.threads.map((t) => t.name)), [['forker'], ['MainThread']]);
});
