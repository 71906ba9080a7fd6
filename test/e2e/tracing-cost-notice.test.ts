/**
 * What exact tracing costs, said while the program runs (cli/tracing-cost-notice.ts): a command
 * that cycles the GIL tens of thousands of times a second hears it at once, one that sleeps does
 * not; an attach always hears its first second. Needs root, perf and a pyenv Python (3.12, else 3.11).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { giltrace, leftoverProbes, pyenvPython, scratchDir } from './giltrace-cli.js';

const dir = scratchDir();
after(() => rmSync(dir, { recursive: true, force: true }));
const python = pyenvPython('3.12') ?? pyenvPython('3.11');
const skip = process.getuid?.() !== 0 ? 'needs root' : python ? false : 'needs a pyenv Python 3.12 or 3.11';

/** A thread that calls os.stat (a GIL release and take each) for argv[1] seconds: ~60-70 k GIL cycles a second traced here. */
const CYCLER = [
  'import os, sys, threading, time',
  'print("ready", flush=True)',
  'def spin(seconds):',
  '    end = time.monotonic() + seconds',
  '    while time.monotonic() < end:',
  '        os.stat(".")',
  'worker = threading.Thread(target=spin, args=(float(sys.argv[1]),))',
  'worker.start()',
  'worker.join()',
  'print("done")',
].join('\n');
const NOTICE = /^giltrace: \d+ GIL cycles a second; at about [\d.]+ µs each under the probes, tracing takes about [\d.]+ m?s of its threads' time every second: the program runs slower than untraced/m;

test('a command that cycles the GIL fast is told what tracing costs it while it runs, once', { skip }, () => {
  const result = giltrace(['record', '-o', join(dir, 'cycler.data'), '--', python!, '-c', CYCLER, '3']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'ready\ndone\n');
  assert.match(result.stderr, NOTICE);
  assert.equal(result.stderr.match(/GIL cycles a second/g)?.length, 1, result.stderr);
  assert.deepEqual(leftoverProbes(), []);
});

test('a command that seldom takes the GIL hears nothing of it', { skip }, () => {
  const result = giltrace(['record', '-o', join(dir, 'sleeper.data'), '--', python!, '-c', 'import time; time.sleep(2.5)']);
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /GIL cycles a second/);
});

test('an attach says its first second, with advice to stop soon when it is costly', { skip }, async () => {
  const target = spawn(python!, ['-c', CYCLER, '8'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve) => target.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve()));
    const result = giltrace(['record', '-p', String(target.pid), '--duration', '2.5', '-o', join(dir, 'attached.data')]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^giltrace: \d+ GIL cycles a second in the first second; at about .* every second: stop soon \(Ctrl-C, or --duration\)/m);
  } finally {
    target.kill();
  }
  assert.deepEqual(leftoverProbes(), []);
});
