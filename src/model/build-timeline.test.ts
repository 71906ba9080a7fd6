import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTimeline } from './build-timeline.js';
import { NO_FRAME_STACK } from './python-stacks.js';
import { ev, twoThreadsAlternating } from '../../test/support/timeline-event-builders.js';
import { CPU_STATE_NAMES, GIL_STATE_NAMES, type ProcessTimeline, type StepTrack, type ThreadTimeline, type Timeline } from './timeline.js';
import type { TimelineEvent } from './timeline-events.js';

/** A track as readable pairs: [[time, 'state'], ...]. */
function gilSteps(track: StepTrack): [number, string][] {
  return Array.from(track.times, (t, i) => [t, GIL_STATE_NAMES[track.states[i]]]);
}
function cpuSteps(track: StepTrack): [number, string][] {
  return Array.from(track.times, (t, i) => [t, CPU_STATE_NAMES[track.states[i]]]);
}
function onlyProcess(timeline: Timeline): ProcessTimeline {
  assert.equal(timeline.processes.length, 1);
  return timeline.processes[0];
}
function thread(timeline: Timeline, tid: number): ThreadTimeline {
  const found = timeline.processes.flatMap((p) => p.threads).filter((t) => t.tid === tid);
  assert.equal(found.length, 1, `one thread ${tid}`);
  return found[0];
}
/** Anomalies except no_scheduler_events (most GIL-only sequences here have no scheduler events). */
function gilAnomalies(process: ProcessTimeline): Record<string, number> {
  const { no_scheduler_events: _ignored, ...rest } = process.anomalies;
  return rest;
}
function build(events: TimelineEvent[], end?: number): Timeline {
  return buildTimeline(events, end === undefined ? {} : { end });
}

