/** What a user sees at the edges: exit codes, one-line errors, signals, cleanup. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI, EXAMPLES, PROGRAMS, giltrace, giltraceAsync, leftoverProbes, pyenvPython, scratchDir } from './giltrace-cli.js';
import { GOLDEN_FIXTURES } from '../support/fixture-paths.js';

const dir = scratchDir();
after(() => rmSync(dir, { recursive: true, force: true }));
const python = pyenvPython('3.12') ?? pyenvPython('3.11') ?? 'python3';

function assertOneLineError(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${result.stderr}`);
  assert.match(lines[0], /^giltrace: /);
  assert.match(lines[0], pattern);
}

test('record returns the traced command exit code', () => {
  const data = join(dir, 'exit.data');
  const result = giltrace(['record', '-o', data, '--', python, join(PROGRAMS, 'exit_code.py'), '7']);
  assert.equal(result.code, 7, result.stderr);
  assert.ok(existsSync(data));
  assert.deepEqual(leftoverProbes(), []);
});

test('a traced command killed by a signal gives 128+N', () => {
  const data = join(dir, 'killed.data');
  const result = giltrace(['record', '-o', data, '--', python, '-c', 'import os, signal; os.kill(os.getpid(), signal.SIGKILL)']);
  assert.equal(result.code, 128 + 9, result.stderr);
});

test('SIGINT and SIGTERM to giltrace reach the program, the recording is finished and probes removed', async () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const data = join(dir, `${signal}.data`);
    // "ready" is printed inside the try: a SIGINT that lands right after it must still be caught
    const script = 'import sys, time\ntry:\n    print("ready", flush=True)\n    time.sleep(30)\nexcept KeyboardInterrupt:\n    sys.exit(42)\n';
    const run = giltraceAsync(['record', '-o', data, '--', python, '-c', script]);
    await new Promise<void>((resolve) => run.child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve()));
    run.child.kill(signal);
    const result = await run.done;
    assert.equal(result.code, signal === 'SIGINT' ? 42 : 128 + 15, `${signal}: ${result.stderr}`);
    const stats = giltrace(['stats', data, '--json']);
    assert.equal(stats.code, 0, stats.stderr);
    assert.ok(JSON.parse(stats.stdout).processes.length >= 1);
  }
  assert.deepEqual(leftoverProbes(), []);
});

/** perf processes still running (not zombies) that record giltrace probe groups of `owner`. */
function runningRecorders(owner: number): number[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' }).stdout;
  return ps.split('\n').filter((line) => line.includes(`giltrace_${owner}_`) && !/^\s*\d+\s+Z/.test(line)).map((line) => Number(line.trim().split(/\s+/)[0]));
}

/** giltrace's temporary files (record/temp-files.ts) that the giltrace `owner` left. */
function temporaryFiles(owner: number): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('giltrace-') && name.includes(`-${owner}-`));
}

test('a SIGKILLed giltrace leaves no probe, no running perf and no temporary file a second later, at any moment', async () => {
  const script = 'import time; print("ready", flush=True); time.sleep(float(__import__("sys").argv[1]))';
  // while starting (probes being placed, perf starting), while recording, while stopping perf
  for (const moment of ['starting', 'recording', 'stopping'] as const) {
    const run = giltraceAsync(['record', '-o', join(dir, `sigkill-${moment}.data`), '--', python, '-c', script, moment === 'stopping' ? '0' : '5']);
    if (moment === 'starting') await new Promise((resolve) => setTimeout(resolve, 300));
    else await new Promise<void>((resolve) => run.child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve()));
    run.child.kill('SIGKILL');
    await run.done;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.deepEqual(leftoverProbes(), [], `${moment}: probes left`);
    assert.deepEqual(runningRecorders(run.child.pid!), [], `${moment}: perf still running`);
    assert.deepEqual(temporaryFiles(run.child.pid!), [], `${moment}: temporary files left`);
  }
  const clean = giltrace(['clean']);
  assert.equal(clean.code, 0, clean.stderr);
});

test('a recording perf did not finish (killed: its header still says no data) is refused in one line, exit code 2', () => {
  const unfinished = join(dir, 'unfinished.data');
  const bytes = readFileSync(join(GOLDEN_FIXTURES, 'python3.12', 'hashlib_threads.data'));
  bytes.writeBigUInt64LE(0n, 48); // perf.data header: data size, rewritten by perf as it finishes
  writeFileSync(unfinished, bytes);
  for (const command of [['stats', unfinished], ['report', unfinished, '-o', join(dir, 'unfinished.html')]]) {
    assertOneLineError(giltrace(command), /unfinished\.data was not finished: perf stopped before it wrote the end of the file/);
  }
});

