import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SampleRecord } from '../perfdata/index.js';
import { buildTimeline } from './build-timeline.js';
import type { CodeClassifier } from '../contract/mapped-code.js';
import { stackShowsGilWait } from './gil-wait-scan.js';
import { ev } from '../../test/support/timeline-event-builders.js';
import { GIL_STATE_NAMES, type StepTrack } from './timeline.js';
import type { TimelineEvent } from './timeline-events.js';
import { WaitInference, type WaitInferenceCounts } from './wait-inference.js';

// A pretend address space: libpython's code at 0x7f0000000000 (file offset = address - base),
// libc at 0x7f1000000000. take_gil's return sites are at offsets 0x100..0x1ff, other Python
// functions' at 0x200..0x2ff; anything else is not a return site.
const PY = 0x7f0000000000;
const LIBC = 0x7f1000000000;
const resolve = (address: number) =>
  address >= PY && address < PY + 0x1000
    ? { file: '/lib/libpython3.11.so', offset: address - PY, mapOffset: 0, mapLength: 0x1000 }
    : address >= LIBC && address < LIBC + 0x1000
      ? { file: '/lib/libc.so.6', offset: address - LIBC, mapOffset: 0, mapLength: 0x1000 }
      : undefined;
const classify: CodeClassifier = ({ file, offset }) =>
  file.includes('libpython') ? (offset >= 0x100 && offset < 0x200 ? 'take_gil' : offset >= 0x200 && offset < 0x300 ? 'python' : 'other') : 'other';

function stack(...words: number[]): Uint8Array {
  const bytes = new Uint8Array(words.length * 8);
  const view = new DataView(bytes.buffer);
  words.forEach((w, i) => {
    view.setUint32(i * 8, w % 2 ** 32, true);
    view.setUint32(i * 8 + 4, Math.floor(w / 2 ** 32), true);
  });
  return bytes;
}

describe('stackShowsGilWait', () => {
  it('take_gil as the innermost Python return address (after libc frames and data) is a wait', () => {
    assert.equal(stackShowsGilWait(stack(42, LIBC + 0x10, 0x55000000, LIBC + 0x20, PY + 0x16f, PY + 0x210), resolve, classify), true);
  });
  it('a stale take_gil address behind a live Python frame is not a wait', () => {
    assert.equal(stackShowsGilWait(stack(LIBC + 0x10, PY + 0x220, PY + 0x1d7, PY + 0x230), resolve, classify), false);
  });
  it('no Python frame, an empty stack, or a stack ending mid-word is no wait', () => {
    assert.equal(stackShowsGilWait(stack(LIBC + 0x10, 7), resolve, classify), false);
    assert.equal(stackShowsGilWait(new Uint8Array(0), resolve, classify), false);
    assert.equal(stackShowsGilWait(stack(LIBC + 0x10).subarray(0, 5), resolve, classify), false);
  });
});

const PID = 100;
const WAITING = stack(LIBC + 0x10, PY + 0x16f, PY + 0x210);
const RUNNING = stack(LIBC + 0x10, PY + 0x210, PY + 0x16f);

/** A sched_switch sample of `tid` going off-CPU with `userStack`, and its decoded event. */
function switchOut(time: number, tid: number, state: 'sleeping' | 'runnable', userStack: Uint8Array | undefined, nextTid = 0): [SampleRecord, TimelineEvent] {
  const sample = { type: 'sample', time, pid: PID, tid, cpu: 0, ip: 0, raw: undefined, callchain: undefined, userStack } as unknown as SampleRecord;
  return [sample, ev.sw(time, tid, state, nextTid)];
}
function waking(time: number, byTid: number, tid: number): [SampleRecord, TimelineEvent] {
  const sample = { type: 'sample', time, pid: PID, tid: byTid, cpu: 0, ip: 0, raw: undefined, callchain: undefined } as unknown as SampleRecord;
  return [sample, ev.wake(time, tid)];
}

function infer(samples: [SampleRecord, TimelineEvent][]): { events: TimelineEvent[]; counts: WaitInferenceCounts } {
  const counts = { stackScans: 0, sleepsInTakeGil: 0, inferredWaits: 0, inferredWaitsEndUnseen: 0 };
  const inference = new WaitInference(classify, (_pid, address) => resolve(address), counts);
  const events = samples.flatMap(([sample, event]) => [...inference.around(sample, event)]);
  return { events, counts };
}

