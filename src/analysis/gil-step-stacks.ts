/**
 * The Python stack behind every step of a thread's GIL track, charged as the function stats
 * charge it (function-stats.ts): a holding step gets its hold's stack (holdStack: the release,
 * or where the GIL was asked for when the release has no Python frame), a waiting step its wait's
 * stack (where take_gil was entered, or the forced drop that began it); a step without the GIL
 * gets 0 (unknown). The exporters label their GIL slices with it, so a slice and the per-function
 * table never disagree.
 *
 * Steps and holds/waits are matched by time: a step gets the first hold (wait) that starts
 * inside it. They are the same intervals except where the compact track merged two of them
 * (a hold ending where the next begins, at the same ns), and then the step gets the first.
 */
import { UNKNOWN_STACK, type PyStack } from '../model/python-stacks.js';
import { GilState, type ThreadTimeline } from '../model/timeline.js';
import { holdStack } from './function-stats.js';

/** Stack id (in Timeline.stacks) per step of `thread.gilTrack`, parallel to its `states`. */
export function gilStepStacks(thread: ThreadTimeline, stacks: readonly PyStack[]): Int32Array {
  const { times, states } = thread.gilTrack;
  const out = new Int32Array(states.length);
  const { starts: holdStarts, ends: holdEnds } = thread.holds;
  const { waitStarts, waits } = thread;
  let h = 0;
  let w = 0;
  for (let i = 0; i < states.length; i++) {
    const from = times[i];
    const to = i + 1 < times.length ? times[i + 1] : thread.end;
    if (states[i] === GilState.holding) {
      // Zero-length holds have no step of their own: skip them with the ones before this step.
      while (h < holdStarts.length && (holdStarts[h] < from || !(holdEnds[h] > holdStarts[h]))) h++;
      out[i] = h < holdStarts.length && holdStarts[h] < to ? holdStack(thread, h, stacks) : UNKNOWN_STACK;
    } else if (states[i] === GilState.waiting) {
      while (w < waitStarts.length && (waitStarts[w] < from || !(waits[w] > 0))) w++;
      out[i] = w < waitStarts.length && waitStarts[w] < to ? thread.waitStacks[w] : UNKNOWN_STACK;
    }
  }
  return out;
}
