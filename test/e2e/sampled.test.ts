/**
 * The sampled mode (`--sample`) against the truth: on one run recorded both ways at once (exact
 * tracing around a giltrace that samples the program), every cruncher's held and wait shares are
 * within 0.05 of the exact ones, on every interpreter here. Then what a user sees: the program
 * runs unchanged, attaching leaves it running, a user samples their own process without root,
 * and what cannot be sampled says why.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { StatsJson, ThreadStats } from '../../src/contract/stats.js';
import { CLI, EXAMPLES, PROGRAMS, PYENV_MINORS, REPO, giltrace, isAlive, pyenvPython, scratchDir } from './giltrace-cli.js';
import { pyenvPython2 } from './untraced-comparison.js';

const dir = scratchDir();
after(() => rmSync(dir, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;
const python2 = pyenvPython2();
const DEBIAN_PYTHON = '/usr/bin/python3.11';
const python = pyenvPython('3.12') ?? pyenvPython('3.11');
const skip = python ? false : 'needs a pyenv Python 3.12 or 3.11';

/** The largest gap allowed between a sampled share and the exact one (the bound). */
const SHARE_BOUND = 0.05;

function statsOf(file: string): StatsJson {
  const run = giltrace(['stats', '--json', file]);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as StatsJson;
}

/** One run of the program, recorded exactly (perf probes, outside) and sampled (giltrace inside). */
function bothWays(interpreter: string, script: string, args: readonly string[], name: string): { exact: StatsJson; sampled: StatsJson } {
  const exact = join(dir, `${name}.exact.data`);
  const sampled = join(dir, `${name}.sampled.data`);
  const inner = [process.execPath, CLI, 'record', '--sample', '-o', sampled, '--', interpreter, script, ...args];
  const run = giltrace(['record', '--python', interpreter, '-o', exact, '--', ...inner], { timeoutMs: 120_000 });
  assert.equal(run.code, 0, run.stderr);
  const stats = { exact: statsOf(exact), sampled: statsOf(sampled) };
  // a thread is not reported again after it exited (a tid twice: a ghost after its X line)
  const tids = stats.sampled.processes.flatMap((p) => p.threads.map((t) => t.tid));
  assert.equal(new Set(tids).size, tids.length, `each sampled thread once: ${tids.join(' ')}`);
  return stats;
}

const share = (t: ThreadStats) => ({ held: t.held_ns / t.lifetime_ns, wait: t.wait_ns / t.lifetime_ns, runnable: t.runnable_ns / t.lifetime_ns });

/** Threads named so in the exact recording (by tid) whose sampled held or wait share is off the exact one by more than the bound. */
function outOfBound(exact: StatsJson, sampled: StatsJson, names = /^cruncher-|some_computation/, bound = SHARE_BOUND): string[] {
  const sampledThreads = new Map(sampled.processes.flatMap((p) => p.threads.map((t) => [t.tid, t])));
  const crunchers = exact.processes.flatMap((p) => p.threads).filter((t) => names.test(t.name));
  assert.ok(crunchers.length >= 2, `crunchers in the exact recording: ${crunchers.map((t) => t.name).join(', ')}`);
  const off: string[] = [];
  for (const t of crunchers) {
    const s = sampledThreads.get(t.tid);
    if (!s) {
      off.push(`${t.name} (tid ${t.tid}) not sampled`);
      continue;
    }
    const [e, m] = [share(t), share(s)];
    // and waiting for a CPU: /proc says `R` running or not; the kernel's run delay tells (it was
    // 0.006-0.010 sampled against 0.061-0.069 exactly for four crunchers before, 12-06)
    const gap = Math.max(Math.abs(e.held - m.held), Math.abs(e.wait - m.wait), Math.abs(e.runnable - m.runnable));
    if (gap > bound) off.push(`${t.name}: held ${e.held.toFixed(3)} exact / ${m.held.toFixed(3)} sampled, wait ${e.wait.toFixed(3)} / ${m.wait.toFixed(3)}, runnable ${e.runnable.toFixed(3)} / ${m.runnable.toFixed(3)}`);
  }
  return off;
}

/**
 * Sampling error is random (and a loaded machine delays ticks): a run out of bound is tried
 * again, up to `tries` runs; the last run's findings are returned. `check` runs the program and
 * asserts what must hold on every run, returning what is out of bound.
 */
