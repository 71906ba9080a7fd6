/**
 * GIL hand-off latency: thread A stops holding an interpreter's GIL (drop_gil entry) while
 * another thread is waiting for it; the latency runs to the next take_gil return by a thread
 * other than A. If A retakes the GIL first, the hand-off starts at A's later release. A release
 * nobody was waiting for is not a hand-off: the GIL then sits idle until someone wants it, which
 * says nothing about how fast CPython passes it on.
 *
 * Read from the holders and waiters tracks; a holder change at one instant (drop and take at
 * equal timestamps, merged on the track) is a 0 ns hand-off.
 */
import type { GilTimeline } from '../model/timeline.js';
import { ns } from './intervals.js';

export function computeHandoffLatencies(gil: GilTimeline, end: number): number[] {
  const { times, tids } = gil.holders;
  const waiters = gil.waiters;
  const latencies: number[] = [];
  let previous = 0;
  let previousRelease = 0;
  let contendedRelease = false;
  let w = 0; // waiters entries before the current release
  for (let i = 0; i < tids.length; i++) {
    const tid = tids[i];
    if (tid === 0) continue;
    if (previous !== 0 && previous !== tid && contendedRelease) latencies.push(ns(times[i]) - previousRelease);
    previous = tid;
    const release = i + 1 < times.length ? times[i + 1] : end;
    previousRelease = ns(release);
    // Waiters in effect just before the release (a take at the release instant has already
    // removed its waiter from the track at that time).
    while (w < waiters.times.length && waiters.times[w] < release) w++;
    contendedRelease = w > 0 && waiters.counts[w - 1] > 0;
  }
  return latencies;
}
