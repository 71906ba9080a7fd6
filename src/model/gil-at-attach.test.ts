/**
 * Threads found holding or waiting for a GIL as giltrace attached (AdapterOptions.gilAtStart,
 * addGilAtStart): they take or wait from when they were seen, holders first, with the function
 * they were seen in; a thread whose own probe event came before its sighting is left to it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventType, PerfRecord } from '../perfdata/index.js';
import { TimelineEventAdapter } from './perf-to-timeline-events.js';
import { buildTimeline } from './build-timeline.js';
import { PythonStacks } from './python-stacks.js';
import { CPU_STATE_NAMES } from './timeline.js';
import type { TimelineEvent } from './timeline-events.js';

function eventType(index: number, name: string): EventType {
  return { index, name, system: '', tracepoint: '', fields: [], field: () => undefined };
}

const TAKE = eventType(0, 'giltrace_1_0:take');
const TAKE_RET = eventType(1, 'giltrace_1_0:take_ret');
const OTHER = eventType(2, 'cycles');

function sample(time: number, event: EventType, pid: number, tid: number): PerfRecord {
  return { type: 'sample', time, event, pid, tid, cpu: 0, ip: 0 } as PerfRecord;
}

const gilEvents = (events: TimelineEvent[]) =>
  events.filter((e) => e.kind === 'take_enter' || e.kind === 'take_return').map((e) => `${e.time} ${e.kind} ${e.tid}`);

test('a holder and a waiter seen as giltrace attached hold and wait from the recording\'s start, the holder first; one whose take came before its look is left to it', () => {
  const stacks = new PythonStacks();
  const adapter = new TimelineEventAdapter({
    tracedPids: [10],
    stacks,
    gilAtStart: [
      { pid: 10, tid: 12, gil: '10', time: 5, stack: { name: 'spin', file: 'app.py', line: 3, callers: ['run'] } },
      { pid: 10, tid: 11, gil: '10', time: 5, holding: true },
      // its take (at 4) came before the look that saw it wait: the probe says when it began
      { pid: 10, tid: 13, gil: '10', time: 5 },
    ],
  });
  const events = [
    ...adapter.events([sample(1, OTHER, 10, 10), sample(4, TAKE, 10, 13), sample(6, OTHER, 10, 10), sample(7, TAKE_RET, 10, 13)]),
    ...adapter.finish(),
  ];
  // (no event of theirs before the look: in that state since before the probes)
  assert.deepEqual(gilEvents(events), ['1 take_enter 11', '1 take_return 11', '1 take_enter 12', '4 take_enter 13', '7 take_return 13']);
  const waiter = events.find((e) => e.kind === 'take_enter' && e.tid === 12);
  assert.equal(waiter?.kind === 'take_enter' && stacks.functions[stacks.stacks[waiter.stack].leaf].name, 'spin');
});

test('users found after the adapter was made (a live view) are taken from their time on, once the attach\'s first moments went by', () => {
  const adapter = new TimelineEventAdapter({ tracedPids: [10] });
  // (the first 150 ms are held back: users found by then stand from the start, as a recording's)
  const before = [...adapter.events([sample(1, OTHER, 10, 10), sample(200e6, OTHER, 10, 10)])];
  adapter.addGilAtStart([{ pid: 10, tid: 11, gil: '10', time: 200e6 + 1 }]);
  const after = [...adapter.events([sample(200e6 + 2, OTHER, 10, 10)]), ...adapter.finish()];
  assert.deepEqual(gilEvents(before), []);
  assert.deepEqual(gilEvents(after), [`${200e6 + 2} take_enter 11`]);
});

test('the CPU state the look saw is the thread\'s since the start, and the GIL events given with it are no probe hits', () => {
  const adapter = new TimelineEventAdapter({
    tracedPids: [10],
    gilAtStart: [
      // a holder asleep in a C call, a waiter asleep
      { pid: 10, tid: 11, gil: '10', time: 5, holding: true, cpu: 'sleeping' },
      { pid: 10, tid: 12, gil: '10', time: 5, cpu: 'sleeping' },
    ],
  });
  const events = [
    { kind: 'thread_start', time: 1, pid: 10, tid: 11, parentPid: 10, existing: true },
    { kind: 'thread_start', time: 1, pid: 10, tid: 12, parentPid: 10, existing: true },
    ...adapter.events([sample(1, OTHER, 10, 10), sample(6, OTHER, 10, 10)]),
    ...adapter.finish(),
  ] as TimelineEvent[];
  const timeline = buildTimeline(events, { end: 20 });
  const threadOf = (tid: number) => timeline.processes[0].threads.find((t) => t.tid === tid)!;
  const cpu = (tid: number) => Array.from(threadOf(tid).cpuTrack.times, (t, i) => `${t} ${CPU_STATE_NAMES[threadOf(tid).cpuTrack.states[i]]}`);
  assert.deepEqual(cpu(11), ['1 sleeping']);
  assert.deepEqual(cpu(12), ['1 sleeping']);
  assert.deepEqual(timeline.processes[0].anomalies, {});
});

test('a thread idle as giltrace attached asks for the GIL, at its first wait, where it was (where it let the GIL go)', () => {
  const stacks = new PythonStacks();
  const adapter = new TimelineEventAdapter({
    tracedPids: [10],
    stacks,
    gilAtStart: [
      { pid: 10, tid: 11, gil: '10', time: 2, idle: true, stack: { name: 'poll', file: 'app.py', line: 9, callers: ['run'] } },
      // one whose own drop came first: that says where
      { pid: 10, tid: 12, gil: '10', time: 2, idle: true, stack: { name: 'stale', file: 'app.py', line: 1, callers: [] } },
    ],
  });
  const DROP = eventType(4, 'giltrace_1_0:drop');
  const events = [
    { kind: 'thread_start', time: 1, pid: 10, tid: 11, parentPid: 10, existing: true },
    { kind: 'thread_start', time: 1, pid: 10, tid: 12, parentPid: 10, existing: true },
    ...adapter.events([sample(1, DROP, 10, 12), sample(3, OTHER, 10, 10), sample(4, TAKE, 10, 11), sample(5, TAKE_RET, 10, 11), sample(6, TAKE, 10, 12)]),
    ...adapter.finish(),
  ] as TimelineEvent[];
  const timeline = buildTimeline(events, { end: 20 });
  const leafOf = (tid: number) => {
    const thread = timeline.processes[0].threads.find((t) => t.tid === tid)!;
    return Array.from(thread.waitStacks, (id) => stacks.functions[stacks.stacks[id].leaf].name);
  };
  assert.deepEqual(leafOf(11), ['poll']);
  assert.notDeepEqual(leafOf(12), ['stale']);
});

test('with takes placed, a holder seen at the attach holds from then even behind a thread that asked since the recording began', () => {
  const DROP = eventType(4, 'giltrace_1_0:drop');
  const adapter = new TimelineEventAdapter({
    tracedPids: [10],
    placeTakes: true,
    gilAtStart: [{ pid: 10, tid: 11, gil: '10', time: 5, holding: true }],
  });
  const events = [
    { kind: 'thread_start', time: 1, pid: 10, tid: 10, parentPid: 10, existing: true },
    { kind: 'thread_start', time: 1, pid: 10, tid: 11, parentPid: 10, existing: true },
    // the main thread asks for the GIL (the holder has it) before the look
    ...adapter.events([sample(2, OTHER, 10, 10), sample(3, TAKE, 10, 10), sample(6, OTHER, 10, 10), sample(8, DROP, 10, 11), sample(9, OTHER, 10, 10)]),
    ...adapter.finish(),
  ] as TimelineEvent[];
  const timeline = buildTimeline(events, { end: 20 });
  const process = timeline.processes[0];
  const { no_scheduler_events: _none, ...anomalies } = process.anomalies;
  assert.deepEqual(anomalies, {});
  // held from the start, then the main thread's (placed after the holder's drop)
  assert.deepEqual(Array.from(process.gils[0].holders.tids).filter((tid) => tid !== 0), [11, 10]);
  assert.equal(process.gils[0].holders.times[0], 2);
});

test('a holder whose own drop comes after its look, before a later look, held from the start', () => {
  const DROP = eventType(4, 'giltrace_1_0:drop');
  const adapter = new TimelineEventAdapter({
    tracedPids: [10],
    placeTakes: true,
    gilAtStart: [
      { pid: 10, tid: 11, gil: '10', time: 2, holding: true },
      { pid: 10, tid: 12, gil: '10', time: 2 },
      // a later look (the events are held back until it)
      { pid: 10, tid: 13, gil: '10', time: 9, idle: true, stack: { name: 'idle', file: 'app.py', line: 1, callers: [] } },
    ],
  });
  const events = [...adapter.events([sample(1, OTHER, 10, 10), sample(6, DROP, 10, 11), sample(7, DROP, 10, 12), sample(10, OTHER, 10, 10)]), ...adapter.finish()];
  assert.deepEqual(gilEvents(events), ['1 take_enter 11', '1 take_return 11', '1 take_enter 12', '6 take_return 12']);
});

test("with take_gil's return probed, a waiter seen at the attach gets its take placed: its take_gil call began before the probes, so no return of it is recorded", () => {
  const DROP = eventType(4, 'giltrace_1_0:drop');
  const adapter = new TimelineEventAdapter({
    tracedPids: [10],
    gilAtStart: [
      { pid: 10, tid: 11, gil: '10', time: 5, holding: true },
      { pid: 10, tid: 12, gil: '10', time: 5 },
    ],
  });
  const events = [
    { kind: 'thread_start', time: 1, pid: 10, tid: 11, parentPid: 10, existing: true },
    { kind: 'thread_start', time: 1, pid: 10, tid: 12, parentPid: 10, existing: true },
    // the holder lets go at 8 and asks again (its return probed at 14); the waiter took it at 8 and lets go at 13
    ...adapter.events([sample(2, OTHER, 10, 10), sample(6, OTHER, 10, 10), sample(8, DROP, 10, 11), sample(9, TAKE, 10, 11), sample(13, DROP, 10, 12), sample(14, TAKE_RET, 10, 11)]),
    ...adapter.finish(),
  ] as TimelineEvent[];
  assert.deepEqual(gilEvents(events), ['2 take_enter 11', '2 take_return 11', '2 take_enter 12', '8 take_return 12', '9 take_enter 11', '14 take_return 11']);
  const timeline = buildTimeline(events, { end: 20 });
  const { no_scheduler_events: _none, ...anomalies } = timeline.processes[0].anomalies;
  assert.deepEqual(anomalies, {}, 'no drop while waiting');
  assert.equal(adapter.facts.takesPlaced, undefined, 'the recording\'s takes are probed, not placed');
});

test('a thread whose first GIL event in the attach\'s first moments is a drop, no look having seen it, held the GIL from the start (the first such drop of its GIL) or waited from the start', () => {
  // on a busy server threads made as perf began took and let go of the GIL before any look: a
  // drop_while_not_holding each, their holds and waits lost
  const DROP = eventType(4, 'giltrace_1_0:drop');
  const adapter = new TimelineEventAdapter({ tracedPids: [10], placeTakes: true });
  const events = [
    { kind: 'thread_start', time: 1, pid: 10, tid: 10, parentPid: 10, existing: true },
    { kind: 'thread_start', time: 1, pid: 10, tid: 11, parentPid: 10, existing: true },
    { kind: 'thread_start', time: 1, pid: 10, tid: 12, parentPid: 10, existing: true },
    // 11 held the GIL as perf began and lets go at 3; 12, waiting since then, has it until 5; the
    // main thread asks at 6 (a probed take) and has it until 8
    ...adapter.events([sample(1, OTHER, 10, 10), sample(3, DROP, 10, 11), sample(5, DROP, 10, 12), sample(6, TAKE, 10, 10), sample(8, DROP, 10, 10), sample(200e6, OTHER, 10, 10)]),
    ...adapter.finish(),
  ] as TimelineEvent[];
  const timeline = buildTimeline(events, { end: 300e6 });
  const process = timeline.processes[0];
  const { no_scheduler_events: _none, gil_event_off_cpu: _off, ...anomalies } = process.anomalies;
  assert.deepEqual(anomalies, {});
  const holders = process.gils[0].holders;
  assert.deepEqual(Array.from(holders.tids).map((tid, i) => `${holders.times[i]} ${tid}`).filter((h) => !h.endsWith(' 0')), ['1 11', '3 12', '6 10']);
  const waitOf = (tid: number) => process.threads.find((t) => t.tid === tid)!.gilTrack;
  assert.equal(waitOf(12).times[0], 1, 'waited from the start');
});

test('with take_gil\'s return probed, a thread whose first GIL event is that return, no look having seen it, waited from the start', () => {
  // (its take_gil call began before perf recorded: a take_return_without_enter, its wait lost)
  const DROP = eventType(4, 'giltrace_1_0:drop');
  const adapter = new TimelineEventAdapter({ tracedPids: [10] });
  const events = [
    { kind: 'thread_start', time: 1, pid: 10, tid: 10, parentPid: 10, existing: true },
    { kind: 'thread_start', time: 1, pid: 10, tid: 11, parentPid: 10, existing: true },
    ...adapter.events([sample(1, OTHER, 10, 10), sample(2, TAKE, 10, 10), sample(3, TAKE_RET, 10, 10), sample(4, DROP, 10, 10), sample(5, TAKE_RET, 10, 11), sample(7, DROP, 10, 11), sample(200e6, OTHER, 10, 10)]),
    ...adapter.finish(),
  ] as TimelineEvent[];
  assert.deepEqual(gilEvents(events), ['1 take_enter 11', '2 take_enter 10', '3 take_return 10', '5 take_return 11']);
  const timeline = buildTimeline(events, { end: 300e6 });
  const { no_scheduler_events: _none, gil_event_off_cpu: _off, ...anomalies } = timeline.processes[0].anomalies;
  assert.deepEqual(anomalies, {});
});