function offAfterTries(tries: number, what: string, check: (attempt: number) => string[]): string[] {
  let off: string[] = [];
  for (let attempt = 0; attempt < tries; attempt++) {
    off = check(attempt);
    if (off.length === 0) break;
    console.error(`# ${what}, attempt ${attempt + 1}: ${off.join('; ')}`);
  }
  return off;
}

const interpreters: [string, string | undefined][] = [
  // 3.6 and 3.7 past the 3.8-3.13: 3.6 keeps its GIL in static variables (no _PyRuntime)
  ...['3.6', '3.7', ...PYENV_MINORS].map((m): [string, string | undefined] => [`pyenv ${m}`, pyenvPython(m)]),
  ["Debian's python3.11", existsSync(DEBIAN_PYTHON) ? DEBIAN_PYTHON : undefined],
];

const programs: { label: string; script: string; args: string[] }[] = [
  // two crunchers a second each (the two-thread example's shape, long enough for ~1000 ticks a thread)
  { label: 'two threads', script: join(PROGRAMS, 'delayed_crunchers.py'), args: ['2', '1'] },
  { label: 'four contended threads', script: join(PROGRAMS, 'delayed_crunchers.py'), args: ['4', '0.5'] },
];

for (const [label, interpreter] of interpreters) {
  const why = !isRoot ? 'needs root (the exact recording beside it)' : interpreter ? false : `${label} not installed`;
  test(`sampled shares agree with exact tracing on the same run within ${SHARE_BOUND}: ${label}`, { skip: why }, () => {
    for (const program of programs) {
      const off = offAfterTries(2, `${label}, ${program.label}`, () => {
        const { exact, sampled } = bothWays(interpreter!, program.script, program.args, `${label}-${program.label}`.replace(/\W+/g, '_'));
        assert.ok(sampled.recording.sampling, 'the sampled stats say how they were sampled');
        return outOfBound(exact, sampled);
      });
      assert.deepEqual(off, [], `${label}, ${program.label}`);
    }
  });
}

test('run --sample: the program prints and exits as untraced; the summary says it sampled and names the crunchers\' wait', { skip }, () => {
  const data = join(dir, 'run.data');
  const html = join(dir, 'run.html');
  const run = giltrace(['run', '--sample', '--data', data, '-o', html, '--', python!, join(EXAMPLES, 'two_threads.py')]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /Sampled \d+ ticks at \d+\/s/);
  assert.match(run.stderr, /GIL-bound|contended/);
  assert.match(readFileSync(html, 'utf8'), /"sampling":\{"hz":1000,/, 'the report carries how it was sampled');
  const stats = statsOf(data);
  // what sampling cannot see between ticks (a last hold before a thread exits, a hold begun and
  // ended unseen) is inferred, not an event that does not fit
  assert.doesNotMatch(run.stderr, /did not fit|missing or out of step/);
  assert.deepEqual(stats.processes[0].anomalies, {});
  const workers = stats.processes[0].threads.filter((t) => t.tid !== stats.processes[0].pid);
  assert.equal(workers.length, 2);
  for (const t of workers) {
    assert.ok(t.wait_ns / t.lifetime_ns > 0.2, `a cruncher waits: ${JSON.stringify(share(t))}`);
    assert.ok((t.samples ?? 0) > 100, `samples: ${t.samples}`);
  }
  const exit = giltrace(['record', '--sample', '-o', join(dir, 'exit.data'), '--', python!, join(PROGRAMS, 'exit_code.py'), '7']);
  assert.equal(exit.code, 7, exit.stderr);
});

test('a sampled run names threads as the program does (giltrace\'s hook writes the names to a file of its own, gone afterwards); python -S gets no hook', { skip }, () => {
  const namesFiles = () => readdirSync(tmpdir()).filter((f) => f.startsWith('giltrace-names-')).sort();
  const before = namesFiles();
  const data = join(dir, 'names.data');
  const script = [
    'import threading, time',
    'def spin():',
    '    end = time.monotonic() + 0.4',
    '    while time.monotonic() < end: pass',
    'ts = [threading.Thread(target=spin, name=n) for n in ("worker-a", "worker-b")]',
    '[t.start() for t in ts]',
    'ts[1].name = "renamed-b"',
    // shorter than the 100 ms between reads of the names file: named from a read at its end
    'brief = threading.Thread(target=time.sleep, args=(0.03,), name="brief")',
    'brief.start(); brief.join()',
    '[t.join() for t in ts]',
  ].join('\n');
  const run = giltrace(['record', '--sample', '-o', data, '--', python!, '-c', script]);
  assert.equal(run.code, 0, run.stderr);
  const names = statsOf(data).processes[0].threads.map((t) => t.name).sort();
  assert.deepEqual(names, ['MainThread', 'brief', 'renamed-b', 'worker-a']);
  assert.deepEqual(namesFiles(), before, 'no names file left behind');
  // -S: no site, so no hook; its folder is not put on the program's path either
  const plain = giltrace(['record', '--sample', '-o', join(dir, 'no-site.data'), '--', python!, '-S', '-c', 'import os, sys; print(os.environ.get("PYTHONPATH"), "giltrace_site" in str(sys.path))']);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.stdout.trim(), `${process.env.PYTHONPATH ?? 'None'} False`);
});