function gilSteps(track: StepTrack): [number, string][] {
  return Array.from(track.times, (t, i) => [t, GIL_STATE_NAMES[track.states[i]]]);
}

describe('WaitInference + buildTimeline', () => {
  it('sleep in take_gil → waiting until the waking; no acquisition, hold or drop is invented', () => {
    const { events, counts } = infer([
      switchOut(10, 101, 'sleeping', WAITING),
      switchOut(12, 102, 'sleeping', RUNNING), // asleep elsewhere: no wait
      switchOut(15, 103, 'runnable', WAITING), // preempted in take_gil: left out (no wakeup would end it)
      waking(5010, 104, 101),
    ]);
    assert.deepEqual(
      events.filter((e) => e.kind.startsWith('inferred')).map((e) => [e.kind, e.time, 'tid' in e ? e.tid : 0]),
      [
        ['inferred_wait_start', 10, 101],
        ['inferred_wait_end', 5010, 101],
      ],
    );
    assert.deepEqual(counts, { stackScans: 2, sleepsInTakeGil: 1, inferredWaits: 1, inferredWaitsEndUnseen: 0 });
    const timeline = buildTimeline([ev.start(0, 101), ...events], { end: 6000 });
    const t101 = timeline.processes[0].threads.find((t) => t.tid === 101)!;
    assert.deepEqual(gilSteps(t101.gilTrack), [
      [0, 'none'],
      [10, 'waiting'],
      [5010, 'none'],
    ]);
    assert.deepEqual([...t101.waits], [5000]);
    assert.equal(t101.acquisitions, 0);
    assert.equal(t101.drops.length, 0);
    assert.ok(Array.from(timeline.processes[0].gils[0].holders.tids).every((tid) => tid === 0), 'nobody ever holds');
  });

  it('no recorded wakeup: back to sleep in take_gil continues the wait, running elsewhere ends it (counted)', () => {
    const { events, counts } = infer([
      switchOut(10, 101, 'sleeping', WAITING),
      switchOut(5020, 101, 'sleeping', WAITING), // ran unseen, sleeps in take_gil again
      waking(10030, 104, 101),
      switchOut(10040, 101, 'sleeping', WAITING),
      switchOut(10500, 101, 'sleeping', RUNNING), // ran unseen, now asleep elsewhere
    ]);
    assert.deepEqual(counts, { stackScans: 4, sleepsInTakeGil: 3, inferredWaits: 2, inferredWaitsEndUnseen: 1 });
    const timeline = buildTimeline([ev.start(0, 101), ...events], { end: 20000 });
    const t101 = timeline.processes[0].threads[0];
    assert.deepEqual(gilSteps(t101.gilTrack), [
      [0, 'none'],
      [10, 'waiting'],
      [10030, 'none'],
      [10040, 'waiting'],
      [10500, 'none'],
    ]);
    assert.deepEqual([...t101.waits], [10020, 460]);
  });

  it('a switch-in ends the wait; exact GIL events win over inferred ones', () => {
    const { events } = infer([switchOut(10, 101, 'sleeping', WAITING), switchOut(300, 102, 'sleeping', RUNNING, 101)]);
    const timeline = buildTimeline([ev.start(0, 101), ...events]);
    assert.deepEqual([...timeline.processes[0].threads.find((t) => t.tid === 101)!.waits], [290]);

    const mixed = buildTimeline([
      ev.enter(5, 101),
      ev.ret(6, 101),
      { kind: 'inferred_wait_start', time: 10, pid: PID, tid: 101, gil: `${PID}` },
      { kind: 'inferred_wait_end', time: 20, pid: PID, tid: 101 },
      ev.drop(30, 101),
    ], { end: 100 });
    const thread = mixed.processes[0].threads[0];
    assert.deepEqual(gilSteps(thread.gilTrack), [
      [5, 'waiting'],
      [6, 'holding'],
      [30, 'none'],
    ]);
    assert.deepEqual(mixed.processes[0].anomalies, { no_scheduler_events: 1 });
  });
});
