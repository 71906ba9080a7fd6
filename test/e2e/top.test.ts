/**
 * `giltrace top`, the live view: plain snapshots when not on a terminal (--once, and a command
 * traced to its end), the full-screen view on a terminal (run under script(1), which gives it a
 * pseudo-terminal) quit with q, and the recording it leaves behind; the same sampled (--sample). Needs root, perf and a pyenv
 * Python (3.12, else 3.11).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StatsJson } from '../../src/contract/stats.js';
import { openPerfData } from '../../src/perfdata/index.js';
import { CLI, EXAMPLES, PROGRAMS, giltrace, giltraceAsync, leftoverProbes, pyenvPython, scratchDir } from './giltrace-cli.js';

const dir = scratchDir();
after(() => rmSync(dir, { recursive: true, force: true }));
const python = pyenvPython('3.12') ?? pyenvPython('3.11');
const skip = process.getuid?.() !== 0 ? 'needs root' : python ? false : 'needs a pyenv Python 3.12 or 3.11';
const program = join(PROGRAMS, 'attach_target.py');

/** The percentages of a thread row of a snapshot: [held, wait, no GIL] of the last tick. */
function rowShares(line: string): number[] {
  return [...line.matchAll(/(\d+\.\d)%/g)].slice(0, 3).map((m) => Number(m[1]));
}

/**
 * The program's two crunching threads (rows named `crunchers`) split the GIL: each holds about half of
 * the window and waits the rest.
 */
function assertCrunchersSplitTheGil(stdout: string, pid: number, crunchers: string): void {
  // the program's own block (the child it starts after a second may have one too)
  const block = stdout.split(/\n(?=PID )/).find((part) => part.startsWith(`PID ${pid} `)) ?? '';
  const rows = block.split('\n').filter((line) => line.startsWith(`  ${crunchers} `) && /^\s+\S.*\s\d+\s/.test(line)).map(rowShares).filter((s) => s[0] > 10);
  assert.equal(rows.length, 2, stdout);
  for (const [held, wait] of rows) assert.ok(held > 25 && held < 75 && wait > 20, `held ${held}% wait ${wait}%`);
  assert.match(stdout, /crunch\s+attach_target\.py:\d+/);
}

function startTarget(seconds: number) {
  const child = spawn(python!, [program, String(seconds)], { stdio: ['ignore', 'pipe', 'ignore'] });
  const ready = new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve()));
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, ready, done };
}

test('top --once -p PID prints one snapshot, detaches and leaves a readable recording', { skip }, async () => {
  const target = startTarget(6);
  await target.ready;
  const data = join(dir, 'once.data');
  const top = giltrace(['top', '--once', '-p', String(target.child.pid), '--data', data], { timeoutMs: 60_000 });
  assert.equal(top.code, 0, top.stderr);
  assert.equal(top.stdout.match(/^giltrace top/gm)?.length, 1, `one snapshot:\n${top.stdout}`);
  assert.match(top.stdout, new RegExp(`PID ${target.child.pid}`));
  assert.ok(top.stdout.split('\n').every((line) => [...line].length <= 80), `fits 80 columns:\n${top.stdout}`);
  // named live, as they are found: by what they were started to run
  assertCrunchersSplitTheGil(top.stdout, target.child.pid!, 'python3 (crunch)');
  assert.match(top.stdout, /^  MainThread\s+\d+\s/m);
  assert.ok(spawnSync('kill', ['-0', String(target.child.pid)]).status === 0, 'the program still runs');
  assert.equal(await target.done, 3);
  assert.deepEqual(leftoverProbes(), []);
  const stats = giltrace(['stats', data, '--json']);
  assert.equal(stats.code, 0, stats.stderr);
  const parsed = JSON.parse(stats.stdout) as StatsJson;
  assert.ok(parsed.processes.some((p) => p.pid === target.child.pid && /attach_target/.test(p.command)), stats.stdout.slice(0, 400));
});