test('giltrace\'s hook keeps the GIL while it writes a thread\'s name: a thread starts as fast beside a busy one as untraced', { skip }, () => {
  // Each GIL release in the hook at a thread's start costs the thread a switch interval (5 ms)
  // beside a thread that never lets go: writing the name with os.open/os.write/os.close made
  // each start 10 ms slower (15.9 ms against 5.2 ms untraced, 12-05).
  const script = [
    'import threading, time',
    'stop = False',
    'def spin():',
    '    while not stop: pass',
    'threading.Thread(target=spin).start()',
    'delays = []',
    'for k in range(20):',
    '    began = []',
    '    t0 = time.monotonic()',
    '    t = threading.Thread(target=lambda: began.append(time.monotonic()), name="short-%d" % k)',
    '    t.start(); t.join()',
    '    delays.append(began[0] - t0)',
    '    time.sleep(0.01)',
    'stop = True',
    'print(sorted(delays)[10] * 1000)',
  ].join('\n');
  // a loaded machine delays a start by a few ms now and then (8.7 against 5.3 ms once in CI,
  // 12-07): tried again, the bug's 10 ms are there every time
  const off = offAfterTries(3, 'thread starts beside a spinner', () => {
    const untraced = spawnSync(python!, ['-c', script], { encoding: 'utf8' });
    const sampled = giltrace(['record', '--sample', '-o', join(dir, 'hook-gil.data'), '--', python!, '-c', script]);
    assert.equal(sampled.code, 0, sampled.stderr);
    const [plain, withHook] = [Number(untraced.stdout), Number(sampled.stdout)];
    return withHook < plain + 3 ? [] : [`median ms from start() to the thread running: ${withHook.toFixed(2)} sampled, ${plain.toFixed(2)} untraced`];
  });
  assert.deepEqual(off, []);
});

test('sampling names the functions: hot() tops the GIL time held while others waited, the waiter waits in hasher()', { skip }, () => {
  const data = join(dir, 'functions.data');
  const run = giltrace(['record', '--sample', '-o', data, '--', python!, join(PROGRAMS, 'hot_and_hasher.py')]);
  assert.equal(run.code, 0, run.stderr);
  const stats = statsOf(data);
  const functions = stats.processes[0].functions ?? [];
  assert.equal(functions[0]?.name, 'hot', JSON.stringify(functions.slice(0, 3).map((f) => [f.name, f.held_while_others_wait_ns])));
  assert.match(functions[0].file, /hot_and_hasher\.py$/);
  assert.equal(functions[0].line, 11);
  assert.deepEqual(functions[0].stacks[0]?.callers.slice(0, 1), ['spin']);
  const hasher = functions.find((f) => f.name === 'hasher');
  assert.ok(hasher && hasher.wait_ns > 0, 'the hasher thread waits where it asked for the GIL back');
  // its holds are µs long, seldom seen: its waits once went to the last hold seen, in giltrace's
  // own hook naming the thread at its start (1 run in 3); the hook is never the program's function
  assert.deepEqual(functions.filter((f) => /giltrace_site/.test(f.file)).map((f) => f.name), []);
  const thread = stats.processes[0].threads.find((t) => t.name === 'hasher')!;
  assert.ok(hasher.wait_ns >= 0.75 * thread.wait_ns, `the hasher thread waited ${thread.wait_ns} ns, ${hasher.wait_ns} of them in hasher()`);
});

