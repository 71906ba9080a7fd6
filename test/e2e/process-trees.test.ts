/**
 * Process trees whatever starts them: a command that is not Python (a shell) gets the Pythons on
 * its PATH traced; a Python child on an interpreter giltrace did not probe is named in the
 * output, and traced too when asked with --python. Needs root, perf and pyenv's 3.12 and 3.11.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StatsJson } from '../../src/contract/stats.js';
import { pyenvPython2 } from './untraced-comparison.js';
import { EXAMPLES, PROGRAMS, giltrace, leftoverProbes, otherThreads, pyenvPython, scratchDir } from './giltrace-cli.js';

const dir = scratchDir();
after(() => rmSync(dir, { recursive: true, force: true }));
const py312 = pyenvPython('3.12');
const py311 = pyenvPython('3.11');
const skip = process.getuid?.() !== 0 ? 'needs root' : py312 && py311 ? false : "needs pyenv's Python 3.12 and 3.11";

function statsOf(data: string): StatsJson {
  const stats = giltrace(['stats', data, '--json']);
  assert.equal(stats.code, 0, stats.stderr);
  return JSON.parse(stats.stdout) as StatsJson;
}

test('a shell command: the Python it starts from its PATH is traced, and giltrace says which it probed', { skip }, () => {
  const data = join(dir, 'shell.data');
  // python3 on this PATH is pyenv's 3.12
  const env = { ...process.env, PATH: `${dirname(py312!)}:/usr/bin:/bin` };
  const record = giltrace(['record', '-o', data, '--', 'sh', '-c', `python3 ${join(EXAMPLES, 'two_threads.py')} && echo done-$((6*7))`], { env });
  assert.equal(record.code, 0, record.stderr);
  assert.match(record.stderr, /'sh' is not Python: tracing the Pythons on its PATH that it may start: .*3\.12/);
  const stats = statsOf(data);
  assert.equal(stats.processes.length, 1, stats.processes.map((p) => p.command).join(' / '));
  const workers = otherThreads(stats.processes[0]);
  assert.equal(workers.length, 2);
  for (const worker of workers) assert.ok(worker.held_ns / worker.lifetime_ns > 0.25, `${worker.name} held ${worker.held_ns / worker.lifetime_ns}`);
  assert.deepEqual(stats.recording.warnings.filter((w) => /no probes on/.test(w)), []);
  assert.deepEqual(leftoverProbes(), []);
});

test('a child on another interpreter, started by its path: traced from when it is found, or from the start with --python', { skip }, () => {
  const parent = `import subprocess, sys\nsubprocess.run([${JSON.stringify(py311)}, ${JSON.stringify(join(PROGRAMS, 'attach_target.py'))}, '2'], check=False)`;
  const found = join(dir, 'found-late.data');
  assert.equal(giltrace(['record', '-o', found, '--', py312!, '-c', parent]).code, 0);
  const late = statsOf(found);
  const child = late.processes.find((p) => p.python.version.startsWith('3.11') && /attach_target/.test(p.command));
  assert.ok(child, `the 3.11 child is in the stats: ${late.processes.map((p) => `${p.pid} ${p.python.version}`).join(', ')}`);
  const crunchers = child.threads.filter((t) => t.name.startsWith('cruncher-'));
  assert.equal(crunchers.length, 2);
  for (const thread of crunchers) assert.ok(thread.held_ns / thread.lifetime_ns > 0.2, `${thread.name} held ${thread.held_ns / thread.lifetime_ns}`);
  assert.ok(late.recording.warnings.some((w) => w.includes('was started while recording and got its probes then')), late.recording.warnings.join(' / '));
  assert.deepEqual(late.recording.warnings.filter((w) => /no probes on/.test(w)), []);

  // a child that giltrace finds but that ends before its probes record anything is named: the
  // numbers do not have it. The child stops itself once started and the parent lets it go on
  // once its interpreter's probes are there; it exits without letting go of its GIL again. Its
  // start is still a race (a loaded machine starts Python slower than giltrace probes it): a
  // child traced from its start must then be said traced late, and the case is tried again.
  const versionDir = dirname(dirname(py311!));
  // -I -S and no import but os (imported by startup): a start as short as Python's, 19 is SIGSTOP
  const stoppingChild = 'import os\nos.kill(os.getpid(), 19)\nos._exit(0)';
  const parentOfShort = [
    'import os, signal, subprocess, time',
    `child = subprocess.Popen([${JSON.stringify(py311)}, '-I', '-S', '-c', ${JSON.stringify(stoppingChild)}])`,
    'deadline = time.monotonic() + 10',
    "def stopped(): return open(f'/proc/{child.pid}/stat').read().rsplit(')', 1)[1].split()[0] == 'T'",
    `def probed(): return ${JSON.stringify(versionDir)} in open('/sys/kernel/tracing/uprobe_events').read()`,
    'while not (stopped() and probed()) and time.monotonic() < deadline: time.sleep(0.01)',
    'time.sleep(0.5)  # its recorder is running now',
    'os.kill(child.pid, signal.SIGCONT)',
    'child.wait()',
    'print(child.pid)',
  ].join('\n');
  const short = join(dir, 'short-child.data');
  let missed: StatsJson | undefined;
  let childPid = 0;
  for (let attempt = 0; attempt < 4 && !missed; attempt++) {
    const shortRun = giltrace(['record', '-o', short, '--', py312!, '-c', parentOfShort]);
    assert.equal(shortRun.code, 0, shortRun.stderr);
    childPid = Number(shortRun.stdout.trim());
    const stats = statsOf(short);
    if (!stats.processes.some((p) => p.pid === childPid)) missed = stats;
    else assert.ok(stats.recording.warnings.some((w) => w.includes('was started while recording')), `the child ${childPid}, traced from its start, is said traced late: ${stats.recording.warnings.join(' / ')}`);
  }
  assert.ok(missed, 'in 4 tries, the child was traced from its start every time');
  const named = missed.recording.warnings.filter((w) => w.startsWith(`process ${childPid} ran `));
  assert.equal(named.length, 1, missed.recording.warnings.join(' / '));
  assert.match(named[0], /ran .*3\.11.*, which giltrace probed only once it was running .*and ended before: it is not in these numbers; pass --python .*3\.11/);
  assert.deepEqual(missed.recording.warnings.filter((w) => w.includes('was started while recording')), [], 'no process of it was traced late');

  const both = join(dir, 'both.data');
  const record = giltrace(['record', '--python', py312!, '--python', py311!, '-o', both, '--', py312!, '-c', parent]);
  assert.equal(record.code, 0, record.stderr);
  const stats = statsOf(both);
  assert.deepEqual([...new Set(stats.processes.map((p) => p.python.version.slice(0, 4)))].sort(), ['3.11', '3.12']);
  const fromStart = stats.processes.find((p) => /attach_target/.test(p.command))!;
  for (const thread of fromStart.threads.filter((t) => t.name.startsWith('cruncher-'))) {
    assert.ok(thread.held_ns / thread.lifetime_ns > 0.3, `traced from the start: ${thread.name} held ${thread.held_ns / thread.lifetime_ns}`);
  }
  assert.deepEqual(stats.recording.warnings.filter((w) => /no probes on|while recording/.test(w)), []);
  assert.deepEqual(leftoverProbes(), []);
});

const py27 = pyenvPython2();
test('a child on an interpreter giltrace cannot trace (Python 2) is named, at the time and in the stats', { skip: skip || (py27 ? false : "needs pyenv's Python 2.7") }, () => {
  const parent = `import subprocess\nsubprocess.run([${JSON.stringify(py27)}, '-c', 'import time; time.sleep(1)'])`;
  const data = join(dir, 'py2-child.data');
  const record = giltrace(['record', '-o', data, '--', py312!, '-c', parent]);
  assert.equal(record.code, 0, record.stderr);
  assert.match(record.stderr, /not traced: .*python2\.7 \(process \d+\): Python 2\.7\.\d+ .*not supported/);
  const named = statsOf(data).recording.warnings.filter((w) => /giltrace put no probes on/.test(w));
  assert.equal(named.length, 1, named.join(' / '));
  assert.match(named[0], /2\.7/);
  assert.deepEqual(leftoverProbes(), []);
});