test('top --once -p PID shows a thread that waited behind a holder since before it attached as waiting from the start, where it asked', { skip }, async () => {
  const target = spawn(python!, [join(PROGRAMS, 'long_holds.py')], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    await new Promise<void>((resolve) => target.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve()));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const top = giltrace(['top', '--once', '-p', String(target.pid), '--data', join(dir, 'long-holds.data')], { timeoutMs: 60_000 });
    assert.equal(top.code, 0, top.stderr);
    const row = (name: string) => rowShares(top.stdout.split('\n').find((line) => line.startsWith(`  python3 (${name}) `)) ?? '');
    // the holder keeps the GIL 500 ms at a time: [held, wait, no GIL] of the one interval
    assert.ok(row('holder')[0] > 90, top.stdout);
    assert.ok(row('spinner')[1] > 90, top.stdout);
    // the functions table's last column (wait): the spinner asked for the GIL in spinner(), most of the window
    const ms = (value: string, unit: string) => Number(value) * (unit === 's' ? 1000 : 1);
    const window = /^giltrace top · .* · last (\d+(?:\.\d+)?) (ms|s)$/m.exec(top.stdout);
    const spinnerWait = /^  spinner\s+long_holds\.py:\d+\s.*\s(\d+(?:\.\d+)?) (ms|s)$/m.exec(top.stdout);
    assert.ok(window && spinnerWait && ms(spinnerWait[1], spinnerWait[2]) > 0.8 * ms(window[1], window[2]), top.stdout);
  } finally {
    target.kill();
  }
  assert.deepEqual(leftoverProbes(), []);
});

test('top --once -- CMD shares held time among the functions its holder samples saw running, as stats does, not where holds ended', { skip }, () => {
  // work_then_release.py spends its holds in work() and ends every one in release()
  const top = giltrace(['top', '--once', '--data', join(dir, 'work.data'), '--', python!, join(PROGRAMS, 'work_then_release.py'), '1500'], { timeoutMs: 60_000 });
  assert.equal(top.code, 0, top.stderr);
  const rows = top.stdout.split('\n').filter((line) => /^  (work|release)\s+\S*_then_release\.py:\d+\s/.test(line));
  const othersWaited = (name: string) => {
    const fields = rows.find((line) => line.startsWith(`  ${name} `))?.trim().split(/\s{2,}/) ?? [];
    // function, where, held, others waited, wait
    const [value, unit] = (fields[3] ?? '0 ns').split(' ');
    return Number(value) * ({ ns: 1, 'µs': 1e3, ms: 1e6, s: 1e9 }[unit] ?? NaN);
  };
  assert.ok(othersWaited('work') > 4 * othersWaited('release'), top.stdout);
  // and the line of work() its samples saw most, with its text
  assert.match(top.stdout, /^  work mostly at line 1[56] \(\d+\.\d%\): (for i in range\(50_000\):|total \+= i)$/m);
});

test('top --once -- CMD says the line the threads waited after most (the probes\' drop lines), its drops named from code addresses as they come', { skip }, () => {
  // wait_lines.py's waiter gives the GIL up twice a round at its sleep line, once at its stat line
  const data = join(dir, 'waits.data');
  const top = giltrace(['top', '--once', '--data', data, '--', python!, join(PROGRAMS, 'wait_lines.py')], { timeoutMs: 60_000 });
  assert.equal(top.code, 0, top.stderr);
  assert.match(top.stdout, /^  waiter: waits mostly after line \d+ \(\d+\.\d%\): time\.sleep\(0\.0002\)$/m);
  // the cheap probe (code addresses, named by the holder sampler: the view reads perf's bytes
  // only as far as they are named); its waits are the waiter's, not <unknown>'s nor frameless
  const drop = openPerfData(data).eventTypes.find((t) => /:drop$/.test(t.name));
  assert.ok(drop?.field('co0') && !drop.field('fn0'), `the drop probe read code addresses: ${drop?.fields.map((f) => f.name).join(' ')}`);
  const waitOf = (name: string): number => {
    const fields = top.stdout.split('\n').find((line) => line.startsWith(`  ${name} `))?.trim().split(/\s{2,}/) ?? [];
    const [value, unit] = (fields.at(-1) ?? '0 ns').split(' ');
    return Number(value) * ({ ns: 1, 'µs': 1e3, ms: 1e6, s: 1e9 }[unit] ?? NaN);
  };
  assert.ok(waitOf('waiter') > 300e6, top.stdout);
  assert.ok(waitOf('<unknown>') + waitOf('<no Python frame>') < 0.1 * waitOf('waiter'), top.stdout);
});

