/**
 * The report's tracks gathered window by window are the whole timeline's: on random event streams
 * cut at random sizes (steps, waits and holds crossing cuts, a hold's stack known only after the
 * cut, threads and processes appearing late, tids reused), exact and coarsened alike.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TimelineBuilder } from '../model/build-timeline.js';
import { PythonStacks } from '../model/python-stacks.js';
import type { TimelineEvent } from '../model/timeline-events.js';
import { TimelineWindows } from '../model/timeline-windows.js';
import { namedLate, randomSteps, rangeOf, toEvents } from '../../test/support/random-timeline-events.js';
import { gatherReport, ReportAccumulator, type GatheredReport } from './report-accumulator.js';

/** @param progress with the share of the events added so far as the recording's progress */
function windowed(events: readonly TimelineEvent[], stacks: PythonStacks, windowEvents: number, options: ConstructorParameters<typeof ReportAccumulator>[0], progress = false): ReportAccumulator {
  const builder = new TimelineBuilder();
  let added = 0;
  const report = new ReportAccumulator({ ...options, ...(progress ? { progress: () => added / events.length } : {}) });
  const windows = new TimelineWindows(builder, [report], { stacks, windowEvents, maxPostponed: Infinity });
  for (const event of events) {
    builder.add(event);
    added++;
  }
  windows.finish();
  return report;
}

function whole(events: readonly TimelineEvent[], stacks: PythonStacks) {
  const builder = new TimelineBuilder();
  for (const event of events) builder.add(event);
  return builder.finish({ stacks });
}

/** Plain arrays: assert.deepEqual then names the first difference. */
function plain(report: GatheredReport): unknown {
  return JSON.parse(JSON.stringify(report, (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : typeof v === 'bigint' ? String(v) : v)));
}

describe('the report window by window', () => {
  it('is the whole timeline\'s report on random streams cut anywhere, exact and coarsened', () => {
    fc.assert(
      fc.property(fc.array(randomSteps, { maxLength: 300 }), fc.integer({ min: 1, max: 60 }), fc.boolean(), fc.integer({ min: 1, max: 400 }), fc.boolean(), (steps, every, twoGils, maxSteps, progress) => {
        const events = toEvents(steps, twoGils);
        fc.pre(!namedLate(events));
        const stacks = new PythonStacks();
        const timeline = whole(events, stacks);
        const exact = windowed(events, stacks, every, {});
        assert.equal(exact.needsSecondReading, false);
        assert.deepEqual(plain(exact.finish()), plain(gatherReport(timeline)));
        // a small budget: coarsened as read to the resolutions guessed, else read a second time
        const first = windowed(events, stacks, every, { maxSteps }, progress);
        const expected = gatherReport(timeline, maxSteps);
        assert.equal(first.resolution(), expected.resolutionNs);
        const report = first.needsSecondReading ? windowed(events, stacks, every, { resolution: first.resolution() }).finish() : first.finish();
        assert.deepEqual(plain(report), plain(expected));
      }),
      { numRuns: 400 },
    );
  });

  it('a thread woken, cut, then woken again is not taken for one just started (fast-check found it)', () => {
    // a start record, then wakings with no switch: the first says it was asleep since its start; a
    // window cut forgot that step, and the second waking read the thread as new again
    const events: TimelineEvent[] = [
      { kind: 'thread_start', time: 0, pid: 100, tid: 103, parentPid: 1 },
      { kind: 'take_enter', time: 0, pid: 100, tid: 100, gil: '100', stack: 0 },
      { kind: 'waking', time: 1, tid: 103 },
      { kind: 'take_enter', time: 2, pid: 100, tid: 100, gil: '100', stack: 0 },
      { kind: 'waking', time: 3, tid: 103 },
    ];
    const stacks = new PythonStacks();
    assert.deepEqual(plain(windowed(events, stacks, 1, {}).finish()), plain(gatherReport(whole(events, stacks))));
  });

  it('is coarsened as it is read when the guessed resolutions have the one it needs, read a second time when not', () => {
    // one thread taking and dropping the GIL evenly for a long while: its report needs a coarse resolution
    const events: TimelineEvent[] = Array.from({ length: 3000 }, (_, i): TimelineEvent[] => [
      { kind: 'take_enter', time: i * 1000, pid: 100, tid: 100, gil: '100', stack: 0 },
      { kind: 'take_return', time: i * 1000 + 300, pid: 100, tid: 100 },
      { kind: 'drop', time: i * 1000 + 700, pid: 100, tid: 100, reason: 'voluntary', stack: 0 },
    ]).flat();
    const stacks = new PythonStacks();
    const expected = gatherReport(whole(events, stacks), 500);
    assert.ok(expected.resolutionNs! > 1000, 'coarsened');
    // told how much of it is read: one reading
    const guessed = windowed(events, stacks, 200, { maxSteps: 500 }, true);
    assert.equal(guessed.needsSecondReading, false);
    assert.deepEqual(plain(guessed.finish()), plain(expected));
    // not told: the resolution that fits what was read when the budget ran out is far too fine
    const blind = windowed(events, stacks, 200, { maxSteps: 500 });
    assert.equal(blind.needsSecondReading, true);
    assert.equal(blind.resolution(), expected.resolutionNs);
    assert.deepEqual(plain(windowed(events, stacks, 200, { resolution: blind.resolution() }).finish()), plain(expected));
  });

  it('of a range of the recording is that of the timeline cut at its ends', () => {
    fc.assert(
      fc.property(fc.array(randomSteps, { minLength: 1, maxLength: 300 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(Infinity, 1, 3, 17), (steps, a, b, every) => {
        const events = toEvents(steps, false);
        fc.pre(!namedLate(events));
        const cut = rangeOf(events, a, b);
        fc.pre(cut !== undefined);
        const stacks = new PythonStacks();
        const builder = new TimelineBuilder();
        const report = new ReportAccumulator();
        const windows = new TimelineWindows(builder, [report], { stacks, windowEvents: every, maxPostponed: Infinity, range: cut!.range });
        for (const event of events) builder.add(event);
        windows.finish();
        assert.deepEqual(plain(report.finish()), plain(gatherReport(cut!.truth(stacks))));
      }),
      { numRuns: 300 },
    );
  });
});
