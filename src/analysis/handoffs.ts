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
  const latencies: number[] = [];
  new HandoffScan().scan(gil, end, (latency) => latencies.push(latency));
  return latencies;
}

/**
 * The walk along one GIL's holders, resumable: a recording analysed window by window scans each
 * window's part of the tracks in turn, and a hand-off that spans a cut is measured whole (the
 * holder a window ends with is the one the next begins with, its release there not a real one).
 */
export class HandoffScan {
  private previous = 0;
  private previousRelease = 0;
  private contendedRelease = false;

  /** The GIL's tracks up to `end`, after those scanned before; each latency to `out`. */
  scan(gil: GilTimeline, end: number, out: (latency: number) => void): void {
    const { times, tids } = gil.holders;
    const waiters = gil.waiters;
    let w = 0; // waiters entries before the current release
    for (let i = 0; i < tids.length; i++) {
      // nothing is taken at the end (the whole timeline's tracks stop before it; a window that
      // begins there has just the entry in force then)
      if (times[i] >= end) break;
      const tid = tids[i];
      if (tid === 0) continue;
      if (this.previous !== 0 && this.previous !== tid && this.contendedRelease) out(ns(times[i]) - this.previousRelease);
      this.previous = tid;
      const release = i + 1 < times.length ? times[i + 1] : end;
      this.previousRelease = ns(release);
      // Waiters in effect just before the release (a take at the release instant has already
      // removed its waiter from the track at that time).
      while (w < waiters.times.length && waiters.times[w] < release) w++;
      this.contendedRelease = w > 0 && waiters.counts[w - 1] > 0;
    }
  }
}
