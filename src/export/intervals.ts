/** Walks a step track as [start, end) intervals: the shared loop of every exporter. */
import type { StepTrack } from '../model/timeline.js';

/** Calls `visit` for each non-empty interval (with its step's index); the last one ends at `end` (the owner's end). */
export function forEachInterval(
  track: StepTrack,
  end: number,
  visit: (state: number, start: number, stop: number, index: number) => void,
): void {
  const { times, states } = track;
  for (let i = 0; i < states.length; i++) {
    const stop = i + 1 < times.length ? times[i + 1] : end;
    if (stop > times[i]) visit(states[i], times[i], stop, i);
  }
}