describe('buildTimeline: GIL state machine', () => {
  it('a recording that begins mid-wait: the GIL a take_gil return made up is the interpreter named next', () => {
    // attached to a running 3.12: thread 101 was waiting before the recording began
    const timeline = build([ev.ret(10, 101), ev.drop(20, 101), ev.enter(30, 102, 100, '100/55aa'), ev.ret(31, 102)], 50);
    const process = onlyProcess(timeline);
    assert.deepEqual(process.gils.map((g) => g.key), ['100/55aa']);
    assert.deepEqual(Array.from(process.gils[0].holders.tids), [101, 0, 102]);
    assert.equal(thread(timeline, 101).gil, '100/55aa');
  });

  it("existing threads (perf's notes before the first sample) are not taken for new runnable ones", () => {
    const timeline = build([{ ...ev.start(0, 103), existing: true } as TimelineEvent, ev.sw(5, 0, 'runnable', 101), ev.enter(10, 101), ev.ret(11, 101)], 50);
    // no CPU fact for 103 in a recording with scheduler events: it slept all along
    assert.deepEqual(cpuSteps(thread(timeline, 103).cpuTrack), [[0, 'sleeping']]);
    assert.equal(onlyProcess(timeline).anomalies.no_scheduler_events, undefined);
  });

  it('two threads alternating with forced drops: exact tracks', () => {
    const timeline = build(twoThreadsAlternating());
    const process = onlyProcess(timeline);
    assert.equal(process.pid, 100);
    assert.deepEqual([process.start, process.end], [0, 4100]);
    assert.deepEqual(gilAnomalies(process), {});
    const t101 = thread(timeline, 101);
    assert.deepEqual([t101.start, t101.end], [0, 3500]);
    assert.deepEqual(gilSteps(t101.gilTrack), [
      [0, 'none'],
      [10, 'waiting'],
      [11, 'holding'],
      [1000, 'waiting'], // forced drop: wants the GIL back; take_enter at 1010 continues the wait
      [2003, 'holding'],
      [3000, 'none'],
    ]);
    assert.deepEqual([...t101.waits], [1, 1003]);
    assert.equal(t101.acquisitions, 2);
    assert.deepEqual(
      t101.drops.map((d) => [d.time, d.forced, d.known]),
      [
        [1000, true, true],
        [3000, false, true],
      ],
    );
    const t102 = thread(timeline, 102);
    assert.deepEqual(gilSteps(t102.gilTrack), [
      [0, 'none'],
      [20, 'waiting'],
      [1005, 'holding'],
      [2000, 'waiting'],
      [3002, 'holding'],
      [4000, 'none'],
    ]);
    assert.deepEqual(t102.drops.map((d) => d.forced), [true, false]);
    const [gil] = process.gils;
    assert.equal(gil.key, '100');
    assert.deepEqual([...gil.holders.times], [11, 1000, 1005, 2000, 2003, 3000, 3002, 4000]);
    assert.deepEqual([...gil.holders.tids], [101, 0, 102, 0, 101, 0, 102, 0]);
    assert.deepEqual([...gil.waiters.times], [10, 11, 20, 1000, 1005, 2000, 2003, 3002]);
    assert.deepEqual([...gil.waiters.counts], [1, 0, 1, 2, 1, 2, 1, 0]);
    // New threads are runnable until switched in.
    assert.deepEqual(cpuSteps(t101.cpuTrack), [
      [0, 'runnable'],
      [5, 'running'],
    ]);
  });

  it('uncontended take at one timestamp: a 0 ns wait, no empty interval on the track', () => {
    const timeline = build([ev.start(0, 101), ev.enter(10, 101), ev.ret(10, 101), ev.drop(50, 101, 'voluntary')], 100);
    const t = thread(timeline, 101);
    assert.deepEqual(gilSteps(t.gilTrack), [
      [0, 'none'],
      [10, 'holding'],
      [50, 'none'],
    ]);
    assert.deepEqual([...t.waits], [0]);
    assert.equal(t.acquisitions, 1);
  });

  it('drop and retake at the same instant: holding continues, both acquisitions counted', () => {
    const timeline = build([ev.enter(0, 101), ev.ret(1, 101), ev.drop(5, 101, 'voluntary'), ev.enter(5, 101), ev.ret(5, 101)], 10);
    const t = thread(timeline, 101);
    assert.deepEqual(gilSteps(t.gilTrack), [
      [0, 'waiting'],
      [1, 'holding'],
    ]);
    assert.equal(t.acquisitions, 2);
    assert.deepEqual([...t.waits], [1, 0]);
    assert.equal(t.drops.length, 1);
    const gil = onlyProcess(timeline).gils[0];
    assert.deepEqual([...gil.holders.times], [1]);
  });

  it('daemon thread stuck in take_gil at exit', () => {
    const timeline = build([ev.enter(0, 100), ev.ret(1, 100), ev.start(2, 102), ev.sw(3, 0, 'runnable', 102, 1), ev.enter(500, 102), ev.exit(900, 102)], 1000);
    const process = onlyProcess(timeline);
    assert.deepEqual(gilAnomalies(process), { exit_while_waiting: 1 });
    const t = thread(timeline, 102);
    assert.equal(t.end, 900);
    assert.deepEqual([...t.waits], [400]);
    assert.deepEqual(gilSteps(t.gilTrack), [
      [2, 'none'],
      [500, 'waiting'],
    ]);
    const gil = process.gils[0];
    assert.deepEqual([...gil.waiters.times], [0, 1, 500, 900]);
    assert.deepEqual([...gil.waiters.counts], [1, 0, 1, 0]);
  });

  it('a wait still open at the end of the recording is cut there, not counted as an anomaly', () => {
    const timeline = build([ev.enter(0, 101), ev.ret(1, 101), ev.enter(10, 102)], 70);
    assert.deepEqual([...thread(timeline, 102).waits], [60]);
    assert.deepEqual(gilAnomalies(onlyProcess(timeline)), {});
  });

  it('second holder without a drop: the previous holder is forced to none', () => {
    const timeline = build([ev.enter(0, 101), ev.ret(10, 101), ev.enter(20, 102), ev.ret(30, 102)], 100);
    const process = onlyProcess(timeline);
    assert.deepEqual(gilAnomalies(process), { second_holder: 1 });
    assert.deepEqual(gilSteps(thread(timeline, 101).gilTrack), [
      [0, 'waiting'],
      [10, 'holding'],
      [30, 'none'],
    ]);
    assert.equal(thread(timeline, 101).drops.length, 0);
    assert.deepEqual([...process.gils[0].holders.tids], [101, 102]);
  });

  it('take_return without enter: holds from the return, no wait recorded', () => {
    const timeline = build([ev.ret(10, 101), ev.drop(20, 101)], 30);
    assert.deepEqual(gilAnomalies(onlyProcess(timeline)), { take_return_without_enter: 1 });
    const t = thread(timeline, 101);
    assert.deepEqual(gilSteps(t.gilTrack), [
      [10, 'holding'],
      [20, 'none'],
    ]);
    assert.equal(t.acquisitions, 1);
    assert.deepEqual([...t.waits], []);
    assert.equal(t.gil, '100');
  });

  it('other contradictions are named and resynchronised', () => {
    const timeline = build(
      [
        ev.drop(1, 101), // drop_while_not_holding
        ev.enter(2, 101),
        ev.enter(3, 101), // take_enter_while_waiting: first wait cut at 3
        ev.ret(4, 101),
        ev.ret(5, 101), // take_return_while_holding
        ev.enter(6, 101), // take_enter_while_holding: hold ends at 6
        ev.drop(8, 101), // drop_while_waiting (CPython's must-exit path)
        ev.enter(9, 101),
        ev.ret(10, 101),
        ev.exit(12, 101), // exit_while_holding
        ev.enter(13, 101), // events_after_exit
      ],
      20,
    );
    const process = onlyProcess(timeline);
    assert.deepEqual(gilAnomalies(process), {
      drop_while_not_holding: 1,
      take_enter_while_waiting: 1,
      take_return_while_holding: 1,
      take_enter_while_holding: 1,
      drop_while_waiting: 1,
      exit_while_holding: 1,
      events_after_exit: 1,
    });
    const t = thread(timeline, 101);
    assert.deepEqual([...t.waits], [1, 1, 2, 1]);
    assert.equal(t.acquisitions, 2);
    assert.equal(t.drops.length, 1);
    assert.equal(t.end, 12);
    // The release at the exit coincides with the process end: tracks stop there.
    assert.deepEqual([...process.gils[0].holders.times], [4, 6, 10]);
    assert.deepEqual([...process.gils[0].holders.tids], [101, 0, 101]);
  });

  it('lost events: the next contradiction is counted as a resync, lost count kept', () => {
    const timeline = build([ev.enter(0, 101), ev.ret(1, 101), ev.lost(5, 42), ev.enter(10, 101), ev.enter(20, 101)], 30);
    assert.equal(timeline.lostEvents, 42);
    // First contradiction after the loss: resync; the second one (no new loss) is its own kind.
    assert.deepEqual(gilAnomalies(onlyProcess(timeline)), { lost_events_resync: 1, take_enter_while_waiting: 1 });
  });

  it('separate interpreters of one process have separate holders', () => {
    const timeline = build([ev.enter(0, 101, 100, '100/a'), ev.ret(1, 101), ev.enter(2, 102, 100, '100/b'), ev.ret(3, 102)], 10);
    const process = onlyProcess(timeline);
    assert.deepEqual(gilAnomalies(process), {});
    assert.deepEqual(
      process.gils.map((g) => [g.key, [...g.holders.tids]]),
      [
        ['100/a', [101]],
        ['100/b', [102]],
      ],
    );
  });
});

