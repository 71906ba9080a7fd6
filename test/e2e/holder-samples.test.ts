/**
 * Holder samples, recorded for real: an exact recording knows where each hold ended (the
 * probes), and its holder samples what ran during it. work_then_release.py spends its holds in
 * work() and ends every one of them in release(): the function table and the verdict must name
 * work(), where charging holds where they ended (the same recording, its samples ignored) names
 * release().
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeRecordingStats } from '../../src/cli/analyze-recording.js';
import type { FunctionStats, ProcessStats } from '../../src/contract/stats.js';
import { debianPythonWithSymbols } from '../support/probe-oracle.js';
import { PROGRAMS, giltrace, leftoverProbes, pyenvPython, scratchDir, tracedProcess } from './giltrace-cli.js';

const dir = scratchDir();
after(() => rmSync(dir, { recursive: true, force: true }));

const interpreters: { label: string; python: string | undefined }[] = [
  // frame objects (3.8), the interpreter's own frame stack (3.11 as Debian builds it, 3.12), 3.13's
  ...['3.8', '3.12', '3.13'].map((minor) => ({ label: `pyenv ${minor}`, python: pyenvPython(minor) })),
  { label: "Debian's python3.11", python: debianPythonWithSymbols() },
];

function share(process: ProcessStats, name: string): number {
  const fn: FunctionStats | undefined = process.functions?.find((f) => f.name === name);
  return (fn?.held_while_others_wait_ns ?? 0) / process.gil.contended_ns;
}

for (const { label, python } of interpreters) {
  test(`root, ${label}: holds spent in work() and ended in release() are charged to work()`, { skip: !python && `${label} not here` }, () => {
    const data = join(dir, `work-${label.replace(/\W+/g, '_')}.data`);
    const result = giltrace(['record', '-o', data, '--', python!, join(PROGRAMS, 'work_then_release.py')]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(leftoverProbes(), []);

    const { stats } = analyzeRecordingStats(data);
    const samples = stats.recording.holder_samples;
    assert.ok(samples, 'an exact recording with function context has holder samples');
    assert.equal(samples.hz, 250);
    assert.ok(samples.in_holds >= 50, `${samples.in_holds} of ${samples.samples} samples fell in holds`);
    const process = tracedProcess(stats);
    assert.ok(process.gil.contended_ns > 0.2e9, 'the two workers contend');
    const functions = process.functions!;
    assert.equal(functions[0].name, 'work', `top by held while others wait: ${functions.slice(0, 3).map((f) => `${f.name} ${f.held_while_others_wait_ns}`).join(', ')}`);
    assert.ok(share(process, 'work') > 0.7, `work() ${share(process, 'work').toFixed(2)} of the contended time`);
    assert.ok(share(process, 'release') < 0.2, `release() ${share(process, 'release').toFixed(2)}`);
    // the functions' held times still add up to the threads'
    const held = functions.reduce((n, f) => n + f.held_ns, 0);
    const threadsHeld = process.threads.reduce((n, t) => n + t.held_ns, 0);
    assert.ok(Math.abs(held - threadsHeld) <= 1e-6 * threadsHeld + functions.length, `${held} vs ${threadsHeld}`);
    assert.match(stats.verdict!.headline, /while work \(work_then_release\.py:\d+\) held it/);
    // a thread's own functions too (its waits are release()'s: it asks for the GIL back there)
    const worker = process.threads.find((t) => t.name === 'worker-0')!;
    const own = (name: string) => worker.top_functions?.find((f) => f.name === name)?.held_ns ?? 0;
    assert.ok(own('work') > 4 * own('release'), `worker-0 held in work() ${own('work')}, in release() ${own('release')}`);

    // without its samples, the same recording charges the holds where they ended
    const byEnds = tracedProcess(analyzeRecordingStats(data, { ignoreHolderSamples: true }).stats);
    assert.ok(share(byEnds, 'release') > 0.7, `release() ${share(byEnds, 'release').toFixed(2)} where the holds ended`);
  });
}

test('root: attached (a streamed recording, and -z), the holder samples come too', async () => {
  const python = pyenvPython('3.12') ?? 'python3';
  const target = spawn(python, [join(PROGRAMS, 'work_then_release.py'), '100000'], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const compressed of [false, true]) {
      const data = join(dir, `attached-${compressed}.data`);
      const run = giltrace(['record', '-p', String(target.pid), '--duration', '2', ...(compressed ? ['-z'] : []), '-o', data]);
      assert.equal(run.code, 0, run.stderr);
      const { stats } = analyzeRecordingStats(data);
      assert.ok((stats.recording.holder_samples?.in_holds ?? 0) >= 50, `compressed: ${compressed}: ${JSON.stringify(stats.recording.holder_samples)}`);
      // attached, a thread that waited since before the attach is seen waiting only from its next
      // take: the held times are what to compare here, not the contended ones
      const process = tracedProcess(stats);
      const held = (name: string) => process.functions!.find((f) => f.name === name)?.held_ns ?? 0;
      assert.ok(held('work') > 0.7 * process.gil.held_ns, `compressed: ${compressed}: work() held ${held('work')} of ${process.gil.held_ns}`);
      assert.ok(held('release') < 0.2 * process.gil.held_ns, `compressed: ${compressed}: release() held ${held('release')}`);
    }
  } finally {
    target.kill();
  }
  assert.deepEqual(leftoverProbes(), []);
});

test('root: --stack-depth 0 takes no holder samples', () => {
  const data = join(dir, 'depth0.data');
  const result = giltrace(['record', '--stack-depth', '0', '-o', data, '--', 'python3', join(PROGRAMS, 'work_then_release.py')]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(analyzeRecordingStats(data).stats.recording.holder_samples, undefined);
});
