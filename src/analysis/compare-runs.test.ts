import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FunctionDiff, ThreadRowDiff } from '../contract/diff.js';
import { STATS_SCHEMA, type FunctionStats, type ProcessStats, type StatsJson, type ThreadStats, type VerdictJson } from '../contract/stats.js';
import { compared } from './compare-rows.js';
import { compareRuns } from './compare-runs.js';
import { pairUp } from './pair-up.js';

const MS = 1_000_000;
const NO_WAITS = { count: 0, p50_ns: 0, p95_ns: 0, p99_ns: 0, max_ns: 0 };

/** A thread that wanted to run all its life (`active` ms), waiting `wait` ms of it and holding `held` ms. */
function thread(tid: number, name: string, numbers: { active: number; held: number; wait: number; takes?: number }): ThreadStats {
  const { active, held, wait } = numbers;
  return {
    tid,
    name,
    lifetime_ns: active * MS,
    held_ns: held * MS,
    wait_ns: wait * MS,
    no_gil_ns: (active - held - wait) * MS,
    held_off_cpu_ns: 0,
    held_asleep_ns: 0,
    running_ns: (active - wait) * MS,
    runnable_ns: 0,
    sleeping_ns: 0,
    blocked_ns: 0,
    active_ns: active * MS,
    acquisitions: numbers.takes ?? 10,
    wait: NO_WAITS,
    drops: { forced: 0, voluntary: 0 },
  };
}

function fn(name: string, file: string, line: number, numbers: { held?: number; othersWaited?: number; wait?: number; forced?: number } = {}): FunctionStats {
  return {
    name,
    file,
    line,
    held_ns: (numbers.held ?? 0) * MS,
    held_while_others_wait_ns: (numbers.othersWaited ?? 0) * MS,
    forced_held_while_others_wait_ns: 0,
    wait_ns: (numbers.wait ?? 0) * MS,
    waits: numbers.wait ? 1 : 0,
    forced_drops: numbers.forced ?? 0,
    longest_hold_ns: 0,
    longest_contended_run_ns: 0,
    stacks: [],
  };
}

function process(pid: number, command: string, threads: ThreadStats[], functions?: FunctionStats[], version = '3.12.1'): ProcessStats {
  const held = threads.reduce((n, t) => n + t.held_ns, 0);
  return {
    pid,
    command,
    python: { executable: command.split(' ')[0], version, gil: 'enabled' },
    duration_ns: Math.max(...threads.map((t) => t.lifetime_ns)),
    gil: { held_ns: held, contended_ns: held / 2, handoff: NO_WAITS, drops: { forced: 3, voluntary: 4 } },
    threads,
    anomalies: {},
    ...(functions && { functions }),
    thread_groups: [],
  };
}

function stats(processes: ProcessStats[], verdict?: Partial<VerdictJson>, cpus = 2): StatsJson {
  return {
    schema: STATS_SCHEMA,
    recording: { duration_ns: 1000 * MS, events: 1, lost_events: 0, warnings: [], cpus },
    processes,
    ...(verdict && { verdict: { kind: 'gil-bound', headline: 'GIL-bound: ...', details: [], ...verdict } }),
  };
}

function row(rows: readonly ThreadRowDiff[], key: string): ThreadRowDiff {
  const found = rows.find((r) => r.key === key);
  assert.ok(found, `no row ${key} among ${rows.map((r) => r.key).join(', ')}`);
  return found;
}

function fnRow(rows: readonly FunctionDiff[], name: string): FunctionDiff {
  const found = rows.find((r) => r.name === name);
  assert.ok(found, `no function ${name} among ${rows.map((r) => r.name).join(', ')}`);
  return found;
}

const PY12 = '/opt/py3.12/bin/python3';
const PY13 = '/opt/py3.13/bin/python3';