describe('buildTimeline: CPU state machine', () => {
  it('a waking in a thread\'s context says it is on a CPU: the switch back from a thread whose events never reach perf is not waited for', () => {
    // preempted at 10 by 7 (this VM's agent: no event of its context is recorded); a timer's
    // waking in 101's context at 50 says it runs again; switched out at 60 as usual
    const events: TimelineEvent[] = [
      ev.start(0, 101),
      ev.sw(5, 0, 'runnable', 101),
      ev.enter(6, 101),
      ev.ret(7, 101),
      ev.sw(10, 101, 'runnable', 7),
      { kind: 'waking', time: 50, tid: 15, by: 101 },
      ev.sw(60, 101, 'sleeping', 0),
      ev.wake(70, 101),
      { kind: 'waking', time: 75, tid: 15, by: 101 }, // woken, not yet switched in: the switch is missing
      ev.drop(90, 101, 'voluntary'),
      ev.exit(100, 101),
    ];
    const timeline = build(events, 100);
    assert.deepEqual(cpuSteps(thread(timeline, 101).cpuTrack), [[0, 'runnable'], [5, 'running'], [10, 'runnable'], [50, 'running'], [60, 'sleeping'], [70, 'runnable'], [75, 'running']]);
    assert.deepEqual(onlyProcess(timeline).anomalies, { switch_mismatch: 2 });
  });

  it('switch and waking sequences', () => {
    const timeline = build(
      [
        ev.start(0, 101),
        ev.sw(5, 0, 'runnable', 101),
        ev.enter(6, 101),
        ev.ret(7, 101),
        ev.sw(50, 101, 'sleeping', 0),
        ev.wake(80, 101),
        ev.wake(85, 101), // already runnable: no change
        ev.sw(90, 0, 'runnable', 101),
        ev.wake(95, 101), // running: no change
        ev.sw(120, 101, 'blocked', 0),
        ev.wake(150, 101),
        ev.sw(160, 0, 'runnable', 101),
        ev.sw(170, 101, 'runnable', 7), // preempted by another process's thread
        ev.sw(180, 7, 'sleeping', 101),
        ev.drop(190, 101, 'voluntary'),
        ev.exit(200, 101),
        ev.sw(201, 101, 'dead', 0), // final switch after exit: expected, ignored
      ],
      300,
    );
    const t = thread(timeline, 101);
    assert.equal(t.end, 200);
    assert.deepEqual(cpuSteps(t.cpuTrack), [
      [0, 'runnable'],
      [5, 'running'],
      [50, 'sleeping'],
      [80, 'runnable'],
      [90, 'running'],
      [120, 'blocked'],
      [150, 'runnable'],
      [160, 'running'],
      [170, 'runnable'],
      [180, 'running'],
    ]);
    assert.deepEqual(gilAnomalies(onlyProcess(timeline)), {});
  });

  it('a GIL event is a CPU fact: the thread is running then', () => {
    const timeline = build(
      [
        ev.enter(10, 103),
        ev.enter(10, 106),
        ev.sw(20, 103, 'sleeping', 0), // first scheduler fact after a GIL event: it was running
        ev.sw(21, 0, 'runnable', 107),
        ev.sw(25, 107, 'blocked', 0),
        ev.enter(29, 107), // its waking and switch-in were not recorded
        ev.sw(40, 107, 'sleeping', 0),
      ],
      50,
    );
    assert.deepEqual(cpuSteps(thread(timeline, 103).cpuTrack), [
      [10, 'running'],
      [20, 'sleeping'],
    ]);
    assert.deepEqual(cpuSteps(thread(timeline, 107).cpuTrack), [
      [21, 'running'],
      [25, 'blocked'],
      [29, 'running'],
      [40, 'sleeping'],
    ]);
    // No scheduler fact at all: running from its GIL event, and said so.
    assert.deepEqual(cpuSteps(thread(timeline, 106).cpuTrack), [[10, 'running']]);
    assert.deepEqual(onlyProcess(timeline).anomalies, { gil_event_off_cpu: 1, no_scheduler_events: 1 });
  });

  it('infers the state before the first scheduler fact of a thread first seen in a name-less way', () => {
    // A thread whose life starts with its exit record has nothing to infer; one that is woken
    // first was sleeping, one switched in first was runnable: both start at that fact.
    const timeline = build([ev.wake(5, 104), ev.sw(6, 0, 'runnable', 105), ev.enter(7, 104), ev.enter(8, 105)], 10);
    assert.deepEqual(cpuSteps(thread(timeline, 104).cpuTrack), [
      [5, 'runnable'],
      [7, 'running'],
    ]);
    assert.deepEqual(cpuSteps(thread(timeline, 105).cpuTrack), [[6, 'running']]);
  });

  it('a dead switch-out without a seen exit ends the thread; it holds nothing after', () => {
    const timeline = build([ev.sw(0, 0, 'runnable', 101), ev.enter(1, 101), ev.ret(2, 101), ev.sw(9, 101, 'dead', 0), ev.exit(10, 101)], 20);
    const t = thread(timeline, 101);
    assert.equal(t.end, 9);
    assert.deepEqual(gilAnomalies(onlyProcess(timeline)), { exit_while_holding: 1 });
    assert.deepEqual([...onlyProcess(timeline).gils[0].holders.tids], [101]);
  });

  it("perf's records of threads that already existed: moved to the recording start; woken first means it slept", () => {
    const timeline = buildTimeline(
      [
        ev.start(-43, 100, 100, 99), // written by perf at its start, before the first sample
        ev.name(-43, 100, 'perf-exec'),
        ev.wake(3, 100), // not a new thread after all: new threads are not woken (sched_wakeup_new)
        ev.sw(4, 0, 'runnable', 100),
        ev.enter(5, 100),
      ],
      { start: 0, end: 10 },
    );
    const t = thread(timeline, 100);
    assert.equal(t.start, 0);
    assert.deepEqual(cpuSteps(t.cpuTrack), [
      [0, 'sleeping'],
      [3, 'runnable'],
      [4, 'running'],
    ]);
    assert.deepEqual(onlyProcess(timeline).anomalies, {});
    assert.deepEqual([timeline.start, timeline.end], [0, 10]);
  });

  it('a new thread stays runnable until its first switch-in, even if woken', () => {
    const timeline = build([ev.start(0, 101), ev.sw(5, 0, 'runnable', 101), ev.enter(6, 101), ev.sw(7, 101, 'sleeping', 0), ev.wake(9, 101)], 10);
    assert.deepEqual(cpuSteps(thread(timeline, 101).cpuTrack), [
      [0, 'runnable'],
      [5, 'running'],
      [7, 'sleeping'],
      [9, 'runnable'],
    ]);
  });

  it('counts switch mismatches', () => {
    const timeline = build([ev.name(0, 101, 'x'), ev.sw(1, 0, 'runnable', 101), ev.sw(2, 0, 'runnable', 101), ev.enter(3, 101)], 5);
    assert.deepEqual(gilAnomalies(onlyProcess(timeline)), { switch_mismatch: 1 });
  });
});

