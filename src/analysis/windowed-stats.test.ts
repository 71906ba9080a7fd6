/**
 * Stats summed window by window are the whole timeline's: on random event streams cut at random
 * sizes (waits, holds and hand-offs crossing cuts, threads and processes appearing late, tids
 * reused, lost events), number for number.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TimelineBuilder } from '../model/build-timeline.js';
import { PythonStacks } from '../model/python-stacks.js';
import type { TimelineEvent } from '../model/timeline-events.js';
import { namedLate, randomSteps, rangeOf, toEvents } from '../../test/support/random-timeline-events.js';
import { statsOf } from './compute-stats.js';
import { accumulateWhole } from './stats-accumulator.js';
import { TimelineWindows } from '../model/timeline-windows.js';
import { StatsAccumulator } from './stats-accumulator.js';

const META = { events: 0, warnings: [], processes: new Map(), cpus: 2 };

function bothWays(events: readonly TimelineEvent[], windowEvents: number, maxPostponed = Infinity) {
  const stacks = new PythonStacks();
  const whole = new TimelineBuilder();
  for (const event of events) whole.add(event);
  const timeline = whole.finish({ stacks });
  const builder = new TimelineBuilder();
  const accumulator = new StatsAccumulator({ cpus: 2 });
  const windowed = new TimelineWindows(builder, [accumulator], { stacks, windowEvents, maxPostponed });
  for (const event of events) builder.add(event);
  windowed.finish();
  const expected = accumulateWhole(timeline, { cpus: 2 });
  return { windowed: accumulator, whole: expected, pids: timeline.processes.map((p) => p.pid), late: windowed.lateThreads };
}

/** Float sums in another order may differ in the last bits: ratios compared to 1e-9. */
function assertClose(actual: number | undefined, expected: number | undefined, what: string): void {
  if (actual === undefined || expected === undefined) return assert.equal(actual, expected, what);
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

describe('stats window by window', () => {
  it('equal the whole timeline\'s on random streams cut anywhere', () => {
    fc.assert(
      fc.property(fc.array(randomSteps, { maxLength: 300 }), fc.integer({ min: 1, max: 60 }), fc.boolean(), (steps, every, twoGils) => {
        const events = toEvents(steps, twoGils);
        // a thread whose process is told after its first event (a cut may come between) is not
        // in the no-GIL estimate before the cut (TimelineWindows.lateThreads): not for this test
        fc.pre(!namedLate(events));
        const { windowed, whole, pids, late } = bothWays(events, every);
        assert.equal(late, 0);
        assert.deepEqual(statsOf(windowed, META), statsOf(whole, META));
        const [a, b] = [windowed.facts(), whole.facts()];
        assert.deepEqual(a.offCpuHolds, b.offCpuHolds);
        for (const pid of pids) {
          const [x, y] = [a.withoutGil(pid), b.withoutGil(pid)];
          assertClose(x?.estimatedNs, y?.estimatedNs, `estimate of ${pid}`);
          assertClose(x?.pythonCpusWhileContended, y?.pythonCpusWhileContended, `Python CPUs of ${pid}`);
          assert.equal(x?.measuredNs, y?.measuredNs);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a GIL held for less than a whole ns at the end is no thread\'s, cut or not (fast-check, seed -107566636)', () => {
    const events: TimelineEvent[] = [
      { kind: 'take_enter', time: 0, pid: 100, tid: 103, gil: '100/b', stack: 0 },
      { kind: 'take_return', time: 0, pid: 100, tid: 100 },
      { kind: 'take_enter', time: 0, pid: 100, tid: 100, gil: '100', stack: 0 },
      { kind: 'take_return', time: 5e-324, pid: 100, tid: 103 },
    ];
    const { windowed, whole } = bothWays(events, 1);
    assert.deepEqual(statsOf(windowed, META), statsOf(whole, META));
    assert.deepEqual(statsOf(whole, META).processes[0].interpreters?.map((g) => g.tids), [[], []], 'held 0 ns each');
  });

  it('cut at every event, a thread whose CPU state is unknown holds no cut back past the limit', () => {
    // thread 101 starts as an existing one (CPU state unknown) and only gets a scheduler fact at
    // the end, while its process runs and the scheduler is heard of
    const events: TimelineEvent[] = [
      { kind: 'thread_start', time: 0, pid: 100, tid: 101, parentPid: 1, existing: true },
      { kind: 'drop', time: 0, pid: 100, tid: 100, reason: 'unknown', stack: 0 },
      { kind: 'switch', time: 1, cpu: 0, prevTid: 0, prevState: 'runnable', nextTid: 100 },
      ...Array.from({ length: 40 }, (_, i): TimelineEvent[] => [
        { kind: 'take_enter', time: 10 + i * 10, pid: 100, tid: 100, gil: '100', stack: 0 },
        { kind: 'take_return', time: 12 + i * 10, pid: 100, tid: 100 },
        { kind: 'drop', time: 15 + i * 10, pid: 100, tid: 100, reason: 'voluntary', stack: 0 },
      ]).flat(),
      { kind: 'switch', time: 500, cpu: 0, prevTid: 101, prevState: 'sleeping', nextTid: 0 },
    ];
    const held = bothWays(events, 1);
    assert.deepEqual(statsOf(held.windowed, META), statsOf(held.whole, META), 'held back: exact');
    const cut = bothWays(events, 1, 2);
    const thread = (s: ReturnType<typeof statsOf>) => s.processes[0].threads.find((t) => t.tid === 101)!;
    // the whole timeline takes it as running since its start (it was switched out); the windows
    // cut before that fact took it as asleep
    assert.equal(thread(statsOf(held.whole, META)).running_ns, 500);
    assert.ok(thread(statsOf(cut.windowed, META)).sleeping_ns > 0);
  });

  it('of a range of the recording are those of the timeline cut at its ends', () => {
    const windowSizes = fc.constantFrom(Infinity, 1, 3, 17);
    fc.assert(
      fc.property(fc.array(randomSteps, { minLength: 1, maxLength: 300 }), fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), windowSizes, (steps, twoGils, a, b, every) => {
        const events = toEvents(steps, twoGils);
        fc.pre(!namedLate(events));
        const cut = rangeOf(events, a, b);
        fc.pre(cut !== undefined);
        const { range, truth } = cut!;
        const stacks = new PythonStacks();
        const expected = accumulateWhole(truth(stacks), { cpus: 2 });
        // cut at the range's ends, and every few events between or not at all
        const builder = new TimelineBuilder();
        const accumulator = new StatsAccumulator({ cpus: 2 });
        const windows = new TimelineWindows(builder, [accumulator], { stacks, windowEvents: every, maxPostponed: Infinity, range });
        for (const event of events) builder.add(event);
        windows.finish();
        assert.ok(windows.handedOn >= 1);
        assert.deepEqual(statsOf(accumulator, META), statsOf(expected, META));
      }),
      { numRuns: 300 },
    );
  });
});