describe('compareRuns: threads', () => {
  it('matches threads by name pattern: Thread-3 (work) in A is Thread-7 (work) in B', () => {
    const a = stats([process(10, `${PY12} app.py`, [thread(10, 'MainThread', { active: 100, held: 10, wait: 0 }), thread(13, 'Thread-3 (work)', { active: 500, held: 300, wait: 100 })])]);
    const b = stats([process(20, `${PY12} app.py`, [thread(20, 'MainThread', { active: 100, held: 10, wait: 0 }), thread(27, 'Thread-7 (work)', { active: 500, held: 300, wait: 200 })])]);
    const [diff] = compareRuns(a, b).processes;
    assert.equal(diff.threads.length, 2);
    const work = row(diff.threads, 'Thread-* (work)');
    assert.equal(work.in, 'both');
    assert.deepEqual(work.a, { name: 'Thread-3 (work)', tids: [13] });
    assert.deepEqual(work.b, { name: 'Thread-7 (work)', tids: [27] });
    assert.deepEqual(work.wait_ns, { a: 100 * MS, b: 200 * MS, change: 100 * MS, relative_change: 1 });
    assert.deepEqual(work.wait_share, compared(0.2, 0.4));
    assert.deepEqual(work.held_ns, { a: 300 * MS, b: 300 * MS, change: 0, relative_change: 0 });
  });

  it('a lone thread in one run is the pool of the other, its numbers summed', () => {
    const a = stats([process(10, `${PY12} pool.py 1`, [thread(10, 'MainThread', { active: 10, held: 1, wait: 0 }), thread(11, 'worker-1', { active: 400, held: 390, wait: 0, takes: 5 })])]);
    const workers = [1, 2, 3, 4].map((n) => thread(20 + n, `worker-${n}`, { active: 400, held: 100, wait: 300, takes: 20 }));
    const b = stats([process(20, `${PY12} pool.py 4`, [thread(20, 'MainThread', { active: 10, held: 1, wait: 0 }), ...workers])]);
    const [diff] = compareRuns(a, b).processes;
    const pool = row(diff.threads, 'worker-*');
    assert.equal(pool.in, 'both');
    assert.deepEqual(pool.threads, { a: 1, b: 4, change: 3, relative_change: 3 });
    assert.deepEqual(pool.a, { name: 'worker-1', tids: [11] });
    assert.deepEqual(pool.b, { name: 'worker-*', tids: [21, 22, 23, 24] });
    assert.deepEqual(pool.active_ns, compared(400 * MS, 1600 * MS));
    assert.deepEqual(pool.acquisitions, compared(5, 80));
    assert.equal(pool.wait_share.a, 0);
    assert.equal(pool.wait_share.b, 0.75);
    assert.equal(pool.wait_share.change, 0.75);
    assert.equal(pool.wait_share.relative_change, undefined, 'no relative change from 0');
    assert.equal(diff.threads[0], pool, 'the heaviest row leads');
    assert.equal(diff.all_threads.wait_share.b, 1200 / 1610);
    assert.deepEqual(diff.all_threads.held_ns, compared(391 * MS, 401 * MS));
  });

  it('a sampled run counts no takes, waits or forced drops: its side of them is left out, and a note says so', () => {
    const threads = (pid: number, takes: number) => [thread(pid, 'MainThread', { active: 100, held: 10, wait: 5, takes }), thread(pid + 1, 'worker', { active: 500, held: 300, wait: 100, takes })];
    const exact = stats([process(10, `${PY12} app.py`, threads(10, 900), [fn('work', '/app.py', 3, { held: 300, wait: 100, forced: 29 })])]);
    const sampled: StatsJson = {
      ...stats([process(20, `${PY12} app.py`, threads(20, 12), [fn('work', '/app.py', 3, { held: 290, wait: 110, forced: 0 })])]),
      recording: { ...exact.recording, sampling: { hz: 1000, ticks: 900, late_ticks: 0, effective_hz: 900, share_error_95: 0.047 } },
    };
    const diff = compareRuns(exact, sampled, { a: 'exact.data', b: 'sampled.data' });
    assert.deepEqual([diff.a.sampled, diff.b.sampled], [undefined, true]);
    const [process_] = diff.processes;
    assert.deepEqual(process_.all_threads.acquisitions, { a: 1800 });
    assert.deepEqual(row(process_.threads, 'worker').acquisitions, { a: 900 });
    assert.deepEqual(process_.forced_drops, { a: process_.forced_drops.a });
    assert.deepEqual(fnRow(process_.functions, 'work').forced_drops, { a: 29 });
    assert.deepEqual(fnRow(process_.functions, 'work').wait_ns, compared(100 * MS, 110 * MS), 'times are compared');
    assert.ok(diff.notes.includes('sampled.data was sampled (900 ticks a second): its times are estimates (shares ±4.7 points for a thread that lived throughout) and it counts no GIL takes, waits or forced drops'), diff.notes.join('\n'));
  });

  it('rows of one run only are marked so and carry that run alone', () => {
    const a = stats([process(10, `${PY12} app.py`, [thread(10, 'MainThread', { active: 100, held: 10, wait: 5 }), thread(11, 'logger', { active: 50, held: 5, wait: 1 })])]);
    const b = stats([process(20, `${PY12} app.py`, [thread(20, 'MainThread', { active: 100, held: 10, wait: 5 }), thread(21, 'flusher', { active: 60, held: 6, wait: 2 })])]);
    const [diff] = compareRuns(a, b).processes;
    assert.deepEqual(diff.threads.map((r) => [r.key, r.in]).sort(), [['MainThread', 'both'], ['flusher', 'b'], ['logger', 'a']]);
    const logger = row(diff.threads, 'logger');
    assert.equal(logger.b, undefined);
    assert.deepEqual(logger.wait_ns, { a: 1 * MS });
    assert.deepEqual(logger.threads, { a: 1 });
    const flusher = row(diff.threads, 'flusher');
    assert.equal(flusher.a, undefined);
    assert.deepEqual(flusher.held_ns, { b: 6 * MS });
  });

  it('the main thread matches the main thread whatever its name, and a worker named like it stays a worker', () => {
    const a = stats([process(10, `${PY12} app.py`, [thread(10, 'MainThread', { active: 100, held: 10, wait: 5 }), thread(11, 'MainThread', { active: 9, held: 1, wait: 1 })])]);
    const b = stats([process(20, `${PY12} app.py`, [thread(20, 'python3', { active: 100, held: 20, wait: 5 })])]);
    const [diff] = compareRuns(a, b).processes;
    const main = diff.threads.filter((r) => r.main_thread);
    assert.equal(main.length, 1);
    assert.equal(main[0].in, 'both');
    assert.deepEqual([main[0].a?.name, main[0].b?.name], ['MainThread', 'python3']);
    assert.deepEqual(main[0].held_ns, compared(10 * MS, 20 * MS));
    const impostor = diff.threads.find((r) => !r.main_thread);
    assert.deepEqual([impostor?.key, impostor?.in, impostor?.a?.tids], ['MainThread', 'a', [11]]);
    // A run whose main thread never touched the GIL: its worker named MainThread is still no main thread.
    const withoutMain = stats([process(30, `${PY12} app.py`, [thread(31, 'MainThread', { active: 9, held: 2, wait: 1 })])]);
    const rows = compareRuns(a, withoutMain).processes[0].threads;
    assert.deepEqual(rows.map((r) => [r.main_thread, r.in, r.a?.tids, r.b?.tids]), [[true, 'a', [10], undefined], [false, 'both', [11], [31]]]);
  });
});

