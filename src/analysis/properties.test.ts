/**
 * Property tests over random event streams: the model never throws, its tracks keep the
 * promises of timeline.ts, the stats sum exactly, and GIL holders never overlap.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildTimeline, TimelineBuilder } from '../model/build-timeline.js';
import { GilState, type StepTrack, type Timeline } from '../model/timeline.js';
import type { TimelineEvent } from '../model/timeline-events.js';
import { randomSteps as step, toEvents } from '../../test/support/random-timeline-events.js';
import { computeStats } from './compute-stats.js';
import { intersect, intervalsInStates, intervalsNonZero, stateMask, totalLength, union } from './intervals.js';
import { computeOffCpuHolds } from './stats-accumulator.js';
import { computeVerdict } from './verdict.js';
import { computeWaitHistogram } from './wait-histogram.js';

function checkTrack(track: StepTrack, start: number, end: number, stateCount: number, what: string): void {
  const { times, states } = track;
  assert.ok(times.length >= 1, `${what}: empty`);
  assert.equal(times.length, states.length);
  assert.equal(times[0], start, `${what}: begins at start`);
  for (let i = 0; i < times.length; i++) {
    assert.ok(states[i] < stateCount, `${what}: state in range`);
    if (i > 0) {
      assert.ok(times[i] > times[i - 1], `${what}: strictly increasing times`);
      assert.notEqual(states[i], states[i - 1], `${what}: no repeated state`);
      assert.ok(times[i] < end, `${what}: no empty interval at the end`);
    }
  }
}

/** Value of a step function at `time`; undefined before its first entry. */
function valueAt(times: ArrayLike<number>, values: ArrayLike<number>, time: number): number | undefined {
  let value: number | undefined;
  for (let i = 0; i < times.length && times[i] <= time; i++) value = values[i];
  return value;
}

function checkTimeline(timeline: Timeline, oneGilPerProcess: boolean): void {
  const stats = computeStats(timeline, { events: 0, warnings: [], processes: new Map() });
  for (const [p, process] of timeline.processes.entries()) {
    assert.ok(process.pid === 100 || process.pid === 200, `only GIL processes kept (got ${process.pid})`);
    const processStats = stats.processes[p];
    for (const [t, thread] of process.threads.entries()) {
      assert.ok(thread.end >= thread.start);
      assert.ok(thread.start >= process.start && thread.end <= process.end);
      checkTrack(thread.gilTrack, thread.start, thread.end, 3, `gil ${thread.tid}`);
      checkTrack(thread.cpuTrack, thread.start, thread.end, 4, `cpu ${thread.tid}`);
      const s = processStats.threads[t];
      assert.equal(s.held_ns + s.wait_ns + s.no_gil_ns, s.lifetime_ns, 'GIL states sum to lifetime');
      assert.equal(s.running_ns + s.runnable_ns + s.sleeping_ns + s.blocked_ns, s.lifetime_ns, 'CPU states sum to lifetime');
      assert.ok(s.held_off_cpu_ns <= s.held_ns);
      assert.equal(s.wait.count, thread.waits.length);
      assert.ok(thread.waits.every((w) => w >= 0));
    }
    for (const gil of process.gils) {
      const { times, tids } = gil.holders;
      for (let i = 1; i < times.length; i++) {
        assert.ok(times[i] > times[i - 1] && tids[i] !== tids[i - 1], 'holders track compact');
      }
      assert.ok(gil.waiters.counts.every((c) => c <= 6), 'waiters never exceed the threads');
    }
    if (!oneGilPerProcess) continue;
    // Holders never overlap: thread holding intervals are pairwise disjoint and together are
    // exactly the holders track's non-zero intervals.
    const holding = process.threads.map((t) => intervalsInStates(t.gilTrack.times, t.gilTrack.states, t.start, t.end, stateMask(GilState.holding)));
    for (let a = 0; a < holding.length; a++) {
      for (let b = a + 1; b < holding.length; b++) {
        assert.equal(totalLength(intersect(holding[a], holding[b])), 0, 'two holders at once');
      }
    }
    // The waiters count is the number of threads in the waiting state, at every instant.
    const gil = process.gils[0];
    if (gil) {
      const instants = new Set<number>(gil.waiters.times);
      for (const t of process.threads) for (const time of t.gilTrack.times) instants.add(time);
      for (const time of instants) {
        if (time >= process.end) continue;
        let waiting = 0;
        for (const t of process.threads) {
          if (time >= t.start && time < t.end && valueAt(t.gilTrack.times, t.gilTrack.states, time) === GilState.waiting) waiting++;
        }
        assert.equal(valueAt(gil.waiters.times, gil.waiters.counts, time) ?? 0, waiting, `waiters at ${time}`);
      }
    }
    const held = gil ? intervalsNonZero(gil.holders.times, gil.holders.tids, gil.holders.times[0] ?? 0, process.end) : new Float64Array(0);
    assert.deepEqual(union(holding.length ? holding : [new Float64Array(0)]), held, 'threads agree with the holders track');
    assert.equal(processStats.gil.held_ns, totalLength(held));
  }
  // Held off-CPU splits exactly into held while asleep and held while preempted.
  const holds = computeOffCpuHolds(timeline);
  for (const process of stats.processes) {
    const split = holds.filter((h) => h.pid === process.pid).reduce((sum, h) => sum + h.asleepNs + h.preemptedNs, 0);
    assert.equal(split, process.threads.reduce((sum, t) => sum + t.held_off_cpu_ns, 0));
    for (const h of holds) assert.ok(h.asleepContendedNs <= h.asleepNs && h.longestAsleepNs <= h.asleepNs);
  }
  computeVerdict(stats, timeline);
  for (const thread of timeline.processes.flatMap((p) => p.threads)) computeWaitHistogram(thread);
}

