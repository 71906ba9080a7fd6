/**
 * Property tests over random event streams: the model never throws, its tracks keep the
 * promises of timeline.ts, the stats sum exactly, and GIL holders never overlap.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildTimeline } from '../model/build-timeline.js';
import { GilState, type StepTrack, type Timeline } from '../model/timeline.js';
import type { TraceEvent } from '../model/trace-events.js';
import { computeStats } from './compute-stats.js';
import { intersect, intervalsInStates, intervalsNonZero, stateMask, totalLength, union } from './intervals.js';
import { computeOffCpuHolds } from './off-cpu-holds.js';
import { computeVerdict } from './verdict.js';
import { computeWaitHistogram } from './wait-histogram.js';

/** Threads of two Python processes (100, 200), one of a process without GIL events (300), one never placed (400). */
const PID_OF: Record<number, number> = { 101: 100, 102: 100, 103: 100, 100: 100, 201: 200, 202: 200, 301: 300 };
const TIDS = [100, 101, 102, 103, 201, 202, 301, 400];
const GIL_TIDS = [100, 101, 102, 103, 201, 202];

const step = fc.record({
  dt: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1000 }), fc.double({ min: 0, max: 50, noNaN: true })),
  kind: fc.constantFrom('enter', 'ret', 'drop', 'switch', 'waking', 'start', 'exit', 'name', 'lost'),
  tid: fc.constantFrom(...TIDS),
  gilTid: fc.constantFrom(...GIL_TIDS),
  other: fc.constantFrom(0, ...TIDS),
  prevState: fc.constantFrom('runnable', 'sleeping', 'blocked', 'dead'),
  reason: fc.constantFrom('forced', 'voluntary', 'unknown'),
  interp: fc.constantFrom('', '/b'),
  count: fc.integer({ min: 0, max: 5 }),
});
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

/** Time-ordered, every tid in one process; `twoGils` lets a process use two interpreters. */
function toEvents(steps: readonly Step[], twoGils: boolean): TraceEvent[] {
  let time = 0;
  return steps.map((s): TraceEvent => {
    time += s.dt;
    const tid = s.gilTid;
    const pid = PID_OF[tid];
    switch (s.kind) {
      case 'enter':
        return { kind: 'take_enter', time, pid, tid, gil: `${pid}${twoGils ? s.interp : ''}`, stack: 0 };
      case 'ret':
        return { kind: 'take_return', time, pid, tid };
      case 'drop':
        return { kind: 'drop', time, pid, tid, reason: s.reason as 'forced', stack: 0 };
      case 'switch':
        return { kind: 'switch', time, cpu: 0, prevTid: s.tid, prevState: s.prevState as 'dead', nextTid: s.other };
      case 'waking':
        return { kind: 'waking', time, tid: s.tid };
      case 'start':
        return { kind: 'thread_start', time, pid: PID_OF[s.tid] ?? 0, tid: s.tid, parentPid: 1 };
      case 'exit':
        return { kind: 'thread_exit', time, pid: PID_OF[s.tid] ?? 0, tid: s.tid };
      case 'name':
        return { kind: 'thread_name', time, pid: PID_OF[s.tid] ?? 0, tid: s.tid, name: `n${s.count}`, source: s.count > 2 ? 'python' : 'os' };
      default:
        return { kind: 'lost', time, count: s.count };
    }
  });
}

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
        const timeline = buildTimeline(events as TraceEvent[]);
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