test('top -p PID into a pipe whose reader leaves (top -p PID | head) detaches: exit 0, no stack trace, the program runs on', { skip }, async () => {
  const target = startTarget(8);
  await target.ready;
  const top = giltraceAsync(['top', '-p', String(target.child.pid), '--data', join(dir, 'piped.data')]);
  // the reader takes the first snapshot, then is gone
  await new Promise<void>((resolve) => top.child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('giltrace top') && resolve()));
  top.child.stdout!.destroy();
  const result = await top.done;
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /at |Error/, result.stderr);
  assert.ok(spawnSync('kill', ['-0', String(target.child.pid)]).status === 0, 'the program still runs');
  assert.equal(await target.done, 3);
  assert.deepEqual(leftoverProbes(), []);
});

test('top -- CMD off a terminal prints a snapshot a second with Python thread names, and exits with the command', { skip }, () => {
  const top = giltrace(['top', '--data', join(dir, 'cmd.data'), '--', python!, program, '2.5'], { timeoutMs: 60_000 });
  assert.equal(top.code, 3, top.stderr);
  const snapshots = top.stdout.match(/^giltrace top/gm)?.length ?? 0;
  assert.ok(snapshots >= 2, `snapshots: ${snapshots}\n${top.stdout}`);
  assert.match(top.stdout, /cruncher-0/);
  assert.match(top.stdout, /checksum \d+ child 0/, 'the program wrote its output');
  assert.deepEqual(leftoverProbes(), []);
});

test('top --sample --once -p PID: one sampled snapshot, no probes, the program runs on; the recording left is a sampled one', { skip: python ? false : 'needs a pyenv Python 3.12 or 3.11' }, async () => {
  const target = startTarget(6);
  await target.ready;
  const data = join(dir, 'sampled-once.data');
  const top = giltrace(['top', '--sample', '--once', '-p', String(target.child.pid), '--data', data], { timeoutMs: 60_000 });
  assert.equal(top.code, 0, top.stderr);
  assert.equal(top.stdout.match(/^giltrace top /gm)?.length, 1, `one snapshot:\n${top.stdout}`);
  // what sampling costs, live: the sampler tells its CPU time as it goes (attached, it keeps
  // within its budget from the first tick, ticking less often than asked: tick-budget.ts)
  const cost = /^sampled (\d+) times a second \(giltrace: (\d+\.\d)% of a CPU\): the shares are estimates$/m.exec(top.stdout);
  assert.ok(cost && Number(cost[1]) >= 20 && Number(cost[1]) <= 1000 && Number(cost[2]) > 0 && Number(cost[2]) < 100, top.stdout);
  assert.ok(top.stdout.split('\n').every((line) => [...line].length <= 80), `fits 80 columns:\n${top.stdout}`);
  // an attached process does not tell its threads' names: the main thread is Python's, the
  // others named by what they were started to run
  assertCrunchersSplitTheGil(top.stdout, target.child.pid!, 'python3 (crunch)');
  assert.match(top.stdout, new RegExp(`^  MainThread +${target.child.pid} `, 'm'));
  assert.ok(spawnSync('kill', ['-0', String(target.child.pid)]).status === 0, 'the program still runs');
  assert.equal(await target.done, 3);
  const stats = giltrace(['stats', data, '--json']);
  assert.equal(stats.code, 0, stats.stderr);
  const parsed = JSON.parse(stats.stdout) as StatsJson;
  assert.ok(parsed.recording.sampling, 'a sampled recording');
  assert.ok(parsed.processes.some((p) => p.pid === target.child.pid), stats.stdout.slice(0, 400));
});

