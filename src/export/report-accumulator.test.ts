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
import { namedLate, randomSteps, toEvents } from '../../test/support/random-timeline-events.js';
import { gatherReport, ReportAccumulator, type GatheredReport } from './report-accumulator.js';

function windowed(events: readonly TimelineEvent[], stacks: PythonStacks, windowEvents: number, options: ConstructorParameters<typeof ReportAccumulator>[0]): ReportAccumulator {
  const builder = new TimelineBuilder();
  const report = new ReportAccumulator(options);
  const windows = new TimelineWindows(builder, [report], { stacks, windowEvents, maxPostponed: Infinity });
  for (const event of events) builder.add(event);
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
      fc.property(fc.array(randomSteps, { maxLength: 300 }), fc.integer({ min: 1, max: 60 }), fc.boolean(), fc.integer({ min: 1, max: 80 }), (steps, every, twoGils, maxSteps) => {
        const events = toEvents(steps, twoGils);
        fc.pre(!namedLate(events));
        const stacks = new PythonStacks();
        const timeline = whole(events, stacks);
        const exact = windowed(events, stacks, every, {});
        assert.equal(exact.overBudget, false);
        assert.deepEqual(plain(exact.finish()), plain(gatherReport(timeline)));
        // a small budget: the first reading finds the resolution, the second coarsens to it
        const first = windowed(events, stacks, every, { maxSteps });
        const expected = gatherReport(timeline, maxSteps);
        assert.equal(first.overBudget, expected.resolutionNs !== undefined);
        const report = first.overBudget ? windowed(events, stacks, every, { resolution: first.resolution() }).finish() : first.finish();
        assert.deepEqual(plain(report), plain(expected));
      }),
      { numRuns: 400 },
    );
  });
});