test(`a thread that takes the GIL back and lets go of it at once for C code (hashing) is not waiting: within ${SHARE_BOUND} of exact tracing`, { skip: skip || (!isRoot && 'needs root (the exact recording beside it)') }, () => {
  // Seen waiting at one tick, running C code without the GIL at the next: it took the GIL between
  // (switch_number, last_holder). Ticks come late just when both threads get busy: changes are
  // placed halfway since the previous tick. Before either, the hasher waited 0.43 instead of 0.32
  // (every run); now +0.00-0.05 (this thread lives 0.3 s: ~300 ticks), so a third try is allowed.
  const off = offAfterTries(3, 'hot_and_hasher.py', (attempt) => {
    const { exact, sampled } = bothWays(python!, join(PROGRAMS, 'hot_and_hasher.py'), [], `hasher-${attempt}`);
    return outOfBound(exact, sampled, /^(hasher|spinner)$/);
  });
  assert.deepEqual(off, []);
});

const POOL_BOUND = 0.12;
test(`a thread hashing between short holds beside a contended pool is not waiting while it hashes: within ${POOL_BOUND} of exact tracing`, { skip: skip || (!isRoot && 'needs root (the exact recording beside it)') }, () => {
  // Seen holding at one tick and on a CPU without the GIL at the next, not put on a CPU since:
  // it never left it, so it let go of its own (a thread made to let go sleeps); seen waiting and
  // put on a CPU since: it took the GIL. Before these, the hasher waited 0.82 of its life sampled
  // against 0.55 exactly; since, +0.05-0.09 (what is left: threads preempted in their C code).
  const off = offAfterTries(2, 'pool_and_hasher.py', (attempt) => {
    const { exact, sampled } = bothWays(python!, join(PROGRAMS, 'pool_and_hasher.py'), [], `pool-${attempt}`);
    return outOfBound(exact, sampled, /^(hasher|MainThread)$/, POOL_BOUND);
  });
  assert.deepEqual(off, []);
});

test('a thread per task, each younger than the sampler\'s last listing of threads: the GIL held as long sampled as exactly, within 0.1, the tasks\' holds seen, the main thread\'s not overstated, its waits seen', { skip: skip || (!isRoot && 'needs root (the exact recording beside it)') }, () => {
  // Their thread states are made at one address, one after another: a thread id kept by address
  // named a thread gone, and unlisted holders were not looked at: sampled 0.55-0.65 held against
  // 0.89 exactly, the tasks 45 ms of 835 (12-05). Then the main thread was read holding asleep
  // (a GIL read a moment before its syscall file): held 0.24 against 0.13, and tasks' holds
  // that ended before their look were lost (12-05 evening: 0.80-0.84 against 0.86, main 0.09-0.17).
  const { exact, sampled } = bothWays(python!, join(PROGRAMS, 'thread_per_task.py'), [], 'per-task');
  const program = (stats: StatsJson) => stats.processes.find((p) => /thread_per_task/.test(p.command))!;
  const held = (stats: StatsJson) => program(stats).gil.held_ns / program(stats).duration_ns;
  const main = (stats: StatsJson) => program(stats).threads.find((t) => t.tid === program(stats).pid)!;
  const tasksHeld = (stats: StatsJson) => program(stats).threads.filter((t) => t.tid !== program(stats).pid).reduce((sum, t) => sum + t.held_ns, 0);
  assert.ok(Math.abs(held(sampled) - held(exact)) <= 0.1, `GIL held ${held(sampled).toFixed(3)} sampled, ${held(exact).toFixed(3)} exactly`);
  assert.ok(tasksHeld(sampled) > 0.7 * tasksHeld(exact), `the tasks held ${(tasksHeld(sampled) / 1e6).toFixed(0)} ms sampled, ${(tasksHeld(exact) / 1e6).toFixed(0)} ms exactly`);
  assert.ok(share(main(sampled)).held <= share(main(exact)).held + SHARE_BOUND, `the main thread held ${share(main(sampled)).held.toFixed(3)} sampled, ${share(main(exact)).held.toFixed(3)} exactly`);
  // Woken in take_gil and not yet back on a CPU, the main thread looked like a thread running C
  // code until the GIL's cond was asked how many wait in it (12-06: 0.27-0.32 against 0.49-0.51
  // exactly before, 0.03-0.06 under in 7 runs since). Since ticks preempt (sampler-slice.ts),
  // 0.04-0.125 under in 7 runs: a tick here takes ~370 µs (three files opened for each new
  // thread), and when it preempts the task holding the GIL the main thread waits that much
  // longer, right after the snapshot that cannot see it; the exact recording does (at the
  // ticks' times it finds the main thread waiting 0.41 of them, 0.52 of the run).
  assert.ok(Math.abs(share(main(sampled)).wait - share(main(exact)).wait) <= 0.15, `the main thread waited ${share(main(sampled)).wait.toFixed(3)} sampled, ${share(main(exact)).wait.toFixed(3)} exactly`);
});

