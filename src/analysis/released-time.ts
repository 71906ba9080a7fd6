/**
 * Where a thread was while it did not hold the GIL nor wait for it: each such stretch of its GIL
 * track, charged to the stack of the drop that began it (the C call that released the GIL: a
 * sleep, a lock, a socket read; or where a forced switch caught it), with how much of it the
 * thread slept or was blocked (its CPU track). This says what a thread that seldom waits for the
 * GIL waited for instead. In a sampled recording a stretch is also cut where the sampler found
 * the thread, still without the GIL, in another stack (ThreadTimeline.releases: it took the GIL
 * and let it go again between two looks).
 */
import { GilState, type ThreadTimeline } from '../model/timeline.js';
import { UNKNOWN_STACK } from '../model/python-stacks.js';
import { ns } from './intervals.js';
import { ASLEEP } from './off-cpu-holds.js';

/**
 * Calls `visit` for each stretch of the thread (a window's part of it) without the GIL, or its
 * part in one stack: the stack its last drop (or release) named (`before`, the previous
 * window's last, for one begun earlier), its length and the part asleep. Returns the stack in
 * force at its end, for the next window.
 */
export function releasedStretches(thread: ThreadTimeline, before: number, visit: (stack: number, length: number, asleep: number) => void): number {
  const g = thread.gilTrack;
  const c = thread.cpuTrack;
  const start = ns(thread.start);
  const last = ns(thread.end);
  const drops = thread.drops;
  const releases = thread.releases ?? [];
  const gn = g.times.length;
  const cn = c.times.length;
  let stack = before;
  let stackSince = -Infinity;
  let di = 0;
  let ri = 0;
  let ci = 0;
  /** Each track's entry k covers from its time (the first: from the thread's start) to the next's. */
  const cpuFrom = (k: number): number => (k === 0 ? start : ns(c.times[k]));
  const cpuTo = (k: number): number => Math.min(k + 1 < cn ? ns(c.times[k + 1]) : last, last);
  /** The stack named last at or before `time` (drops and releases, whichever came later). */
  const stackAt = (time: number): void => {
    while (di < drops.length && ns(drops[di].time) <= time) {
      if (ns(drops[di].time) >= stackSince) [stack, stackSince] = [drops[di].stack, ns(drops[di].time)];
      di++;
    }
    while (ri < releases.length && ns(releases[ri].time) <= time) {
      if (ns(releases[ri].time) >= stackSince) [stack, stackSince] = [releases[ri].stack, ns(releases[ri].time)];
      ri++;
    }
  };
  /** Of [from, to), the time the CPU track says the thread slept or was blocked. */
  const asleepIn = (from: number, to: number): number => {
    while (ci + 1 < cn && cpuTo(ci) <= from) ci++;
    let asleep = 0;
    for (let k = ci; k < cn && cpuFrom(k) < to; k++) {
      if (!((ASLEEP >>> c.states[k]) & 1)) continue;
      const overlap = Math.min(to, cpuTo(k)) - Math.max(from, cpuFrom(k));
      if (overlap > 0) asleep += overlap;
    }
    return asleep;
  };
  for (let gi = 0; gi < gn; gi++) {
    if (g.states[gi] !== GilState.none) continue;
    const from = gi === 0 ? start : ns(g.times[gi]);
    const to = Math.min(gi + 1 < gn ? ns(g.times[gi + 1]) : last, last);
    if (to <= from) continue;
    stackAt(from);
    // cut where a release names another stack inside the stretch
    let at = from;
    while (ri < releases.length && ns(releases[ri].time) < to) {
      const cut = ns(releases[ri].time);
      // (before its first drop it had not used the GIL yet: nothing to charge)
      if (cut > at && stack !== UNKNOWN_STACK) visit(stack, cut - at, asleepIn(at, cut));
      at = Math.max(at, cut);
      stackAt(cut);
    }
    if (stack !== UNKNOWN_STACK) visit(stack, to - at, asleepIn(at, to));
  }
  stackAt(Infinity);
  return stack;
}