test('a program that dies of a segfault or leaves by os._exit still gets its summary and report', () => {
  const crunch = 'import threading, time\ndef w():\n    t = time.monotonic()\n    while time.monotonic() - t < 0.4: pass\nts = [threading.Thread(target=w) for _ in range(2)]\n[t.start() for t in ts]\ntime.sleep(0.2)\n';
  for (const [how, ending, code] of [['segfault', 'import ctypes; ctypes.string_at(0)', 128 + 11], ['os._exit', 'import os; os._exit(3)', 3]] as const) {
    const report = join(dir, `${how}.html`);
    const result = giltrace(['run', '-o', report, '--data', join(dir, `${how}.data`), '--', python, '-c', crunch + ending]);
    assert.equal(result.code, code, `${how}: ${result.stderr}`);
    assert.match(result.stderr, /Thread-1 \(w\)/, `${how}: the summary names the threads`);
    assert.ok(existsSync(report), `${how}: the report is written`);
  }
  assert.deepEqual(leftoverProbes(), []);
});

test('disk full while recording: one line, exit code 2, no half-written recording left', () => {
  const full = join(dir, 'full');
  spawnSync('mkdir', ['-p', full]);
  assert.equal(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=300k', 'tmpfs', full]).status, 0, 'mounts a tiny tmpfs');
  try {
    const result = giltrace(['record', '-o', join(full, 'x.data'), '--', python, join(EXAMPLES, 'two_threads.py')]);
    assertOneLineError(result, /No space left on device/);
    assert.deepEqual(readdirSync(full), [], 'nothing left behind');
  } finally {
    spawnSync('umount', [full]);
  }
  assert.deepEqual(leftoverProbes(), []);
});

test('errors are one line with exit code 2', () => {
  assertOneLineError(giltrace(['stats', join(dir, 'missing.data')]), /cannot read .*missing\.data/);
  const garbage = join(dir, 'garbage.data');
  writeFileSync(garbage, 'this is not a perf.data file, not at all');
  assertOneLineError(giltrace(['stats', garbage]), /garbage\.data/);
  assertOneLineError(giltrace(['record', '-o', join(dir, 'x.data'), '--', 'python9.99', 'app.py']), /python/i);
  assertOneLineError(giltrace(['report', garbage, '-o', join(dir, 'out.txt')]), /\.html/);
  // usage errors too: the option or command, a suggestion, where the options are listed (not the whole help)
  assertOneLineError(giltrace(['run', '--outptu', 'x.html', '--', 'python3', 'app.py']), /unknown option '--outptu' \(Did you mean --output\?\) \(giltrace run --help lists its options\)$/);
  assertOneLineError(giltrace(['record', '--stack-depth', '99', '--', 'python3', 'app.py']), /'99' is invalid.* \(giltrace record --help lists its options\)$/);
  assertOneLineError(giltrace(['statz', garbage]), /unknown command 'statz' \(Did you mean stats\?\) \(giltrace --help lists the commands\)$/);
});

test('run with a report name it cannot write says so before the program runs, not after', () => {
  const result = giltrace(['run', '-o', join(dir, 'app.data'), '--', python, '-c', 'print("the program ran")']);
  assertOneLineError(result, /report format .*app\.data.*--data/);
  assert.doesNotMatch(result.stdout, /the program ran/);
});

test('output into a pipe its reader closed (giltrace stats --json FILE | head) ends quietly: no stack trace, the command\'s own exit code', async () => {
  const fixture = (name: string) => join(EXAMPLES, '..', 'test', 'fixtures', 'python3.12', `${name}.data`);
  for (const args of [['stats', '--json', fixture('two_threads')], ['stats', fixture('two_threads')], ['diff', fixture('two_threads'), fixture('hashlib_threads')]]) {
    const { child, done } = giltraceAsync(args);
    child.stdout!.destroy(); // the reader is gone before giltrace writes a byte
    const result = await done;
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.stderr, '', args.join(' '));
  }
});

// setpriv drops to an unprivileged user (nobody) without a login shell; nobody must be able to read
// the checkout (a clone under a mode-700 folder such as /root is not).
const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
const nobodyReadsCli = spawnSync(asNobody[0], [...asNobody.slice(1), 'test', '-r', CLI]).status === 0;

test('not root: one line saying so', { skip: nobodyReadsCli ? false : `needs a checkout the user nobody can read (${CLI} is not)` }, () => {
  const result = spawnSync(asNobody[0], [...asNobody.slice(1), process.execPath, CLI, 'record', '--', python, '-c', 'pass'], {
    encoding: 'utf8',
    cwd: '/tmp',
  });
  assertOneLineError({ code: result.status, stderr: result.stderr }, /root/);
});

test('perf missing: one line saying how to install it', () => {
  const result = giltrace(['record', '-o', join(dir, 'noperf.data'), '--', python, '-c', 'pass'], {
    env: { ...process.env, PATH: '/nonexistent' },
  });
  assertOneLineError(result, /perf not found.*apt-get install linux-perf/);
  assert.deepEqual(leftoverProbes(), []);
});