test('top --sample -- CMD off a terminal prints a snapshot a second whose totals end as the recording\'s stats, and exits with the command', { skip: python ? false : 'needs a pyenv Python 3.12 or 3.11' }, () => {
  const top = giltrace(['top', '--sample', '--data', join(dir, 'sampled-cmd.data'), '--', python!, program, '2.5'], { timeoutMs: 60_000 });
  assert.equal(top.code, 3, top.stderr);
  const snapshots = top.stdout.split(/\n(?=giltrace top)/).filter((s) => s.startsWith('giltrace top'));
  assert.ok(snapshots.length >= 2, `snapshots: ${snapshots.length}\n${top.stdout}`);
  assert.match(top.stdout, /cruncher-0/);
  assert.match(top.stdout, /checksum \d+ child 0/, 'the program wrote its output');
  // the last snapshot runs to the recording's end: its totals since the start are the whole
  // recording's, as stats reads it
  const stats = JSON.parse(giltrace(['stats', '--json', join(dir, 'sampled-cmd.data')]).stdout) as StatsJson;
  for (const name of ['cruncher-0', 'cruncher-1']) {
    const row = snapshots.at(-1)!.split('\n').find((line) => line.trim().startsWith(`${name} `)) ?? '';
    const sinceStart = [...row.matchAll(/(\d+\.\d)%/g)].slice(3, 5).map((m) => Number(m[1]) / 100);
    const thread = stats.processes.flatMap((p) => p.threads).find((t) => t.name === name)!;
    const whole = [thread.held_ns / thread.lifetime_ns, thread.wait_ns / thread.lifetime_ns];
    for (let i = 0; i < 2; i++) assert.ok(Math.abs(sinceStart[i] - whole[i]) < 0.01, `${name}: live ${sinceStart.join('/')} vs stats ${whole.map((x) => x.toFixed(3)).join('/')}\n${row}`);
  }
});

test('top --once -- CMD that ends before the first interval still prints its one snapshot (exact and sampled)', { skip }, () => {
  for (const mode of [[], ['--sample']]) {
    const top = giltrace(['top', ...mode, '--once', '--data', join(dir, `short${mode.length}.data`), '--', python!, join(EXAMPLES, 'two_threads.py')], { timeoutMs: 60_000 });
    assert.equal(top.code, 0, top.stderr);
    assert.equal(top.stdout.match(/^giltrace top/gm)?.length, 1, `${mode.join(' ') || 'exact'}: one snapshot:\n${top.stdout}`);
    assert.match(top.stdout, /some_computation/);
  }
});

const scriptMissing = spawnSync('script', ['--version']).status === 0 ? false : 'needs script(1) (util-linux) for a pseudo-terminal';

test('top on a terminal draws in the alternate screen and q quits, leaving the program running', { skip: skip || scriptMissing }, async () => {
  const target = startTarget(8);
  await target.ready;
  const command = `${process.execPath} ${CLI} top -p ${target.child.pid} --data ${join(dir, 'tty.data')}`;
  const run = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, COLUMNS: '80', LINES: '24' } });
  let out = '';
  run.stdout.on('data', (chunk) => (out += chunk));
  // q once the view has drawn at least once
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (out.includes('since start')) {
        clearInterval(check);
        resolve();
      }
    }, 100);
  });
  const quitAt = Date.now();
  run.stdin.write('q');
  const code = await new Promise<number | null>((resolve) => run.on('exit', (c) => resolve(c)));
  assert.equal(code, 0, out.slice(-2000));
  assert.ok(Date.now() - quitAt < 5_000, 'q quits promptly');
  assert.ok(out.includes('\x1b[?1049h') && out.includes('\x1b[?1049l'), 'alternate screen entered and left');
  assert.match(out, /q quits/);
  assert.ok(spawnSync('kill', ['-0', String(target.child.pid)]).status === 0, 'the program still runs');
  target.child.kill();
  await target.done;
  assert.deepEqual(leftoverProbes(), []);
});
