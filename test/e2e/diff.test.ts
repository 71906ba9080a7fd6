/**
 * `giltrace diff` for real: the committed golden recordings of examples/two_threads.py on 3.12
 * and 3.13 (no root needed), and the same program recorded twice with one and four threads.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareRuns } from '../../src/analysis/index.js';
import { formatDuration } from '../../src/base/time.js';
import { formatPointChange, formatRelativeChange } from '../../src/cli/diff-table.js';
import type { DiffJson, ThreadRowDiff } from '../../src/contract/diff.js';
import type { StatsJson } from '../../src/contract/stats.js';
import { CASES, goldenPath, recordingPath } from '../fixtures/fixtures.js';
import { PROGRAMS, giltrace, leftoverProbes, pyenvPython, scratchDir } from './giltrace-cli.js';

const dir = scratchDir();
after(() => rmSync(dir, { recursive: true, force: true }));

const twoThreads = (python: string) => CASES.find((c) => c.python === python && c.name === 'two_threads')!;
const PY312 = twoThreads('3.12');
const PY313 = twoThreads('3.13');

function diffJson(a: string, b: string): DiffJson {
  const result = giltrace(['diff', a, b, '--json']);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as DiffJson;
}

function threadRow(rows: readonly ThreadRowDiff[], key: string): ThreadRowDiff {
  const row = rows.find((r) => r.key === key);
  assert.ok(row, `no row ${key} among ${rows.map((r) => r.key).join(', ')}`);
  return row;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Table rows and headers of the terminal view (not the prose: verdict headlines and notes wrap as they are). */
function tableLines(text: string): string[] {
  return text.split('\n').filter((line) => /^ {2}\S/.test(line) && !/^ {2}[AB]:? /.test(line) && !line.includes('Python functions'));
}

test('golden recordings, 3.12 vs 3.13 (no root): the JSON is the comparison of their golden stats; threads, functions and verdicts side by side', () => {
  const [a, b] = [recordingPath(PY312), recordingPath(PY313)];
  const diff = diffJson(a, b);
  const goldens = [PY312, PY313].map((c) => JSON.parse(readFileSync(goldenPath(c), 'utf8')) as StatsJson);
  assert.deepEqual(diff, JSON.parse(JSON.stringify(compareRuns(goldens[0], goldens[1], { a, b }))));

  assert.equal(diff.schema, 'giltrace.diff/1');
  assert.equal(diff.processes.length, 1);
  const [process] = diff.processes;
  assert.equal(process.match, 'same-command', 'the same script, another interpreter');
  assert.deepEqual([process.a?.python.version, process.b?.python.version], ['3.12.1', '3.13.0']);
  assert.deepEqual(diff.notes, []);

  assert.deepEqual(process.threads.map((r) => [r.key, r.in, r.threads.a, r.threads.b]).sort(), [
    ['MainThread', 'both', 1, 1],
    ['Thread-* (some_computation)', 'both', 2, 2],
  ]);
  const workers = threadRow(process.threads, 'Thread-* (some_computation)');
  const [groupA, groupB] = goldens.map((g) => g.processes[0].thread_groups.find((group) => group.name === 'Thread-* (some_computation)')!);
  assert.equal(workers.wait_ns.a, groupA.wait_ns);
  assert.equal(workers.wait_ns.change, groupB.wait_ns - groupA.wait_ns);
  assert.equal(workers.wait_share.b, groupB.wait_ns / groupB.active_ns);

  assert.equal(process.functions[0].name, 'some_computation', 'the culprit leads');
  assert.equal(process.functions[0].in, 'both');
  const conditionWait = process.functions.find((f) => f.name === 'Condition.wait');
  assert.ok(conditionWait, 'Condition.wait of 3.12 and of 3.13 are one row');
  assert.equal(conditionWait.in, 'both');
  assert.deepEqual([conditionWait.a?.line, conditionWait.b?.line], [323, 327]);
  assert.notEqual(conditionWait.a?.file, conditionWait.b?.file);

  assert.deepEqual([diff.a.verdict?.kind, diff.b.verdict?.kind, diff.verdict_kind_changed], ['gil-bound', 'gil-bound', false]);
  assert.equal(diff.a.verdict?.headline, goldens[0].verdict?.headline);

  const text = giltrace(['diff', a, b]);
  assert.equal(text.code, 0, text.stderr);
  // The row of the workers, side by side, from the goldens' own thread groups (the change cells as the JSON has them).
  const share = (g: { wait_ns: number; active_ns: number }) => `${((100 * g.wait_ns) / g.active_ns).toFixed(1)}%`;
  const expected = [
    'Thread-* (some_computation)', '2',
    share(groupA), share(groupB), formatPointChange(workers.wait_share),
    formatDuration(groupA.wait_ns), formatDuration(groupB.wait_ns), formatRelativeChange(workers.wait_ns, formatDuration),
    formatDuration(groupA.held_ns), formatDuration(groupB.held_ns), formatRelativeChange(workers.held_ns, formatDuration),
    String(groupA.acquisitions), String(groupB.acquisitions), formatRelativeChange(workers.acquisitions, String),
  ];
  assert.match(text.stdout, new RegExp(`^ {2}${expected.map(escapeRegExp).join(' +')}$`, 'm'));
  const culprit = goldens[0].processes[0].functions![0];
  assert.match(text.stdout, new RegExp(`^ {2}some_computation +two_threads\\.py:7 +${formatDuration(culprit.held_while_others_wait_ns)} `, 'm'));
  assert.match(text.stdout, /^ {2}MainThread +1 +\d+\.\d% +\d+\.\d% +[-+]\d+\.\d pt /m);
  assert.match(text.stdout, /^ {2}Condition\.wait +threading\.py:323→327 /m);
  assert.match(text.stdout, /^Verdict \(both gil-bound\)$/m);
  // the run's split, side by side, from the goldens' time_split
  const [splitA, splitB] = goldens.map((g) => g.processes[0].time_split!);
  assert.deepEqual([process.c_without_gil_ns.a, process.all_asleep_ns.b], [splitA.free_ns, splitB.idle_ns]);
  const splitLine = `nobody held it: C code ran ${formatDuration(splitA.free_ns)} | ${formatDuration(splitB.free_ns)}`;
  assert.ok(text.stdout.includes(`changing hands ${formatDuration(splitA.handover_ns!)} | ${formatDuration(splitB.handover_ns!)}`), text.stdout);
  assert.ok(text.stdout.includes(splitLine), `"${splitLine}" in:\n${text.stdout}`);
  // a function others did not wait on and that did not wait, in either run, is no row of the table
  for (const fn of process.functions.filter((f) => !f.held_while_others_wait_ns.a && !f.held_while_others_wait_ns.b && !f.wait_ns.a && !f.wait_ns.b)) {
    assert.doesNotMatch(text.stdout, new RegExp(`^ {2}${escapeRegExp(fn.name)} `, 'm'), `${fn.name}: zeros only`);
  }
  const widest = Math.max(...tableLines(text.stdout).map((line) => [...line].length));
  assert.ok(widest <= 125, `tables fit ~120 columns, widest line ${widest}:\n${text.stdout}`);
});

