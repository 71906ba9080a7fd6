/**
 * HoldCpuSweep (a hold's time in each CPU state, and in it while the GIL had a waiter, walking the
 * CPU track in place) equals the overlaps with the intersected interval lists it replaced.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import type { ThreadTimeline } from '../model/timeline.js';
import { HoldCpuSweep } from './hold-cpu-sweep.js';
import { intersect, intervalsInStates, stateMask } from './intervals.js';
import { ASLEEP, PREEMPTED } from './off-cpu-holds.js';

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

/** Total overlap of [from, to) with sorted pairs. */
function overlap(pairs: Float64Array, from: number, to: number): number {
  let total = 0;
  for (let i = 0; i < pairs.length; i += 2) total += Math.max(0, Math.min(to, pairs[i + 1]) - Math.max(from, pairs[i]));
  return total;
}

it('HoldCpuSweep gives the overlaps with intersect(busy, intervals in each CPU state)', () => {
  fc.assert(
    fc.property(ranges, ranges, cpuTrack, fc.integer({ min: -4, max: 10 }), fc.integer({ min: 0, max: 80 }), fc.boolean(), (busy, holds, track, s, length, contended) => {
      const start = s / 2;
      const end = start + length;
      const thread = { start, end, cpuTrack: track } as unknown as ThreadTimeline;
      const inStates = (mask: number) => intervalsInStates(track.times, track.states, start, end, mask);
      const [running, asleep, preempted] = [inStates(stateMask(0)), inStates(ASLEEP), inStates(PREEMPTED)];
      const waited = contended ? busy : new Float64Array(0);
      const sweep = new HoldCpuSweep(thread, contended ? busy : undefined);
      for (let h = 0; h < holds.length; h += 2) {
        const [from, to] = [holds[h], holds[h + 1]];
        assert.deepEqual({ ...sweep.measure(from, to) }, {
          runningOthersWaited: overlap(intersect(waited, running), from, to),
          asleep: overlap(asleep, from, to),
          asleepOthersWaited: overlap(intersect(waited, asleep), from, to),
          preempted: overlap(preempted, from, to),
          preemptedOthersWaited: overlap(intersect(waited, preempted), from, to),
        }, `hold [${from}, ${to})`);
      }
    }),
    { numRuns: 3000 },
  );
});
