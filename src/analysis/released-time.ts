/**
 * Where a thread was while it did not hold the GIL nor wait for it: each such stretch of its GIL
 * track, charged to the stack of the drop that began it (the C call that released the GIL: a
 * sleep, a lock, a socket read; or where a forced switch caught it), with how much of it the
 * thread slept or was blocked (its CPU track). This says what a thread that seldom waits for the
 * GIL waited for instead.
 */
import { GilState, type ThreadTimeline } from '../model/timeline.js';
import { UNKNOWN_STACK } from '../model/python-stacks.js';
import { ns } from './intervals.js';
import { ASLEEP } from './off-cpu-holds.js';

/**
 * Calls `visit` for each stretch of the thread (a window's part of it) without the GIL: the
 * stack its last drop named (`before`, the previous window's last, for one begun earlier), its
 * length and the part asleep. Returns the stack its last drop named, for the next window.
 */
export function releasedStretches(thread: ThreadTimeline, before: number, visit: (stack: number, length: number, asleep: number) => void): number {
  const g = thread.gilTrack;
  const c = thread.cpuTrack;
  const start = ns(thread.start);
  const last = ns(thread.end);
  const drops = thread.drops;
  const gn = g.times.length;
  const cn = c.times.length;
  let stack = before;
  let di = 0;
  let ci = 0;
  /** Each track's entry k covers from its time (the first: from the thread's start) to the next's. */
  const cpuFrom = (k: number): number => (k === 0 ? start : ns(c.times[k]));
  const cpuTo = (k: number): number => Math.min(k + 1 < cn ? ns(c.times[k + 1]) : last, last);
  for (let gi = 0; gi < gn; gi++) {
    if (g.states[gi] !== GilState.none) continue;
    const from = gi === 0 ? start : ns(g.times[gi]);
    const to = Math.min(gi + 1 < gn ? ns(g.times[gi + 1]) : last, last);
    if (to <= from) continue;
    while (di < drops.length && ns(drops[di].time) <= from) stack = drops[di++].stack;
    if (stack === UNKNOWN_STACK) continue; // before its first drop: it had not used the GIL yet
    while (ci + 1 < cn && cpuTo(ci) <= from) ci++;
    let asleep = 0;
    for (let k = ci; k < cn && cpuFrom(k) < to; k++) {
      if (!((ASLEEP >>> c.states[k]) & 1)) continue;
      const overlap = Math.min(to, cpuTo(k)) - Math.max(from, cpuFrom(k));
      if (overlap > 0) asleep += overlap;
    }
    visit(stack, to - from, asleep);
  }
  while (di < drops.length) stack = drops[di++].stack;
  return stack;
}