describe('properties over random event streams', () => {
  it('a window snapshot of a growing timeline keeps the same promises', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300 }), fc.double({ min: 0, max: 1, noNaN: true }), (steps, at) => {
        const builder = new TimelineBuilder();
        for (const event of toEvents(steps, false)) builder.add(event);
        const whole = builder.snapshot({});
        checkTimeline(builder.snapshot({ from: whole.start + at * (whole.end - whole.start) }), true);
      }),
      { numRuns: 300 },
    );
  });
  it('time-ordered streams, one GIL per process: tracks valid, sums exact, holders never overlap', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300 }), (steps) => checkTimeline(buildTimeline(toEvents(steps, false)), true)),
      { numRuns: 400 },
    );
  });

  it('two interpreters per process: tracks valid, sums exact', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300 }), fc.integer({ min: 0, max: 3000 }), (steps, start) =>
        checkTimeline(buildTimeline(toEvents(steps, true), { start }), false),
      ),
      { numRuns: 200 },
    );
  });

  it('garbage streams (any times, tids, pids, keys) never throw', () => {
    const anyNumber = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, 0));
    const garbage = fc.oneof(
      fc.record({ kind: fc.constant('take_enter' as const), time: anyNumber, pid: anyNumber, tid: anyNumber, gil: fc.string({ maxLength: 2 }) }),
      fc.record({ kind: fc.constant('take_return' as const), time: anyNumber, pid: anyNumber, tid: anyNumber }),
      fc.record({ kind: fc.constant('drop' as const), time: anyNumber, pid: anyNumber, tid: anyNumber, reason: fc.constantFrom('forced' as const, 'unknown' as const) }),
      fc.record({
        kind: fc.constant('switch' as const),
        time: anyNumber,
        cpu: anyNumber,
        prevTid: anyNumber,
        prevState: fc.constantFrom('runnable' as const, 'dead' as const, 'blocked' as const),
        nextTid: anyNumber,
      }),
      fc.record({ kind: fc.constant('waking' as const), time: anyNumber, tid: anyNumber }),
      fc.record({ kind: fc.constant('thread_start' as const), time: anyNumber, pid: anyNumber, tid: anyNumber, parentPid: anyNumber }),
      fc.record({ kind: fc.constant('thread_exit' as const), time: anyNumber, pid: anyNumber, tid: anyNumber }),
      fc.record({ kind: fc.constant('lost' as const), time: anyNumber, count: anyNumber }),
    );
    fc.assert(
      fc.property(fc.array(garbage, { maxLength: 100 }), (events) => {
        const timeline = buildTimeline(events as TimelineEvent[]);
        const stats = computeStats(timeline, { events: 0, warnings: [], processes: new Map() });
        for (const process of stats.processes) {
          for (const t of process.threads) {
            assert.equal(t.held_ns + t.wait_ns + t.no_gil_ns, t.lifetime_ns);
            assert.equal(t.running_ns + t.runnable_ns + t.sleeping_ns + t.blocked_ns, t.lifetime_ns);
          }
        }
        computeVerdict(stats, timeline);
        for (const thread of timeline.processes.flatMap((p) => p.threads)) computeWaitHistogram(thread);
      }),
      { numRuns: 300 },
    );
  });
});
