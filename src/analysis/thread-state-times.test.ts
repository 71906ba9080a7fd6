/**
 * The joint sweep gives exactly what intersecting interval lists gives (intervals.ts), on random
 * tracks with fractional times that round onto each other, entries past the end and before the
 * start, and a thread with one empty track.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import type { ThreadTimeline } from '../model/timeline.js';
import { intersect, intervalsInStates, stateMask, timeByState, totalLength } from './intervals.js';
import { jointTime, threadStateTimes } from './thread-state-times.js';

const track = (states: number) =>
  fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: states - 1 })), { maxLength: 30 }).map((steps) => {
    let time = 0;
    const times: number[] = [];
    const values: number[] = [];
    for (const [dt, state] of steps) {
      time += dt / 4; // quarter ns: several entries round to one ns
      times.push(time);
      values.push(state);
    }
    return { times: Float64Array.from(times), states: Uint8Array.from(values) };
  });

it('threadStateTimes equals the interval-list arithmetic', () => {
  fc.assert(
    fc.property(track(3), track(4), fc.integer({ min: -8, max: 60 }), fc.integer({ min: 0, max: 60 }), (gilTrack, cpuTrack, s, length) => {
      const start = s / 4;
      const end = start + length / 3;
      const thread = { start, end, gilTrack, cpuTrack } as unknown as ThreadTimeline;
      const times = threadStateTimes(thread);
      assert.deepEqual(times.gil, timeByState(gilTrack.times, gilTrack.states, start, end, 3));
      assert.deepEqual(times.cpu, timeByState(cpuTrack.times, cpuTrack.states, start, end, 4));
      for (let g = 0; g < 3; g++) {
        for (let cpuMask = 1; cpuMask < 16; cpuMask++) {
          const expected = totalLength(
            intersect(intervalsInStates(gilTrack.times, gilTrack.states, start, end, stateMask(g)), intervalsInStates(cpuTrack.times, cpuTrack.states, start, end, cpuMask)),
          );
          assert.equal(jointTime(times, g, cpuMask), expected, `gil ${g} cpu mask ${cpuMask}`);
        }
      }
      const asleep = intersect(
        intervalsInStates(gilTrack.times, gilTrack.states, start, end, stateMask(2)),
        intervalsInStates(cpuTrack.times, cpuTrack.states, start, end, stateMask(2, 3)),
      );
      let longest = 0;
      for (let i = 0; i < asleep.length; i += 2) longest = Math.max(longest, asleep[i + 1] - asleep[i]);
      assert.equal(times.longestHeldAsleep, longest);
    }),
    { numRuns: 2000 },
  );
});
