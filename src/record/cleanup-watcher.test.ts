/**
 * The cleanup watcher (a shell script) and the early return from a stopping perf, with a real
 * perf recording real probes (needs root, perf and pyenv's Python 3.12): after "finish" the
 * watcher removes the probes once perf has closed its events; when giltrace dies it stops perf
 * and removes them and giltrace's temporary files; after "done" it leaves them alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { retrySync } from '../base/sleep.js';
import { openPerfData } from '../perfdata/index.js';
import { resolvePythonExecutable } from '../probe/python-target.js';
import { isRunning } from '../probe/running-process.js';
import { ensureTracefs } from '../probe/tracefs.js';
import { registerGilProbes, type GilProbeGroup } from '../probe/uprobes.js';
import { canRecord } from '../../test/support/probe-recording.js';
import { pyenvVersion } from '../../test/support/probe-oracle.js';
import { ownersBeingCleanedUp, startCleanupWatcher, WATCHER_SCRIPT } from './cleanup-watcher.js';
import { PerfLines, stopUntilWritten } from './perf-finish.js';
import { tempFilePath } from './temp-files.js';

const py = pyenvVersion(12);
const skip = !canRecord() ? 'needs root and perf' : !py ? "needs pyenv's Python 3.12" : false;

function groupLines(group: string): string[] {
  return readFileSync(join(ensureTracefs(), 'uprobe_events'), 'utf8').split('\n').filter((line) => line.includes(`${group}/`));
}

/** A system-wide perf recording the group's probes and a scheduler event, recording once this resolves. */
async function startRecorder(group: GilProbeGroup, file: string): Promise<{ perf: ChildProcess; lines: PerfLines }> {
  const events = [...group.eventNames, 'sched:sched_switch'].flatMap((e) => ['-e', e]);
  const perf = spawn('perf', ['record', '-a', '-N', '-B', '--no-bpf-event', ...events, '-o', file], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  const lines = new PerfLines(perf.stderr!);
  await sleep(600); // perf records within ~0.2 s here
  assert.equal(perf.exitCode, null, `perf runs: ${lines.all.join(' / ')}`);
  return { perf, lines };
}

function waitUntil(what: string, done: () => boolean): void {
  assert.ok(retrySync(done, 20_000, 20), `${what} within 20 s`);
}

function readsWhole(file: string): number {
  let records = 0;
  for (const _ of openPerfData(file).records()) records++;
  return records;
}

test('finish: the file is complete when perf says so; the watcher removes the probes once perf has exited (needs root, perf, pyenv 3.12)', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'giltrace-watcher-'));
  const group = registerGilProbes(resolvePythonExecutable(py!.python));
  let perf: ChildProcess | undefined;
  try {
    const recorder = await startRecorder(group, join(dir, 'rec.data'));
    perf = recorder.perf;
    const watcher = startCleanupWatcher(ensureTracefs());
    assert.ok(watcher.canFinish);
    watcher.watchPerf(perf.pid!);
    watcher.watchGroup(group.group);
    assert.equal(await stopUntilWritten(perf, recorder.lines, 30_000), 'written');
    assert.equal(perf.exitCode, null, 'perf is still closing its events');
    assert.ok(readsWhole(join(dir, 'rec.data')) > 0, 'the file reads to its end');
    assert.ok(groupLines(group.group).length > 0, 'the probes are still held by perf');
    // looked for before `finish`: after it, a perf that closed its events while the file was read
    // lets the watcher finish within its 20 ms poll, sooner than a scan of /proc can see it
    assert.ok(ownersBeingCleanedUp().has(process.pid), 'the watcher is seen at work for this owner');
    watcher.finish();
    waitUntil('the probes removed', () => groupLines(group.group).length === 0);
    assert.ok(!isRunning(perf.pid!), 'perf has exited');
    waitUntil('the watcher gone', () => !ownersBeingCleanedUp().has(process.pid));
  } finally {
    if (perf && perf.exitCode === null) perf.kill('SIGKILL');
    retrySync(() => group.remove().length === 0, 5_000);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('giltrace gone without a word: the watcher stops perf (the file stays readable), removes the probes and its temporary files (needs root, perf, pyenv 3.12)', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'giltrace-watcher-'));
  const group = registerGilProbes(resolvePythonExecutable(py!.python));
  const samples = tempFilePath('holders');
  const notOurs = join(dir, 'keep-me');
  const sneakyDir = join(dirname(samples), `giltrace-holders-${process.pid}-0a`);
  writeFileSync(samples, 'H\n');
  writeFileSync(notOurs, 'a user\'s file\n');
  let perf: ChildProcess | undefined;
  try {
    ({ perf } = await startRecorder(group, join(dir, 'rec.data')));
    // the script as startCleanupWatcher runs it, its stdin ending as when giltrace dies (plus lines it must ignore)
    const watcher = spawn('/bin/sh', ['-c', WATCHER_SCRIPT, 'giltrace-cleanup-watcher', String(process.pid), ensureTracefs()], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    watcher.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
    // a name like giltrace's that leads elsewhere
    mkdirSync(sneakyDir, { recursive: true });
    const sneaky = `${sneakyDir}/../${relative(dirname(samples), notOurs)}`;
    watcher.stdin!.end(`perf ${perf.pid}\ngroup ${group.group}\nfile ${samples}\nfile ${notOurs}\nfile ${sneaky}\ngroup not;a-group\nperf 1x\nnonsense\n`);
    const code = await new Promise<number | null>((resolve) => watcher.on('exit', resolve));
    assert.equal(code, 0, stderr);
    assert.ok(!isRunning(perf.pid!), 'perf stopped');
    assert.deepEqual(groupLines(group.group), [], 'probes removed');
    assert.ok(readsWhole(join(dir, 'rec.data')) > 0, 'the recording perf wrote on SIGINT reads to its end');
    assert.ok(!existsSync(samples), 'its temporary file deleted');
    assert.ok(existsSync(notOurs), 'a path that is no giltrace temporary file left alone');
  } finally {
    if (perf && perf.exitCode === null) perf.kill('SIGKILL');
    retrySync(() => group.remove().length === 0, 5_000);
    rmSync(samples, { force: true });
    rmSync(sneakyDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});

test('done: giltrace cleaned up itself, the watcher leaves everything as it is (needs root, perf, pyenv 3.12)', { skip }, async () => {
  const group = registerGilProbes(resolvePythonExecutable(py!.python));
  try {
    const watcher = startCleanupWatcher(ensureTracefs());
    watcher.watchGroup(group.group);
    watcher.done();
    waitUntil('the watcher gone', () => !ownersBeingCleanedUp().has(process.pid));
    await sleep(100);
    assert.ok(groupLines(group.group).length > 0, 'the probes are left alone');
  } finally {
    retrySync(() => group.remove().length === 0, 5_000);
  }
});
