/**
 * Snapshots of a growing timeline (what a live view reads): freezing never changes the builder,
 * a window is exactly the whole timeline cut at its start, and forgetting what is before a
 * window changes nothing in it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildTimeline, TimelineBuilder } from './build-timeline.js';
import type { StepTrack, ThreadTimeline, Timeline } from './timeline.js';
import { randomSteps, toEvents } from '../../test/support/random-timeline-events.js';

const streams = fc.array(randomSteps, { maxLength: 300 });

function builderOf(events: ReturnType<typeof toEvents>): TimelineBuilder {
  const builder = new TimelineBuilder();
  for (const event of events) builder.add(event);
  return builder;
}

/** Time in each state of a step track over [from, end). */
function durations(track: StepTrack, from: number, end: number): number[] {
  const out = [0, 0, 0, 0];
  for (let i = 0; i < track.times.length; i++) {
    const a = Math.max(track.times[i], from);
    const b = Math.min(i + 1 < track.times.length ? track.times[i + 1] : end, end);
    if (b > a) out[track.states[i]] += b - a;
  }
  return out;
}

function overlap(starts: ArrayLike<number>, lengths: (i: number) => number, from: number): number {
  let sum = 0;
  for (let i = 0; i < starts.length; i++) sum += Math.max(0, starts[i] + lengths(i) - Math.max(starts[i], from));
  return sum;
}

function threadsOf(timeline: Timeline): Map<string, ThreadTimeline> {
  // a tid may be reused: the incarnation's start tells them apart
  return new Map(timeline.processes.flatMap((p) => p.threads.map((t) => [`${t.tid}@${t.end}`, t] as const)));
}

function close(a: number, b: number, what: string): void {
  assert.ok(Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a)), `${what}: ${a} vs ${b}`);
}

describe('timeline snapshots', () => {
  it('freezing does not consume: a snapshot midway, then the rest, gives the one-pass timeline', () => {
    fc.assert(
      fc.property(streams, fc.nat(), (steps, cutSeed) => {
        const events = toEvents(steps, true);
        const cut = events.length === 0 ? 0 : cutSeed % events.length;
        const builder = new TimelineBuilder();
        for (const event of events.slice(0, cut)) builder.add(event);
        builder.snapshot({});
        for (const event of events.slice(cut)) builder.add(event);
        const first = builder.finish({});
        assert.deepEqual(first, buildTimeline(events));
        assert.deepEqual(builder.finish({}), first, 'finishing twice gives the same timeline');
        let collections = 0;
        assert.deepEqual(builder.consume({ collect: () => collections++ }), first, 'consuming gives the same timeline');
        assert.ok(collections >= 1, 'collects before copying');
      }),
      { numRuns: 300 },
    );
  });

  it('a window is the whole timeline cut at its start, thread by thread', () => {
    fc.assert(
      fc.property(streams, fc.double({ min: 0, max: 1, noNaN: true }), (steps, at) => {
        const events = toEvents(steps, true);
        const builder = builderOf(events);
        const whole = builder.finish({});
        const from = whole.start + at * (whole.end - whole.start);
        const window = builder.snapshot({ from });
        assert.equal(window.start, Math.max(whole.start, from));
        const full = threadsOf(whole);
        for (const [key, thread] of threadsOf(window)) {
          const all = full.get(key);
          assert.ok(all, `thread ${key} of the window is in the whole timeline`);
          assert.equal(thread.start, Math.max(all.start, from));
          assert.deepEqual(durations(thread.gilTrack, from, thread.end), durations(all.gilTrack, from, all.end), `GIL states of ${key}`);
          assert.deepEqual(durations(thread.cpuTrack, from, thread.end), durations(all.cpuTrack, from, all.end), `CPU states of ${key}`);
          close(overlap(thread.waitStarts, (i) => thread.waits[i], from), overlap(all.waitStarts, (i) => all.waits[i], from), `waits of ${key}`);
          const holds = (t: ThreadTimeline) => overlap(t.holds.starts, (i) => t.holds.ends[i] - t.holds.starts[i], from);
          close(holds(thread), holds(all), `holds of ${key}`);
          assert.deepEqual(thread.drops, all.drops.filter((d) => d.time >= from));
          assert.ok(thread.waitStarts.every((s) => s >= from) && thread.holds.starts.every((s) => s >= from), 'nothing starts before the window');
        }
        for (const [key, thread] of full) {
          if (thread.end > from) assert.ok(threadsOf(window).has(key), `thread ${key} alive in the window is in it`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('forgetting what ended before a window leaves the window unchanged', () => {
    fc.assert(
      fc.property(streams, fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(), (steps, at, cutSeed) => {
        const events = toEvents(steps, true);
        const cut = events.length === 0 ? 0 : cutSeed % events.length;
        const kept = new TimelineBuilder();
        const forgetful = new TimelineBuilder();
        for (const event of events.slice(0, cut)) {
          kept.add(event);
          forgetful.add(event);
        }
        const sofar = kept.finish({});
        const from = sofar.start + at * (sofar.end - sofar.start);
        forgetful.forgetBefore(from);
        // the live view goes on feeding after it forgot
        for (const event of events.slice(cut)) {
          kept.add(event);
          forgetful.add(event);
        }
        assert.deepEqual(forgetful.snapshot({ from }), kept.snapshot({ from }));
      }),
      { numRuns: 300 },
    );
  });
});