describe('buildTimeline: threads and processes', () => {
  it('keeps only processes with GIL events; unknown-pid threads dropped', () => {
    const timeline = build(
      [
        ev.start(0, 200, 200),
        ev.sw(1, 0, 'runnable', 200),
        ev.sw(2, 200, 'sleeping', 300), // 300: pid never known
        ev.start(3, 101),
        ev.enter(4, 101),
        ev.ret(5, 101),
      ],
      10,
    );
    assert.deepEqual(
      timeline.processes.map((p) => [p.pid, p.threads.map((t) => t.tid)]),
      [[100, [101]]],
    );
    assert.deepEqual([timeline.start, timeline.end], [0, 10]);
  });

  it('process spans its first thread start to its last thread end; threads of a kept process without GIL events stay', () => {
    const timeline = build([ev.start(5, 100), ev.start(7, 101), ev.sw(8, 0, 'runnable', 101), ev.enter(9, 100), ev.exit(50, 100), ev.exit(60, 101)], 100);
    const process = onlyProcess(timeline);
    assert.deepEqual([process.start, process.end], [5, 60]);
    const t101 = thread(timeline, 101);
    assert.equal(t101.gil, undefined);
    assert.deepEqual(gilSteps(t101.gilTrack), [[7, 'none']]);
  });

  it('names: the latest python name beats OS names; others fall back to the main thread OS name', () => {
    const timeline = build(
      [
        ev.name(0, 100, 'node'),
        ev.start(1, 100),
        ev.name(2, 100, 'python3'),
        ev.name(3, 100, 'MainThread', 'python'),
        ev.name(4, 100, 'python3.12'),
        ev.start(5, 101),
        ev.name(5, 102, 'Thread-1', 'python'),
        ev.name(6, 102, 'Thread-1 (work)', 'python'),
        ev.enter(7, 100),
        ev.enter(8, 102),
      ],
      10,
    );
    assert.equal(thread(timeline, 100).name, 'MainThread');
    assert.equal(thread(timeline, 101).name, 'python3.12');
    assert.equal(thread(timeline, 102).name, 'Thread-1 (work)');
    // Names alone do not start a life: 102 starts at its first GIL event.
    assert.equal(thread(timeline, 102).start, 8);
    // Nor do they span the recording, whatever their time.
    assert.equal(timeline.start, 1);
  });

  it("a forked process's thread goes on with the names of the thread that forked it, until it runs another program", () => {
    const timeline = build(
      [
        ev.name(0, 100, 'python3'),
        ev.name(1, 100, 'MainThread', 'python'),
        ev.name(1, 101, 'Thread-1 (spawner)', 'python'),
        ev.enter(2, 100),
        ev.enter(2, 101),
        // a multiprocessing worker forked by the main thread; a subprocess forked by Thread-1, which execs
        { kind: 'thread_start', time: 3, pid: 200, tid: 200, parentPid: 100, parentTid: 100 },
        { kind: 'thread_start', time: 3, pid: 300, tid: 300, parentPid: 100, parentTid: 101 },
        { kind: 'thread_name', time: 4, pid: 300, tid: 300, name: 'sh', source: 'os', exec: true },
        ev.enter(5, 200, 200),
        ev.enter(5, 300, 300),
      ],
      10,
    );
    assert.equal(thread(timeline, 200).name, 'MainThread');
    assert.equal(thread(timeline, 300).name, 'sh');
  });

  it('an interpreter that execs itself holding the GIL: the hold ends at the exec, the new program takes the GIL afresh', () => {
    const timeline = build(
      [
        ev.enter(1, 100),
        ev.ret(1, 100),
        { kind: 'thread_name', time: 5, pid: 100, tid: 100, name: 'python3', source: 'os', exec: true },
        ev.enter(7, 100),
        ev.ret(7, 100),
        ev.drop(9, 100),
      ],
      10,
    );
    const process = onlyProcess(timeline);
    assert.deepEqual(gilAnomalies(process), {});
    assert.deepEqual(gilSteps(thread(timeline, 100).gilTrack), [[1, 'holding'], [5, 'none'], [7, 'holding'], [9, 'none']]);
  });

  it('a tid reused after exit is a new thread', () => {
    const timeline = build([ev.enter(0, 101), ev.ret(1, 101), ev.drop(2, 101), ev.exit(3, 101), ev.start(10, 101), ev.sw(10, 0, 'runnable', 101), ev.enter(11, 101)], 20);
    const threads = onlyProcess(timeline).threads;
    assert.deepEqual(
      threads.map((t) => [t.tid, t.start, t.end, t.acquisitions]),
      [
        [101, 0, 3, 1],
        [101, 10, 20, 0],
      ],
    );
    assert.deepEqual(gilAnomalies(onlyProcess(timeline)), {});
  });

  it('out-of-order and non-finite times are raised, never thrown', () => {
    const timeline = build([ev.enter(10, 101), ev.ret(5, 101), ev.drop(NaN, 101)], 20);
    const t = thread(timeline, 101);
    assert.deepEqual(gilAnomalies(onlyProcess(timeline)), { out_of_order_events: 2 });
    assert.deepEqual(gilSteps(t.gilTrack), [[10, 'none']]);
    assert.equal(t.acquisitions, 1);
  });

  it('empty input: empty timeline', () => {
    const { functions, stacks, ...timeline } = buildTimeline([], { timeBaseNs: 5n, start: 0, end: 7 });
    assert.deepEqual({ ...timeline, processes: [...timeline.processes] }, { timeBaseNs: 5n, start: 0, end: 7, processes: [], lostEvents: 0 });
    assert.deepEqual(stacks, [{ leaf: 0, callers: [] }, { leaf: 1, callers: [] }], 'only the built-in stacks: unknown, no Python frame');
    assert.deepEqual(functions.map((f) => f.name), ['<unknown>', '<no Python frame>']);
  });

  it('frozen tracks are exact-length typed arrays', () => {
    const t = thread(build(twoThreadsAlternating()), 102);
    assert.ok(t.gilTrack.times instanceof Float64Array && t.gilTrack.states instanceof Uint8Array);
    assert.equal(t.gilTrack.times.buffer.byteLength, 6 * 8);
  });
});