test('holds shorter than a look: two threads handing work back and forth through Event are seen holding (the tick\'s snapshot, taken as its timer fires)', { skip: skip || (!isRoot && 'needs root (the exact recording beside it)') }, () => {
  // Each holds ~10 µs and is asleep in its next wait by its look: sampled holding 0.06 of the run
  // when a holder asleep at its look counted as having let go, and when a tick's wake-up waited
  // for a thread to sleep (12-06; 0.40-0.47 since, the GIL read alone at 1 kHz finding it held
  // 0.35-0.40). Exact tracing's holds are longer here (its traps, ~12 µs a cycle, double the
  // run): 0.66-0.77. So: at least 0.45 of exact's, and not over it.
  const { exact, sampled } = bothWays(python!, join(PROGRAMS, 'event_pingpong.py'), [], 'event-pingpong');
  const program = (stats: StatsJson) => stats.processes.find((p) => /event_pingpong/.test(p.command))!;
  const held = (stats: StatsJson) => program(stats).gil.held_ns / program(stats).duration_ns;
  assert.ok(held(sampled) >= 0.45 * held(exact) && held(sampled) <= held(exact) + SHARE_BOUND, `GIL held ${held(sampled).toFixed(3)} sampled, ${held(exact).toFixed(3)} exactly`);
  // each seen holding; how the two split it leans run to run (one thread 0.063 in 1 run of 18,
  // 0.10-0.30 each in 5 others, against ~0.4 each exactly: one is seen waiting more, 0.07-0.22
  // against 0.03-0.06; why is not known)
  for (const name of ['ping', 'pong']) {
    const thread = program(sampled).threads.find((t) => t.name === name);
    assert.ok(thread && share(thread).held >= 0.04, `${name} seen holding: ${thread && share(thread).held.toFixed(3)}`);
  }
  assert.deepEqual(sampled.recording.warnings.filter((w) => /time slice/.test(w)), [], 'the sampler got its short slice');
});

test('a holder asleep for long, then idle: its release is seen at the next tick, not at its turn among idle threads (no second holder), shares within 0.05 of exact tracing', { skip: skip || (!isRoot && 'needs root (the exact recording beside it)') }, () => {
  // Asleep holding for a hundred looks, the holder was looked at in turn with the idle threads
  // once it let go: the spinner's take came first, two holders at once (second_holder 6 and
  // drop_while_not_holding 6 in every run, the spinner's held share once 0.43 against 0.54).
  // (the spinner's runnable share once 0.016 sampled against 0.075 exactly in a loaded CI run:
  // tried again then, as the crunchers are; the anomalies are checked on every run)
  const off = offAfterTries(2, 'asleep_holds_then_idle.py', (attempt) => {
    const { exact, sampled } = bothWays(python!, join(PROGRAMS, 'asleep_holds_then_idle.py'), [], `asleep-holds-${attempt}`);
    assert.deepEqual(sampled.processes[0].anomalies, {});
    return outOfBound(exact, sampled, /^(holder|spinner)$/);
  });
  assert.deepEqual(off, []);
});

test('sampling sees the GIL held off the CPU: a thread asleep in usleep() while holding it', { skip }, () => {
  const data = join(dir, 'usleep.data');
  const run = giltrace(['record', '--sample', '-o', data, '--', python!, join(PROGRAMS, 'usleep_holder.py')]);
  assert.equal(run.code, 0, run.stderr);
  const threads = statsOf(data).processes[0].threads;
  const holder = threads.reduce((a, b) => (a.held_asleep_ns > b.held_asleep_ns ? a : b));
  assert.ok(holder.held_asleep_ns > 200e6, `held asleep ${holder.held_asleep_ns} ns (the program sleeps 300 ms holding it)`);
  const spinner = threads.find((t) => t.tid !== holder.tid && t.wait_ns > 200e6);
  assert.ok(spinner, 'the other thread waited through the sleep');
});