describe('compareRuns: functions', () => {
  const threads = (pid: number) => [thread(pid, 'MainThread', { active: 100, held: 50, wait: 50 })];

  it('matches by name and file, then by file name alone (another Python, another checkout); lines may differ', () => {
    const a = stats([
      process(10, `${PY12} app.py`, threads(10), [
        fn('hot', '/home/me/app.py', 7, { held: 300, othersWaited: 250, forced: 40 }),
        fn('Condition.wait', '/opt/py3.12/lib/python3.12/threading.py', 323, { wait: 20 }),
        fn('<no Python frame>', '', 0, { held: 1 }),
      ]),
    ]);
    const b = stats([
      process(20, `${PY13} app.py`, threads(20), [
        fn('hot', '/home/me/app.py', 7, { held: 300, othersWaited: 280, forced: 60 }),
        fn('Condition.wait', '/opt/py3.13/lib/python3.13/threading.py', 327, { wait: 10 }),
        fn('<no Python frame>', '', 0, { held: 2 }),
      ], '3.13.0'),
    ]);
    const [diff] = compareRuns(a, b).processes;
    assert.deepEqual(diff.functions.map((f) => [f.name, f.in]), [['hot', 'both'], ['Condition.wait', 'both'], ['<no Python frame>', 'both']]);
    const hot = fnRow(diff.functions, 'hot');
    assert.deepEqual(hot.held_while_others_wait_ns, compared(250 * MS, 280 * MS));
    assert.deepEqual(hot.forced_drops, { a: 40, b: 60, change: 20, relative_change: 0.5 });
    const wait = fnRow(diff.functions, 'Condition.wait');
    assert.deepEqual(wait.a, { file: '/opt/py3.12/lib/python3.12/threading.py', line: 323 });
    assert.deepEqual(wait.b, { file: '/opt/py3.13/lib/python3.13/threading.py', line: 327 });
    assert.deepEqual(wait.wait_ns, { a: 20 * MS, b: 10 * MS, change: -10 * MS, relative_change: -0.5 });
  });

  it('does not guess between two files of the same name; functions of one run only are marked so', () => {
    const a = stats([process(10, `${PY12} app.py`, threads(10), [fn('load', '/a/one/utils.py', 1, { wait: 5 }), fn('load', '/a/two/utils.py', 1, { wait: 6 })])]);
    const b = stats([process(20, `${PY12} app.py`, threads(20), [fn('load', '/b/one/utils.py', 1, { wait: 7 }), fn('parse', '/b/app.py', 3, { othersWaited: 9 })])]);
    const [diff] = compareRuns(a, b).processes;
    assert.deepEqual(
      diff.functions.map((f) => [f.name, f.in, (f.a ?? f.b)!.file]),
      [['parse', 'b', '/b/app.py'], ['load', 'b', '/b/one/utils.py'], ['load', 'a', '/a/two/utils.py'], ['load', 'a', '/a/one/utils.py']],
    );
    assert.deepEqual(fnRow(diff.functions, 'parse').held_while_others_wait_ns, { b: 9 * MS });
  });

  it('puts what others paid first: held while others waited plus waited, then held', () => {
    const a = stats([process(10, `${PY12} app.py`, threads(10), [fn('import_stuff', 'x.py', 1, { held: 900 }), fn('small', 'x.py', 2, { wait: 1 }), fn('culprit', 'x.py', 3, { othersWaited: 5 })])]);
    const b = stats([process(20, `${PY12} app.py`, threads(20), [fn('culprit', 'x.py', 3, { othersWaited: 50 }), fn('import_stuff', 'x.py', 1, { held: 800 })])]);
    const [diff] = compareRuns(a, b).processes;
    assert.deepEqual(diff.functions.map((f) => f.name), ['culprit', 'small', 'import_stuff']);
  });
});