test('bad input: one line and exit code 2 (missing file, not a perf.data, missing argument)', () => {
  const garbage = join(dir, 'garbage.data');
  writeFileSync(garbage, 'this is not a perf.data file, not at all');
  const good = recordingPath(PY312);
  for (const [args, pattern] of [
    [[good, join(dir, 'missing.data')], /^giltrace: cannot read .*missing\.data/],
    [[join(dir, 'missing.data'), good, '--json'], /^giltrace: cannot read .*missing\.data/],
    [[good, garbage], /^giltrace: .*garbage\.data/],
  ] as const) {
    const result = giltrace(['diff', ...args]);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, pattern);
  }
  const usage = giltrace(['diff', good]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /missing required argument/);
});

const python = pyenvPython('3.12') ?? pyenvPython('3.13') ?? pyenvPython('3.11') ?? pyenvPython('3.10');

test('root, pyenv 3.10+: one thread vs four (test/programs/thread_count.py): more threads wait more, for the same crunch()', { skip: !python && 'no pyenv Python 3.10+ (threads named after their target)' }, () => {
  const record = (threads: number) => {
    const data = join(dir, `threads-${threads}.data`);
    const result = giltrace(['record', '-o', data, '--', python!, join(PROGRAMS, 'thread_count.py'), String(threads)]);
    assert.equal(result.code, 0, result.stderr);
    return data;
  };
  const [one, four] = [record(1), record(4)];
  assert.deepEqual(leftoverProbes(), []);
  const diff = diffJson(one, four);
  const [process] = diff.processes;
  assert.equal(diff.processes.length, 1);
  assert.equal(process.match, 'same-script', 'the same program with another argument');

  // Thread-1 (crunch) alone in A is the pool of four Thread-N (crunch) in B.
  const workers = threadRow(process.threads, 'Thread-* (crunch)');
  assert.equal(workers.in, 'both');
  assert.deepEqual([workers.threads.a, workers.threads.b], [1, 4]);
  assert.equal(workers.a?.name, 'Thread-1 (crunch)');
  assert.equal(workers.b?.tids.length, 4);
  assert.ok(workers.wait_share.a! < 0.1, `one thread waits for nobody: ${workers.wait_share.a}`);
  assert.ok(workers.wait_share.b! > 0.5, `four threads mostly wait: ${workers.wait_share.b}`);
  assert.ok(workers.wait_share.change! > 0.4, `wait share up by ${workers.wait_share.change}`);
  assert.ok(process.all_threads.wait_share.change! > 0.3, `the process as a whole waits more: ${process.all_threads.wait_share.change}`);
  const heldRatio = workers.held_ns.b! / workers.held_ns.a!;
  // The same work split four ways; held time also counts preemption while holding, which a busy 2-CPU machine varies (±35 % seen).
  assert.ok(heldRatio > 0.4 && heldRatio < 2.5, `the same work under the GIL, split four ways: held ×${heldRatio.toFixed(2)}`);

  const crunch = process.functions[0];
  assert.equal(crunch.name, 'crunch', `the culprit leads: ${process.functions.slice(0, 3).map((f) => f.name).join(', ')}`);
  assert.equal(crunch.in, 'both');
  assert.match(crunch.b!.file, /thread_count\.py$/);
  assert.ok(crunch.held_while_others_wait_ns.b! > 5 * crunch.held_while_others_wait_ns.a!, 'others waited for crunch() far more');
  assert.ok(crunch.wait_ns.change! > 0, 'and crunch() itself waited more');
  assert.equal(diff.b.verdict?.kind, 'gil-bound');
  assert.match(diff.b.verdict!.headline, /crunch/);

  const text = giltrace(['diff', one, four]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^ {2}Thread-\* \(crunch\) +1→4 +\d+\.\d% +\d+\.\d% +\+\d+\.\d pt +\S+ [µm]?s +\S+ [µm]?s +(×\d+|\+\d+%) /m);
  assert.match(text.stdout, /^ {2}crunch +thread_count\.py:\d+ /m);
  assert.match(text.stdout, /^Process \(same script, other arguments\)$/m);
});
