/**
 * function-stats' CpuStateSweep (time in some CPU states while the GIL had a waiter, per hold, walking the CPU
 * track in place) equals the overlap with the intersected interval lists it replaced.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import type { ThreadTimeline } from '../model/timeline.js';
import { CpuStateSweep } from './function-stats.js';
import { intersect, intervalsInStates } from './intervals.js';

/** Sorted disjoint integer ranges [a0, b0, a1, b1, ...] from gaps and lengths. */
const ranges = fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 8 })), { maxLength: 12 }).map((parts) => {
  const out: number[] = [];
  let at = -3;
  for (const [gap, length] of parts) {
    at += gap;
    out.push(at, at + length);
    at += length;
  }
  return Float64Array.from(out);
});

const cpuTrack = fc.array(fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 3 })), { maxLength: 25 }).map((steps) => {
  let time = -2;
  const times: number[] = [];
  const states: number[] = [];
  for (const [dt, state] of steps) {
    time += dt / 3; // fractions: entries round onto each other
    times.push(time);
    states.push(state);
  }
  return { times: Float64Array.from(times), states: Uint8Array.from(states) };
});

it('CpuStateSweep gives the overlap with intersect(busy, intervals in its CPU states)', () => {
  fc.assert(
    fc.property(ranges, ranges, cpuTrack, fc.integer({ min: -4, max: 10 }), fc.integer({ min: 0, max: 80 }), fc.integer({ min: 1, max: 15 }), (busy, holds, track, s, length, mask) => {
      const start = s / 2;
      const end = start + length;
      const thread = { start, end, cpuTrack: track } as unknown as ThreadTimeline;
      const busyRunning = intersect(busy, intervalsInStates(track.times, track.states, start, end, mask));
      const sweep = new CpuStateSweep(busy, thread, mask);
      for (let h = 0; h < holds.length; h += 2) {
        const [from, to] = [holds[h], holds[h + 1]];
        let expected = 0;
        for (let i = 0; i < busyRunning.length; i += 2) expected += Math.max(0, Math.min(to, busyRunning[i + 1]) - Math.max(from, busyRunning[i]));
        assert.equal(sweep.overlap(from, to), expected, `hold [${from}, ${to})`);
      }
    }),
    { numRuns: 3000 },
  );
});