describe('compareRuns: processes, verdicts and notes', () => {
  const threads = (pid: number, wait = 5) => [thread(pid, 'MainThread', { active: 100, held: 50, wait })];

  it('pairs by command (the interpreter may differ), then by script, then by position, saying so', () => {
    const a = stats([process(1, `${PY12} server.py --port 1`, threads(1)), process(2, `${PY12} -X dev pool.py 4`, threads(2)), process(3, `${PY12} a.py`, threads(3)), process(4, `${PY12} extra.py`, threads(4))]);
    const b = stats([process(11, `${PY12} -X dev pool.py 16`, threads(11)), process(12, `${PY13} server.py --port 1`, threads(12)), process(13, `${PY13} b.py`, threads(13))]);
    const diff = compareRuns(a, b, { a: 'four.data', b: 'sixteen.data' });
    assert.deepEqual(
      diff.processes.map((p) => [p.a?.pid, p.b?.pid, p.match]),
      [[1, 12, 'same-command'], [2, 11, 'same-script'], [3, 13, 'position'], [4, undefined, 'only-a']],
    );
    assert.equal(diff.notes.length, 2, diff.notes.join('\n'));
    assert.match(diff.notes[0], /process 3 of four\.data \(.*a\.py\) is compared with process 13 of sixteen\.data \(.*b\.py\) by position/);
    assert.match(diff.notes[1], /process 4 of four\.data \(.*extra\.py\) has no counterpart in sixteen\.data/);
    const alone = diff.processes[3];
    assert.equal(alone.b, undefined);
    assert.deepEqual(alone.duration_ns, { a: 100 * MS });
    assert.deepEqual(alone.threads.map((r) => r.in), ['a']);
  });

  it('a process only in B comes last; no process at all is said', () => {
    const diff = compareRuns(stats([]), stats([process(5, `${PY12} x.py`, threads(5))]));
    assert.deepEqual(diff.processes.map((p) => [p.a?.pid, p.b?.pid, p.match]), [[undefined, 5, 'only-b']]);
    assert.ok(diff.notes.some((n) => /A has no Python process/.test(n)), diff.notes.join('\n'));
    assert.ok(diff.notes.some((n) => /process 5 of B .* has no counterpart in A/.test(n)), diff.notes.join('\n'));
  });

  it('carries both verdicts and whether their kind changed', () => {
    const a = stats([process(1, `${PY12} x.py`, threads(1))], { kind: 'gil-bound', headline: 'GIL-bound: 75%' });
    const b = stats([process(2, `${PY12} x.py`, threads(2))], { kind: 'not-gil-bound', headline: 'Not GIL-bound' });
    const diff = compareRuns(a, b, { a: 'a.data', b: 'b.data' });
    assert.equal(diff.schema, 'giltrace.diff/1');
    assert.deepEqual(diff.a.verdict, { kind: 'gil-bound', headline: 'GIL-bound: 75%' });
    assert.deepEqual(diff.b.verdict, { kind: 'not-gil-bound', headline: 'Not GIL-bound' });
    assert.equal(diff.verdict_kind_changed, true);
    assert.equal(diff.a.label, 'a.data');
    assert.equal(compareRuns(a, a).verdict_kind_changed, false);
  });

  it('notes what makes runs unlike: CPU counts, lost events, a run without function context', () => {
    const a = stats([process(1, `${PY12} x.py`, threads(1), [fn('f', 'x.py', 1, { held: 1 })])], undefined, 2);
    const b = { ...stats([process(2, `${PY12} x.py`, threads(2))], undefined, 8) };
    const lossy = { ...b, recording: { ...b.recording, lost_events: 12 } };
    const diff = compareRuns(a, lossy);
    assert.equal(diff.notes.length, 3, diff.notes.join('\n'));
    assert.match(diff.notes[0], /A was recorded on 2 CPUs, B on 8/);
    assert.match(diff.notes[1], /B lost 12 events/);
    assert.match(diff.notes[2], /process 2 of B .* has no function context/);
    assert.deepEqual([diff.processes[0].a?.function_context, diff.processes[0].b?.function_context], [true, false]);
    assert.deepEqual(diff.processes[0].functions.map((f) => f.in), ['a']);
  });

  it('process numbers: wall, GIL held and contended, A and B and the change', () => {
    const a = stats([process(1, `${PY12} x.py`, threads(1))]);
    const b = stats([process(2, `${PY12} x.py`, [thread(2, 'MainThread', { active: 150, held: 75, wait: 60 })])]);
    const [diff] = compareRuns(a, b).processes;
    assert.deepEqual(diff.duration_ns, { a: 100 * MS, b: 150 * MS, change: 50 * MS, relative_change: 0.5 });
    assert.deepEqual(diff.gil_held_ns, compared(50 * MS, 75 * MS));
    assert.deepEqual(diff.gil_contended_ns, compared(25 * MS, 37.5 * MS));
    assert.deepEqual(diff.all_threads.wait_share, compared(0.05, 0.4));
  });
});

describe('pairUp', () => {
  it('keeps A order, puts B leftovers last, and a unique pass never guesses', () => {
    const pairs = pairUp(['x1', 'y1', 'y2', 'z1'], ['y3', 'x2', 'w1'], [{ key: (s) => s[0], unique: true }]);
    assert.deepEqual(
      pairs.map((p) => [p.a, p.b]),
      [['x1', 'x2'], ['y1', undefined], ['y2', undefined], ['z1', undefined], [undefined, 'y3'], [undefined, 'w1']],
    );
    const greedy = pairUp(['y1', 'y2'], ['y3'], [{ key: (s) => s[0] }]);
    assert.deepEqual(greedy.map((p) => [p.a, p.b, p.pass]), [['y1', 'y3', 0], ['y2', undefined, undefined]]);
  });
});