describe('buildTimeline: Python stacks of holds and waits', () => {
  // stack ids as the adapter would intern them: 5 = hot(), 6 = join(), 7 = io()
  const HOT = 5;
  const JOIN = 6;
  const IO = 7;
  it('a hold is released in the drop\'s stack and was asked for in the take\'s; a forced drop starts a wait in its own stack', () => {
    const timeline = build([
      ev.enter(0, 101, 100, '100', HOT),
      ev.ret(1, 101),
      ev.enter(2, 102, 100, '100', IO),
      ev.drop(10, 101, 'forced', 100, HOT), // switch interval: 101 waits again, in hot()
      ev.ret(11, 102),
      ev.enter(12, 101, 100, '100', HOT), // continues the forced-drop wait
      ev.drop(20, 102, 'voluntary', 100, IO),
      ev.ret(21, 101),
      ev.drop(30, 101, 'voluntary', 100, JOIN),
    ]);
    const t101 = thread(timeline, 101);
    assert.deepEqual([...t101.holds.starts], [1, 21]);
    assert.deepEqual([...t101.holds.ends], [10, 30]);
    assert.deepEqual([...t101.holds.stacks], [HOT, JOIN]);
    assert.deepEqual([...t101.holds.acquiredIn], [HOT, HOT]);
    assert.deepEqual([...t101.waits], [1, 11]);
    assert.deepEqual([...t101.waitStarts], [0, 10]);
    assert.deepEqual([...t101.waitStacks], [HOT, HOT]);
    assert.deepEqual(t101.drops.map((d) => d.stack), [HOT, JOIN]);
    const t102 = thread(timeline, 102);
    assert.deepEqual([...t102.holds.stacks], [IO]);
    assert.deepEqual([...t102.waitStacks], [IO]);
  });

  it('holds that end without a drop (lost drop, exit, end of recording) have no release stack', () => {
    const timeline = build(
      [
        ev.enter(0, 101, 100, '100', HOT),
        ev.ret(1, 101),
        ev.ret(5, 102), // 101's drop was lost: its hold ends here
        ev.drop(8, 102, 'voluntary', 100, IO),
        ev.enter(9, 103, 100, '100', JOIN),
        ev.ret(10, 103), // still holding when the recording ends
      ],
      50,
    );
    assert.deepEqual([...thread(timeline, 101).holds.stacks], [0]);
    assert.deepEqual([...thread(timeline, 101).holds.ends], [5]);
    assert.deepEqual([...thread(timeline, 102).holds.acquiredIn], [0], 'no take_gil entry seen: asked for in an unknown stack');
    const t103 = thread(timeline, 103);
    assert.deepEqual([[...t103.holds.starts], [...t103.holds.ends], [...t103.holds.stacks], [...t103.holds.acquiredIn]], [[10], [50], [0], [JOIN]]);
  });

  it('a wait still open at the end keeps its stack', () => {
    const t = thread(build([ev.enter(0, 101, 100, '100', HOT), ev.ret(1, 101), ev.enter(2, 102, 100, '100', IO)], 40), 102);
    assert.deepEqual([[...t.waits], [...t.waitStacks]], [[38], [IO]]);
  });
});

describe('buildTimeline: stacks read at drops only', () => {
  it('a wait whose take_enter names no stack is in the stack of the thread\'s last drop', () => {
    const HOT = 5;
    const IO = 7;
    const t = thread(
      build([
        ev.enter(0, 101), // first take of a thread: nothing dropped yet, unknown
        ev.ret(1, 101),
        ev.drop(10, 101, 'voluntary', 100, IO), // gives the GIL up around I/O in read_all()
        ev.enter(20, 101), // ... and asks for it back there
        ev.ret(21, 101),
        ev.drop(30, 101, 'forced', 100, HOT),
        ev.enter(31, 101),
        ev.ret(40, 101),
      ]),
      101,
    );
    assert.deepEqual([...t.waitStacks], [0, IO, HOT]);
    assert.deepEqual([...t.holds.acquiredIn], [0, IO, HOT]);
  });

  it('a thread seen starting takes the GIL the first time with no Python frame', () => {
    const t = thread(build([ev.start(0, 101), ev.enter(1, 101), ev.ret(2, 101), ev.drop(5, 101, 'voluntary', 100, 7)]), 101);
    assert.deepEqual([...t.waitStacks], [NO_FRAME_STACK]);
  });
});
