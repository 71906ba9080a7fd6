/**
 * GIL hand-off latency: from the moment thread A stopped holding an interpreter's GIL (its
 * drop_gil entry) to the next take_gil return by a different thread B of that interpreter.
 * A retaking the GIL in between moves the start to A's later drop. Read from the holders
 * track, where a holder change at one instant (drop and take at equal timestamps) is 0 ns.
 */
import type { GilTimeline } from '../model/timeline.js';
import { ns } from './intervals.js';

export function computeHandoffLatencies(gil: GilTimeline, end: number): number[] {
  const { times, tids } = gil.holders;
  const latencies: number[] = [];
  let previous = 0;
  let previousRelease = 0;
  for (let i = 0; i < tids.length; i++) {
    const tid = tids[i];
    if (tid === 0) continue;
    if (previous !== 0 && previous !== tid) latencies.push(ns(times[i]) - previousRelease);
    previous = tid;
    previousRelease = ns(i + 1 < times.length ? times[i + 1] : end);
  }
  return latencies;
}
