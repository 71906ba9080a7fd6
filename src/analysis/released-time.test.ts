import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CpuState, GilState, type ThreadTimeline } from '../model/timeline.js';
import { UNKNOWN_STACK } from '../model/python-stacks.js';
import { releasedStretches } from './released-time.js';

/** Holds the GIL 0-10, then goes without it to 100: asleep 10-50 and 60-100, on a CPU 50-60. */
function thread(drops: ThreadTimeline['drops'], releases?: ThreadTimeline['releases']): ThreadTimeline {
  return {
    pid: 1, tid: 2, name: 't', start: 0, end: 100, gil: '1',
    gilTrack: { times: Float64Array.of(0, 10), states: Uint8Array.of(GilState.holding, GilState.none) },
    cpuTrack: { times: Float64Array.of(0, 10, 50, 60), states: Uint8Array.of(CpuState.running, CpuState.sleeping, CpuState.running, CpuState.sleeping) },
    drops, ...(releases ? { releases } : {}),
    acquisitions: 1, waits: new Float64Array(), waitStarts: new Float64Array(), waitStacks: new Int32Array(),
    holds: { starts: Float64Array.of(0), ends: Float64Array.of(10), stacks: Int32Array.of(1), acquiredIn: Int32Array.of(1) },
  };
}

function stretches(t: ThreadTimeline, before = UNKNOWN_STACK): { seen: number[][]; after: number } {
  const seen: number[][] = [];
  const after = releasedStretches(t, before, (stack, length, asleep) => seen.push([stack, length, asleep]));
  return { seen, after };
}

test('a stretch without the GIL goes to the stack its drop named, with the part asleep', () => {
  assert.deepEqual(stretches(thread([{ time: 10, tid: 2, forced: false, known: true, stack: 7 }])), { seen: [[7, 90, 80]], after: 7 });
});

test("a sampled thread found in another stack, still without the GIL, is charged there from then on", () => {
  const drop = { time: 10, tid: 2, forced: false, known: true, stack: 7 };
  assert.deepEqual(stretches(thread([drop], [{ time: 50, stack: 8 }])), { seen: [[7, 40, 40], [8, 50, 40]], after: 8 });
  // two in a row, and one at the stretch's start
  assert.deepEqual(stretches(thread([drop], [{ time: 10, stack: 9 }, { time: 30, stack: 8 }, { time: 70, stack: 7 }])).seen, [[9, 20, 20], [8, 40, 30], [7, 30, 30]]);
  // before its first drop or release it had not used the GIL: nothing charged until one
  assert.deepEqual(stretches(thread([], [{ time: 60, stack: 8 }])).seen, [[8, 40, 40]]);
  // a window's stretch begun in the previous window: that window's last stack
  assert.deepEqual(stretches(thread([], [{ time: 60, stack: 8 }]), 5).seen, [[5, 50, 40], [8, 40, 40]]);
});