test('attach -p --sample samples a running program for --duration and leaves it running', { skip }, async () => {
  const target = spawn(python!, [join(PROGRAMS, 'delayed_crunchers.py'), '2', '3'], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => setTimeout(resolve, 700));
    const data = join(dir, 'attached.data');
    const run = giltrace(['record', '--sample', '-p', String(target.pid), '--duration', '1', '-o', data]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`sampling ${target.pid} `));
    assert.ok(isAlive(target.pid!), 'the program runs on');
    const threads = statsOf(data).processes[0].threads;
    assert.equal(threads.length, 3);
    for (const t of threads.filter((t) => t.tid !== target.pid)) assert.ok(t.held_ns / t.lifetime_ns > 0.3, JSON.stringify(share(t)));
  } finally {
    target.kill();
  }
});

for (const minor of ['3.6', '3.10', '3.12', '3.13']) {
  const interpreter = pyenvPython(minor);
  test(`attached, its threads are named by what they were started to run: ${minor}`, { skip: interpreter ? false : `pyenv ${minor} not installed` }, async () => {
    const target = spawn(interpreter!, [join(PROGRAMS, 'thread_entries.py')], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise<void>((resolve) => target.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve()));
      const data = join(dir, `entries-${minor}.data`);
      const run = giltrace(['record', '--sample', '-p', String(target.pid), '--duration', '1', '-o', data]);
      assert.equal(run.code, 0, run.stderr);
      const names = statsOf(data).processes[0].threads.map((t) => t.name).sort();
      // 3.11+ names code by its qualified name
      const [poller, server] = Number(minor.split('.')[1]) >= 11 ? ['Poller.run', 'Server.serve'] : ['run', 'serve'];
      assert.deepEqual(names, ['MainThread', `python3 (${poller})`, `python3 (${server})`, 'python3 (_worker)', 'python3 (worker)'].sort());
    } finally {
      target.kill();
    }
  });
}

test('what cannot be sampled says why, in one line, exit code 2', { skip }, () => {
  const bad = giltrace(['record', '--sample=0', '--', python!, '-c', 'pass']);
  assert.equal(bad.code, 2);
  const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    const notPython = giltrace(['record', '--sample', '-p', String(sleeper.pid), '-o', join(dir, 'sleep.data')]);
    assert.equal(notPython.code, 2);
    assert.match(notPython.stderr, new RegExp(`^giltrace: cannot sample process ${sleeper.pid}: not Python`, 'm'));
    assert.equal(notPython.stderr.trim().split('\n').length, 1, notPython.stderr);
    assert.ok(!existsSync(join(dir, 'sleep.data')), 'no recording is left behind');
  } finally {
    sleeper.kill();
  }
});

test('a Python the sampled mode does not know is named at once, however short its life (Python 2.7)', { skip: python2 ? false : "needs pyenv's Python 2.7" }, () => {
  const data = join(dir, 'py27.data');
  const run = giltrace(['record', '--sample', '-o', data, '--', python2!, '-c', 'import time; time.sleep(0.3)']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /^giltrace: not sampled: process \d+: Python 2\.7 \(.*\): the sampled mode knows 3\.6 to 3\.13$/m);
  assert.doesNotMatch(run.stderr, /no Python process was seen/);
  const stats = giltrace(['stats', data]);
  assert.match(stats.stdout + stats.stderr, /was not sampled: Python 2\.7/);
});

const python36 = pyenvPython('3.6');
const objcopy = spawnSync('objcopy', ['--version']).status === 0;

