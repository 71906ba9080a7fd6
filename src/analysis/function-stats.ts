/**
 * What GIL time per Python function rests on (function-tallies.ts sums it): which functions were
 * seen at all, which stack a hold is charged to, and walks that measure a hold's overlap with its
 * GIL's waiters and the holder's time on a CPU. Hold boundaries are rounded once to integer ns, as
 * in intervals.ts, so the functions' held_ns add up to the threads'.
 */
import { BUILT_IN_STACKS, NO_FRAME_FUNCTION, UNKNOWN_STACK, type PyFunction, type PyStack } from '../model/python-stacks.js';
import type { Drop, ThreadTimeline, Timeline } from '../model/timeline.js';
import { ns } from './intervals.js';

/** True when the recording read Python stacks at all (otherwise there is nothing to attribute to). */
export function hasFunctionContext(timeline: Pick<Timeline, 'stacks'>): boolean {
  return timeline.stacks.length > BUILT_IN_STACKS;
}

/**
 * Function ids with partial reads folded in: a function whose file could not be read (see
 * PyFunction.file) is the one with its name and line that has a file, when exactly one has.
 */
export function canonicalFunctions(functions: readonly PyFunction[]): Int32Array {
  let canonical = canonicalCache.get(functions);
  if (canonical === undefined) canonicalCache.set(functions, (canonical = computeCanonical(functions)));
  return canonical;
}

/** Per function table: every thread's and process's tallies ask. */
const canonicalCache = new WeakMap<readonly PyFunction[], Int32Array>();

function computeCanonical(functions: readonly PyFunction[]): Int32Array {
  const full = new Map<string, number[]>();
  functions.forEach((fn, id) => {
    if (fn.file === '' || fn.name.startsWith('<')) return;
    const key = `${fn.name}\0${fn.line}`;
    const ids = full.get(key);
    if (ids) ids.push(id);
    else full.set(key, [id]);
  });
  return Int32Array.from(functions, (fn, id) => {
    if (fn.file !== '') return id;
    const matches = full.get(`${fn.name}\0${fn.line}`);
    return matches && matches.length === 1 ? matches[0] : id;
  });
}

/**
 * Whether a forced drop happened at a time, asked in time order: a walk along the drops (in time
 * order, as the model makes them), where a Set of their times cost more than the rest of the
 * function stats together; a Set still for drops out of order.
 */
export function forcedDropAt(drops: readonly Drop[]): (time: number) => boolean {
  let sorted = true;
  for (let k = 1; k < drops.length && sorted; k++) sorted = drops[k - 1].time <= drops[k].time;
  if (!sorted) {
    const times = new Set(drops.filter((d) => d.forced).map((d) => d.time));
    return (time) => times.has(time);
  }
  let d = 0;
  return (time) => {
    while (d < drops.length && drops[d].time < time) d++;
    for (let k = d; k < drops.length && drops[k].time === time; k++) if (drops[k].forced) return true;
    return false;
  };
}

/** Overlap of [from, to) ranges, given in time order, with a sorted interval list. */
export class Sweep {
  private j = 0;
  constructor(private readonly list: Float64Array) {}
  overlap(from: number, to: number): number {
    const list = this.list;
    while (this.j < list.length && list[this.j + 1] <= from) this.j += 2;
    let total = 0;
    for (let k = this.j; k < list.length && list[k] < to; k += 2) total += Math.min(to, list[k + 1]) - Math.max(from, list[k]);
    return total;
  }
}

/**
 * The stack a hold is charged to: where the thread released the GIL; where it asked for it when
 * the release says nothing sure of its Python code (no drop: exit, end of recording; a drop with
 * no Python frame, or only a partial read of one: a thread finishing, whose last hold ran the
 * code it returned from). Exported so the exporters label a holding slice with the function the
 * stats charge it to.
 */
export function holdStack(thread: ThreadTimeline, i: number, stacks: readonly PyStack[]): number {
  const released = thread.holds.stacks[i];
  const stack = stacks[released] as PyStack | undefined;
  if (released !== UNKNOWN_STACK && stack && stack.leaf !== NO_FRAME_FUNCTION && !stack.partial) return released;
  const acquired = thread.holds.acquiredIn[i];
  return acquired !== UNKNOWN_STACK ? acquired : released;
}
