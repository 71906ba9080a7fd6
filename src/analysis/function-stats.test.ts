import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTimeline } from '../model/build-timeline.js';
import { holderSamplesKey } from '../model/holder-samples.js';
import { PythonStacks } from '../model/python-stacks.js';
import { ev } from '../../test/support/timeline-event-builders.js';
import { computeStats } from './compute-stats.js';
import { canonicalFunctions } from './function-stats.js';
import type { FunctionStats } from '../contract/stats.js';

function stats(events: ReturnType<typeof ev.enter>[], stacks: PythonStacks, end: number) {
  const timeline = buildTimeline(events, { stacks, end });
  return computeStats(timeline, { events: events.length, warnings: [], processes: new Map() });
}

function byName(functions: readonly FunctionStats[] | undefined): Record<string, Omit<FunctionStats, 'name' | 'file' | 'line' | 'stacks'>> {
  const out: Record<string, Omit<FunctionStats, 'name' | 'file' | 'line' | 'stacks'>> = {};
  for (const { name, file: _f, line: _l, stacks: _s, ...rest } of functions ?? []) out[name] = rest;
  return out;
}

test('holds go to the release function, waits to the asking one; held-while-others-wait is the overlap with waiters', () => {
  const s = new PythonStacks();
  const hot = s.intern('hot', '/app.py', 3, ['work', 'Thread.run']);
  const io = s.intern('read_all', '/app.py', 20, ['serve']);
  const join = s.intern('Thread.join', '/threading.py', 1100, ['<module>']);
  const result = stats(
    [
      ev.enter(0, 101, 100, '100', hot),
      ev.ret(1, 101),
      ev.enter(11, 102, 100, '100', io),
      ev.drop(101, 101, 'forced', 100, hot), // hot() caught by the switch interval: waits again, in hot()
      ev.ret(102, 102),
      ev.enter(103, 101, 100, '100', hot),
      ev.drop(152, 102, 'voluntary', 100, io),
      ev.ret(153, 101),
      ev.drop(200, 101, 'voluntary', 100, join),
    ],
    s,
    210,
  );
  const functions = result.processes[0].functions!;
  assert.deepEqual(byName(functions), {
    // released: from a drop to the thread's next wait or its end (a forced drop waits at once)
    hot: { held_ns: 100, held_while_others_wait_ns: 90, forced_held_while_others_wait_ns: 90, wait_ns: 53, waits: 2, released_ns: 0, released_asleep_ns: 0, forced_drops: 1, longest_hold_ns: 100, longest_contended_run_ns: 90 },
    read_all: { held_ns: 50, held_while_others_wait_ns: 50, forced_held_while_others_wait_ns: 0, wait_ns: 91, waits: 1, released_ns: 210 - 152, released_asleep_ns: 0, forced_drops: 0, longest_hold_ns: 50, longest_contended_run_ns: 50 },
    'Thread.join': { held_ns: 47, held_while_others_wait_ns: 0, forced_held_while_others_wait_ns: 0, wait_ns: 0, waits: 0, released_ns: 210 - 200, released_asleep_ns: 0, forced_drops: 0, longest_hold_ns: 47, longest_contended_run_ns: 0 },
  });
  assert.deepEqual(functions.map((f) => f.name), ['hot', 'read_all', 'Thread.join'], 'most held while others wait first');
  assert.deepEqual(functions[0].stacks, [{ callers: ['work', 'Thread.run'], held_ns: 100, wait_ns: 53 }]);
  assert.deepEqual([functions[0].file, functions[0].line], ['/app.py', 3]);
  const threads = result.processes[0].threads;
  for (const key of ['held_ns', 'wait_ns'] as const) {
    assert.equal(functions.reduce((n, f) => n + f[key], 0), threads.reduce((n, t) => n + t[key], 0), `functions' ${key} add up to the threads'`);
  }
  assert.deepEqual(threads.find((t) => t.tid === 101)!.top_functions!.map((f) => [f.name, f.held_ns, f.wait_ns]), [
    ['hot', 100, 53],
    ['Thread.join', 47, 0],
  ]);
});

test('a hold released in a partly read stack (a thread\'s last release) goes to where it was taken', () => {
  const s = new PythonStacks();
  const hot = s.intern('hot', '/app.py', 3, ['spin']);
  const stale = s.intern('hot', '', 3, []);
  const result = stats([ev.enter(0, 101, 100, '100', hot), ev.ret(1, 101), ev.drop(41, 101, 'voluntary', 100, stale)], s, 50);
  const [fn] = result.processes[0].functions!;
  assert.deepEqual([fn.name, fn.file, fn.held_ns, fn.stacks[0].callers], ['hot', '/app.py', 40, ['spin']]);
});

test('a hold released with no Python frame (thread exit) or never released goes to the function that took it', () => {
  const s = new PythonStacks();
  const work = s.intern('work', '/app.py', 9, []);
  const noFrame = s.intern('', '', 0, []);
  const result = stats(
    [ev.enter(0, 101, 100, '100', work), ev.ret(1, 101), ev.drop(41, 101, 'voluntary', 100, noFrame), ev.enter(50, 102, 100, '100', work), ev.ret(51, 102)],
    s,
    100,
  );
  assert.deepEqual(
    result.processes[0].functions!.map((f) => [f.name, f.held_ns]),
    [['work', 40 + 49]],
  );
});