test('a stripped 3.6 (its GIL is static variables) says why it cannot be sampled, and is sampled once its debug file is there', {
  skip: !python36 ? 'needs pyenv 3.6' : !objcopy ? 'needs objcopy (binutils)' : false,
}, () => {
  // a distribution's way: the library stripped, its symbols in a debug file its .gnu_debuglink names
  const lib = join(dir, 'stripped36');
  const staging = join(dir, 'debug-package');
  mkdirSync(lib, { recursive: true });
  mkdirSync(staging, { recursive: true });
  const original = join(dirname(dirname(python36!)), 'lib', 'libpython3.6m.so.1.0');
  const [stripped, staged] = [join(lib, 'libpython3.6m.so.1.0'), join(staging, 'libpython3.6m.so.1.0.debug')];
  assert.equal(spawnSync('objcopy', ['--only-keep-debug', original, staged]).status, 0);
  assert.equal(spawnSync('objcopy', ['--strip-all', `--add-gnu-debuglink=${staged}`, original, stripped]).status, 0);
  const env = { ...process.env, LD_LIBRARY_PATH: lib };
  // no debug file: named, once the grace for a process caught in its exec is over
  const none = giltrace(['record', '--sample', '-o', join(dir, 'stripped36-none.data'), '--', python36!, '-c', 'import time; time.sleep(2.5)'], { env });
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stderr, /not sampled: process \d+: Python 3\.6 \(.*stripped36\/libpython3\.6m\.so\.1\.0\): its GIL's static variables \(gil_locked, …\) not in its symbols nor a debug file's/);
  // its debug package installed (beside it): sampled, what was missing not kept from the run before
  renameSync(staged, join(lib, 'libpython3.6m.so.1.0.debug'));
  const data = join(dir, 'stripped36.data');
  const run = giltrace(['record', '--sample', '-o', data, '--', python36!, join(PROGRAMS, 'delayed_crunchers.py'), '2', '0.3'], { env });
  assert.equal(run.code, 0, run.stderr);
  const stats = statsOf(data);
  assert.equal(stats.processes[0]?.python.executable, stripped, JSON.stringify(stats.processes.map((p) => p.python)));
  const crunchers = stats.processes[0].threads.filter((t) => t.name.startsWith('cruncher-'));
  assert.equal(crunchers.length, 2);
  for (const t of crunchers) assert.ok(t.held_ns > 0 && t.wait_ns > 0, JSON.stringify(share(t)));
});

/**
 * giltrace and the program copied where another user can read them (the repo may sit in root's
 * home): the built code, its two runtime dependencies, and the program.
 */
function copyForOthers(): { cli: string; program: string; out: string } {
  const root = join(dir, 'others');
  mkdirSync(join(root, 'node_modules'), { recursive: true });
  cpSync(join(REPO, 'dist/src'), join(root, 'dist/src'), { recursive: true });
  for (const dep of ['commander', 'fzstd']) cpSync(join(REPO, 'node_modules', dep), join(root, 'node_modules', dep), { recursive: true });
  cpSync(join(REPO, 'package.json'), join(root, 'package.json'));
  cpSync(join(PROGRAMS, 'delayed_crunchers.py'), join(root, 'delayed_crunchers.py'));
  mkdirSync(join(root, 'out'));
  for (const path of [dir, root]) chmodSync(path, 0o755);
  spawnSync('chmod', ['-R', 'a+rX', root]);
  chmodSync(join(root, 'out'), 0o777);
  return { cli: join(root, 'dist/src/cli/main.js'), program: join(root, 'delayed_crunchers.py'), out: join(root, 'out') };
}

const nobody = (args: readonly string[]) =>
  spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, ...args], { encoding: 'utf8', timeout: 60_000, cwd: '/tmp' });

test('a user samples their own program without root, and is told why not for another user\'s', {
  skip: !isRoot ? 'needs root to act as another user' : !existsSync(DEBIAN_PYTHON) ? "needs Debian's python3.11 (readable by every user)" : false,
}, async () => {
  const copied = copyForOthers();
  const { cli, program } = copied;
  const out = join(copied.out, 'own.data');
  const own = nobody([cli, 'record', '--sample', '-o', out, '--', DEBIAN_PYTHON, program, '2', '0.5']);
  assert.equal(own.status, 0, own.stderr);
  const threads = statsOf(out).processes[0].threads;
  assert.equal(threads.length, 3, 'the main thread and two crunchers');
  const crunchers = threads.filter((t) => t.name !== '' && t.tid !== statsOf(out).processes[0].pid);
  for (const t of crunchers) assert.ok(t.held_ns > 0 && t.wait_ns > 0, JSON.stringify(share(t)));
  // root's program: not nobody's to read
  const target = spawn(DEBIAN_PYTHON, [program, '2', '3'], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const other = nobody([cli, 'record', '--sample', '-p', String(target.pid), '-o', join(copied.out, 'other.data')]);
    assert.equal(other.status, 2, other.stderr);
    assert.match(other.stderr, new RegExp(`^giltrace: cannot read process ${target.pid}: it belongs to another user`, 'm'));
    assert.equal(other.stderr.trim().split('\n').length, 1, other.stderr);
  } finally {
    target.kill();
  }
  assert.ok(readFileSync(out, 'latin1').startsWith('giltrace-sampled/1\n'));
});
