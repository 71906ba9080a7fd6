import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newAdapterFacts } from '../model/perf-to-timeline-events.js';
import { INFERRED_WAITS_WARNING, PER_TASK_WARNING, recordingWarnings, unnamedAttachedThreadsWarnings, type RecordingFindings } from './recording-warnings.js';
import { statsOf, statsThread } from '../../test/support/stats-builders.js';

const base: RecordingFindings = {
  manifestProblem: undefined,
  kind: 'gil-probes',
  facts: newAdapterFacts(),
  waitLookup: undefined,
  perTask: false,
  eventNames: ['giltrace_1_0:take', 'sched:sched_switch'],
  pids: [100],
  lostEvents: 0,
};

test('a clean recording with GIL probes has no warning', () => {
  assert.deepEqual(recordingWarnings(base), []);
});

test('each finding is worded, in a fixed order: manifest, kind, per-task, lost events', () => {
  const facts = { ...newAdapterFacts(), schedEvents: 5, stackScans: 4, sleepsInTakeGil: 2, inferredWaits: 2, inferredWaitsEndUnseen: 1 };
  const waitLookup = { classify: () => 'other' as const, symbolized: new Set(['/lib/libpython3.11.so']), unusable: new Map([['/lib/libpython3.12.so', 'gone']]) };
  const warnings = recordingWarnings({ ...base, manifestProblem: 'unreadable', kind: 'scheduler-only', facts, waitLookup, perTask: true, lostEvents: 7 });
  assert.deepEqual(warnings, [
    "unreadable: drop reasons are read from this machine's interpreter files instead",
    `${INFERRED_WAITS_WARNING} (2 of 4 sleeps were in take_gil: 2 waits)`,
    '1 inferred GIL waits had no recorded wakeup: they end where the thread was next seen running (record with -a to see every wakeup and switch-in)',
    'cannot tell GIL waits in /lib/libpython3.12.so: gone; waits there are not counted',
    PER_TASK_WARNING,
    'perf lost 7 events (ring buffer overrun): use a larger --buffer; numbers near the gaps are uncertain',
  ]);
});

test('takes placed by a guess are worded when more than one in a thousand', () => {
  const guessed = (placed: number, n: number): string[] => recordingWarnings({ ...base, facts: { ...newAdapterFacts(), takesPlaced: { placed, guessed: n } } });
  assert.deepEqual(guessed(5000, 1), [], 'one guess (a recording that ended while threads waited)');
  assert.deepEqual(guessed(5000, 5), []);
  assert.match(guessed(5000, 6)[0], /^6 of the 5000 GIL takes were placed by a guess .*--exact-takes/);
});

test('no GIL events at all, or no stack into a Python library, says so', () => {
  assert.match(recordingWarnings({ ...base, kind: 'no-gil-events' })[0], /^no GIL probe events in this recording/);
  // attached to threads that never took or dropped a GIL while recorded: not a recording without probes
  assert.match(recordingWarnings({ ...base, kind: 'no-gil-events', attached: 'named', gilUsersAtAttach: 4 })[0], /^no thread took or let go of a GIL while giltrace recorded: .* \(4 threads\) is as giltrace saw them when it attached/);
  assert.match(recordingWarnings({ ...base, kind: 'no-gil-events', attached: 'named' })[0], /none held or waited for one when it attached/);
  const nothing = { classify: () => 'other' as const, symbolized: new Set<string>(), unusable: new Map<string, string>() };
  const facts = { ...newAdapterFacts(), stackScans: 3 };
  assert.match(recordingWarnings({ ...base, kind: 'scheduler-only', facts, waitLookup: nothing }).at(-1)!, /^no user stack pointed into a Python library/);
});

test('threads of an attached process that keep their OS name are counted, per process; a process giltrace started is not', () => {
  const stats = statsOf([statsThread(100, 0, { name: 'MainThread' }), statsThread(101, 0, { name: 'python3 (serve)' }), statsThread(102, 0, { name: 'python3' }), statsThread(103, 0, { name: 'python3' })]);
  const named = [{ pid: 100, tid: 100, name: 'MainThread' }, { pid: 100, tid: 101, name: 'python3 (serve)' }];
  assert.deepEqual(unnamedAttachedThreadsWarnings(stats.processes, [{ pid: 100 }], named), [
    '2 threads of attached process 100 keep their OS name (python3): what they were started to run could not be read while they lived (a thread of a few ms, or one not started by threading)',
  ]);
  assert.deepEqual(unnamedAttachedThreadsWarnings(stats.processes, [{ pid: 100 }], [...named, { pid: 100, tid: 102, name: 'python3 (serve)' }, { pid: 100, tid: 103, name: 'python3 (serve)' }]), []);
  assert.deepEqual(unnamedAttachedThreadsWarnings(stats.processes, [{ pid: 999 }], []), [], 'not attached: its threads have their Python names');
});

test('drops in code giltrace could not read are worded when more than one in 50', () => {
  const unnamed = (codeDrops: number, n: number): string[] => recordingWarnings({ ...base, facts: { ...newAdapterFacts(), codeDrops, unnamedCodeDrops: n } });
  assert.deepEqual(unnamed(1811, 17), [], 'a .pth file\'s code at start, exec\'d and freed at once');
  assert.deepEqual(unnamed(1000, 20), []);
  assert.match(unnamed(1000, 21)[0], /^21 of 1000 GIL drops were in code giltrace could not read while its process ran .* are <unknown>$/);
});