test('a recording without Python stacks has no function lists', () => {
  const result = stats([ev.enter(0, 101), ev.ret(1, 101), ev.drop(5, 101)], new PythonStacks(), 10);
  assert.equal(result.processes[0].functions, undefined);
  assert.equal(result.processes[0].threads[0].top_functions, undefined);
});

test('a function whose file the kernel could not read counts as the one with its name and line', () => {
  const functions = [
    { name: '<unknown>', file: '', line: 0 },
    { name: '<no Python frame>', file: '', line: 0 },
    { name: 'parse', file: '/app/a.py', line: 3 },
    { name: 'parse', file: '', line: 3 }, // folded into the one above
    { name: 'parse', file: '', line: 9 }, // no match: stays
    { name: 'run', file: '/app/a.py', line: 20 },
    { name: 'run', file: '/app/b.py', line: 20 },
    { name: 'run', file: '', line: 20 }, // two matches: cannot tell, stays
  ];
  assert.deepEqual([...canonicalFunctions(functions)], [0, 1, 2, 2, 4, 5, 6, 7]);
});

test("holder samples' lines: a function's held time by line, most held while others waited first, at most 5, with their text", () => {
  const s = new PythonStacks();
  const work = s.intern('work', '/app.py', 10, ['Thread.run']);
  s.sourceLine(work, 12, 'blob = zlib.compress(data)');
  // 101 holds [0, 1000) and ends in work(); 102 waits for it from 0 to 1000
  const events = [
    ev.enter(0, 101, 100, '100', work),
    ev.ret(0, 101),
    ev.enter(0, 102, 100, '100', work),
    ev.drop(1000, 101, 'voluntary', 100, work),
    ev.ret(1001, 102),
    ev.drop(1100, 102, 'voluntary', 100, work),
  ];
  const timeline = buildTimeline(events, { stacks: s, end: 1200 });
  // ten samples of 101 in its hold: line 12 four times, 11 twice, then 13, 14, 15, 16 once each
  const lines = [12, 12, 12, 12, 11, 11, 13, 14, 15, 16];
  const samples = {
    times: Float64Array.from(lines, (_, k) => 50 + 100 * k),
    stacks: Int32Array.from(lines, () => work),
    weights: Float64Array.from(lines, () => 100),
    lines: Int32Array.from(lines),
  };
  const holderSamples = { hz: 1e7, threads: new Map([[holderSamplesKey(100, 101), samples]]), count: lines.length, ticked: { from: 0, to: 1100 } };
  const fn = computeStats(timeline, { events: events.length, warnings: [], processes: new Map() }, holderSamples).processes[0].functions!.find((f) => f.name === 'work')!;
  assert.deepEqual(fn.lines?.map((l) => [l.line, l.held_while_others_wait_ns, l.text]), [
    [12, 400, 'blob = zlib.compress(data)'],
    [11, 200, undefined],
    [13, 100, undefined],
    [14, 100, undefined],
    [15, 100, undefined],
  ]); // (16 is the sixth)
  // the shares rest on the ten samples: the function's count, and each line's
  assert.equal(fn.held_samples, 10);
  assert.deepEqual(fn.lines?.map((l) => l.samples), [4, 2, 1, 1, 1]);
});

test("waits by the line their drop was at (the holder samples' lines): most waited first, with text; waits of no time and unknown lines left out", () => {
  const s = new PythonStacks();
  const fn = (instruction: number) => s.intern('waiter', '/app.py', 10, ['Thread.run'], instruction);
  const holder = s.intern('spin', '/app.py', 20, ['Thread.run']);
  const atSleep = fn(104);
  const atStat = fn(112);
  const unknown = fn(500);
  s.instructionLines(fn(104), { base: 100, scale: 1, ranges: { starts: [0, 10], lines: [11, 12], end: 20 } });
  s.sourceLine(atSleep, 11, 'time.sleep(0.01)');
  const result = stats(
    [
      ev.enter(0, 2, 100, '100', holder),
      ev.ret(1, 2),
      ev.enter(5, 1, 100, '100', atSleep),
      ev.drop(30, 2, 'forced', 100, holder),
      ev.ret(31, 1),
      ev.enter(32, 2, 100, '100', holder),
      ev.drop(40, 1, 'voluntary', 100, atStat),
      ev.ret(41, 2),
      ev.enter(45, 1, 100, '100', atStat),
      ev.drop(55, 2, 'forced', 100, holder),
      ev.ret(56, 1),
      ev.enter(57, 2, 100, '100', holder),
      ev.drop(60, 1, 'voluntary', 100, unknown),
      ev.ret(61, 2),
      ev.enter(62, 1, 100, '100', unknown),
      ev.drop(70, 2, 'voluntary', 100, holder),
      ev.ret(71, 1),
      ev.drop(75, 1, 'voluntary', 100, atSleep),
    ],
    s,
    80,
  );
  const waiter = result.processes[0].functions!.find((f) => f.name === 'waiter')!;
  assert.deepEqual(waiter.wait_lines, [
    { line: 11, wait_ns: 26, waits: 1, text: 'time.sleep(0.01)', paths: [{ callers: ['Thread.run'], wait_ns: 26, waits: 1 }] },
    { line: 12, wait_ns: 11, waits: 1, paths: [{ callers: ['Thread.run'], wait_ns: 11, waits: 1 }] },
  ]);
  assert.equal(waiter.wait_ns, 26 + 11 + 9, 'the wait at an instruction of no known line is the function\'s all the same');
  assert.equal(waiter.stacks.length, 1, 'one call path, whatever instruction');
});