test('not a Python program, and no Python on its PATH: one line saying what to pass', () => {
  const noPython = { ...process.env, PATH: '/nonexistent' };
  assertOneLineError(giltrace(['record', '-o', join(dir, 'x.data'), '--', '/bin/true'], { env: noPython }), /not a Python interpreter, and no traceable Python is on PATH; pass --python/);
  assertOneLineError(giltrace(['record', '--python', '/bin/true', '-o', join(dir, 'x.data'), '--', '/bin/true']), /true/);
});

test('doctor checks every prerequisite and passes on this machine', () => {
  const result = giltrace(['doctor']);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  for (const topic of [/root/i, /perf/i, /tracefs/i, /uprobe/i, /sched/i, /python/i]) assert.match(result.stdout, topic);
});

test('two giltrace runs at once do not disturb each other', async () => {
  const runs = [0, 1].map((i) =>
    giltraceAsync(['record', '-o', join(dir, `concurrent-${i}.data`), '--', python, join(PROGRAMS, 'exit_code.py'), String(10 + i)]),
  );
  const results = await Promise.all(runs.map((run) => run.done));
  results.forEach((result, i) => assert.equal(result.code, 10 + i, result.stderr));
  for (let i = 0; i < 2; i++) {
    const stats = giltrace(['stats', join(dir, `concurrent-${i}.data`), '--json']);
    assert.equal(stats.code, 0, stats.stderr);
    assert.equal(JSON.parse(stats.stdout).processes.length, 1, 'each recording has its own traced process');
  }
  assert.deepEqual(leftoverProbes(), []);
});

test('recording over an existing file replaces it (no FILE.old left behind)', () => {
  const data = join(dir, 'again.data');
  for (let i = 0; i < 2; i++) assert.equal(giltrace(['record', '-o', data, '--', python, '-c', 'pass']).code, 0);
  assert.ok(existsSync(data));
  assert.ok(!existsSync(`${data}.old`), 'perf keeps FILE.old unless told otherwise');
});

test('--version prints the package version and exits 0', () => {
  const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const result = giltrace([flag]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), version);
  }
});

test("the giltrace command caps node's young generation for the commands that analyse, not for record", () => {
  // the traced program prints how giltrace's process (its parent) was started
  const script = 'import json, os\nprint("started:", json.dumps(open("/proc/%d/cmdline" % os.getppid()).read().split("\\0")))';
  for (const command of ['record', 'run'] as const) {
    const output = command === 'record' ? ['-o', join(dir, 'young.data')] : ['-o', join(dir, 'young.html'), '--data', join(dir, 'young.data')];
    // as the installed `giltrace` runs: the file itself, whose first lines are a shell script
    const run = spawnSync(CLI, [command, ...output, '--', python, '-c', script], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.status, 0, run.stderr);
    const printed = run.stdout.split('\n').find((line) => line.startsWith('started: '));
    assert.ok(printed, run.stdout);
    const started = JSON.parse(printed.slice('started: '.length)) as string[];
    assert.equal(started.includes('--max-semi-space-size=4'), command === 'run', `${command}: ${started.join(' ')}`);
  }
  assert.deepEqual(leftoverProbes(), []);
});

test("the giltrace command's malloc settings are its own: the traced command gets the caller's GLIBC_TUNABLES as they were", () => {
  const data = join(dir, 'tunables.data');
  // the program prints its own GLIBC_TUNABLES, and what giltrace's process (its parent) was started with
  const script = [
    'import os',
    'print(repr(os.environ.get("GLIBC_TUNABLES")), "GILTRACE_CALLER_GLIBC_TUNABLES" in os.environ)',
    'start = open("/proc/%d/environ" % os.getppid()).read().split("\\0")',
    'print([e for e in start if e.startswith("GILTRACE_CALLER_GLIBC_TUNABLES=")])',
  ].join('\n');
  for (const caller of [undefined, '', 'glibc.malloc.check=0']) {
    const env = { ...process.env };
    delete env.GLIBC_TUNABLES;
    if (caller !== undefined) env.GLIBC_TUNABLES = caller;
    // as the installed `giltrace` runs: the file itself, whose first lines are a shell script
    const run = spawnSync(CLI, ['record', '-o', data, '--', python, '-c', script], { env, encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.status, 0, run.stderr);
    const [own, parent] = run.stdout.trim().split('\n');
    assert.equal(own, `${caller === undefined ? 'None' : `'${caller}'`} False`, `caller's GLIBC_TUNABLES ${caller}`);
    // (giltrace's process was started by its shell lines, which kept the caller's value aside)
    assert.equal(parent, `['GILTRACE_CALLER_GLIBC_TUNABLES=${caller === undefined ? '' : `=${caller}`}']`);
  }
  assert.deepEqual(leftoverProbes(), []);
});
