/**
 * GIL time per Python function (see FunctionStats in contract/stats.ts for what is attributed
 * where). Holds come from each thread's `holds` (with the stacks they were taken and released in),
 * waits from `waits` / `waitStacks`; "while others wait" is a hold's overlap with the times its
 * GIL had a waiter. Hold boundaries are rounded once to integer ns, as in intervals.ts, so the
 * functions' held_ns add up to the threads'; waits are rounded one by one (a few ns apart at most).
 */
import type { FunctionStats, ThreadFunction } from '../contract/stats.js';
import { BUILT_IN_STACKS, NO_FRAME_FUNCTION, UNKNOWN_STACK, type PyFunction, type PyStack } from '../model/python-stacks.js';
import type { Drop, ProcessTimeline, ThreadTimeline, Timeline } from '../model/timeline.js';
import { CpuState } from '../model/timeline.js';
import { intervalsNonZero, ns } from './intervals.js';

/** Call paths kept per function in the JSON. */
const STACKS_PER_FUNCTION = 3;
/** Functions listed per thread. */
const TOP_PER_THREAD = 3;

interface Tally {
  held: number;
  heldWhileOthersWait: number;
  forcedHeldWhileOthersWait: number;
  wait: number;
  waits: number;
  forced: number;
  longestHold: number;
  longestContendedRun: number;
  /** By stack id (one function, so one call path each): time per call path. */
  readonly paths: Map<number, { callers: readonly string[]; held: number; wait: number }>;
}

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

/** Per timeline's function table: computeThreadStats asks once per thread. */
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

export function computeFunctionStats(process: ProcessTimeline, timeline: Pick<Timeline, 'functions' | 'stacks'>): FunctionStats[] {
  const tallies = new Map<number, Tally>();
  const canonical = canonicalFunctions(timeline.functions);
  const contended = new Map(process.gils.map((g) => [g.key, intervalsNonZero(g.waiters.times, g.waiters.counts, g.waiters.times[0] ?? 0, process.end)]));
  for (const thread of process.threads) {
    const busy = thread.gil === undefined ? undefined : contended.get(thread.gil);
    addHolds(thread, busy, timeline.stacks, canonical, tallies);
    addWaits(thread, timeline.stacks, canonical, tallies);
    for (const drop of thread.drops) if (drop.forced) tally(tallies, canonical[timeline.stacks[drop.stack].leaf]).forced++;
  }
  const out: FunctionStats[] = [];
  for (const [id, t] of tallies) {
    const fn = timeline.functions[id];
    const paths = [...t.paths.values()].sort((a, b) => b.held + b.wait - (a.held + a.wait)).slice(0, STACKS_PER_FUNCTION);
    out.push({
      name: fn.name, file: fn.file, line: fn.line,
      held_ns: t.held, held_while_others_wait_ns: t.heldWhileOthersWait, forced_held_while_others_wait_ns: t.forcedHeldWhileOthersWait,
      wait_ns: t.wait, waits: t.waits,
      forced_drops: t.forced, longest_hold_ns: t.longestHold, longest_contended_run_ns: t.longestContendedRun,
      stacks: paths.map((p) => ({ callers: p.callers, held_ns: p.held, wait_ns: p.wait })),
    });
  }
  return out.sort(
    (a, b) => b.held_while_others_wait_ns - a.held_while_others_wait_ns || b.held_ns - a.held_ns || b.wait_ns - a.wait_ns || a.name.localeCompare(b.name),
  );
}

/** The thread's functions with the most held + wait time. */
export function topThreadFunctions(thread: ThreadTimeline, timeline: Pick<Timeline, 'functions' | 'stacks'>): ThreadFunction[] {
  const tallies = new Map<number, Tally>();
  const canonical = canonicalFunctions(timeline.functions);
  addHolds(thread, undefined, timeline.stacks, canonical, tallies);
  addWaits(thread, timeline.stacks, canonical, tallies);
  return [...tallies]
    .map(([id, t]) => ({ ...functionRef(timeline.functions[id]), held_ns: t.held, wait_ns: t.wait }))
    .filter((f) => f.held_ns + f.wait_ns > 0)
    .sort((a, b) => b.held_ns + b.wait_ns - (a.held_ns + a.wait_ns) || a.name.localeCompare(b.name))
    .slice(0, TOP_PER_THREAD);
}

/**
 * @param contention when others' waits count: the intervals when this thread's GIL had a waiter
 */
function addHolds(
  thread: ThreadTimeline,
  contention: Float64Array | undefined,
  stacks: readonly PyStack[],
  canonical: Int32Array,
  tallies: Map<number, Tally>,
): void {
  const { starts, ends } = thread.holds;
  const forcedEnd = contention ? forcedDropAt(thread.drops) : undefined;
  // holds are in time order, so one sweep over each interval list serves them all
  const busy = contention ? new Sweep(contention) : undefined;
  const busyRunning = contention ? new RunningSweep(contention, thread) : undefined;
  for (let i = 0; i < starts.length; i++) {
    const from = ns(starts[i]);
    const to = ns(ends[i]);
    if (to <= from) continue;
    const id = holdStack(thread, i, stacks);
    const t = tally(tallies, canonical[stacks[id].leaf]);
    t.held += to - from;
    if (to - from > t.longestHold) t.longestHold = to - from;
    path(t, id, stacks).held += to - from;
    if (!busy || !busyRunning) continue;
    const othersWaited = busy.overlap(from, to);
    t.heldWhileOthersWait += othersWaited;
    if (forcedEnd!(ends[i])) t.forcedHeldWhileOthersWait += othersWaited;
    const run = busyRunning.overlap(from, to);
    if (run > t.longestContendedRun) t.longestContendedRun = run;
  }
}

/**
 * Whether a forced drop happened at a time, asked in time order: a walk along the drops (in time
 * order, as the model makes them), where a Set of their times cost more than the rest of the
 * function stats together; a Set still for drops out of order.
 */
function forcedDropAt(drops: readonly Drop[]): (time: number) => boolean {
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
class Sweep {
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
 * Overlap of [from, to) ranges, given in time order, with a sorted interval list and the thread's
 * time on a CPU: what Sweep over intersect(list, intervalsInStates(cpuTrack, running)) gives,
 * walking the CPU track in place (its interval list was the analysis's largest allocation).
 * An entry of the track covers [its predecessor's rounded end, the next entry's rounded time),
 * cut to the thread's [start, end), as in intervals.ts.
 */
export class RunningSweep {
  private j = 0;
  /** First CPU entry whose cover may reach past the latest `from`. */
  private k = 0;
  private readonly times: Float64Array;
  private readonly states: Uint8Array;
  private readonly first: number;
  private readonly last: number;

  constructor(private readonly list: Float64Array, thread: ThreadTimeline) {
    this.times = thread.cpuTrack.times;
    this.states = thread.cpuTrack.states;
    this.first = ns(thread.start);
    this.last = ns(thread.end);
  }

  /** Rounded end of CPU entry i's cover. */
  private coverEnd(i: number): number {
    return Math.min(i + 1 < this.times.length ? ns(this.times[i + 1]) : this.last, this.last);
  }

  overlap(from: number, to: number): number {
    const list = this.list;
    const n = this.times.length;
    if (n === 0) return 0;
    while (this.j < list.length && list[this.j + 1] <= from) this.j += 2;
    while (this.k < n - 1 && this.coverEnd(this.k) <= from) this.k++;
    let total = 0;
    let m = this.k;
    for (let b = this.j; b < list.length && list[b] < to; b += 2) {
      const lo = Math.max(from, list[b], this.first);
      const hi = Math.min(to, list[b + 1], this.last);
      if (hi <= lo) continue;
      while (m < n - 1 && this.coverEnd(m) <= lo) m++;
      // entries m, m+1, ... cover [lo, hi) in turn
      let at = lo;
      for (let i = m; i < n && at < hi; i++) {
        const end = Math.min(this.coverEnd(i), hi);
        if (end <= at) continue;
        if (this.states[i] === CpuState.running) total += end - at;
        at = end;
      }
    }
    return total;
  }
}

function addWaits(thread: ThreadTimeline, stacks: readonly PyStack[], canonical: Int32Array, tallies: Map<number, Tally>): void {
  for (let i = 0; i < thread.waits.length; i++) {
    const id = thread.waitStacks[i];
    const t = tally(tallies, canonical[stacks[id].leaf]);
    const length = Math.max(0, Math.round(thread.waits[i]));
    t.wait += length;
    t.waits++;
    path(t, id, stacks).wait += length;
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
  if (released !== UNKNOWN_STACK && stacks[released].leaf !== NO_FRAME_FUNCTION && !stacks[released].partial) return released;
  const acquired = thread.holds.acquiredIn[i];
  return acquired !== UNKNOWN_STACK ? acquired : released;
}

function tally(tallies: Map<number, Tally>, fn: number): Tally {
  let t = tallies.get(fn);
  if (!t) tallies.set(fn, (t = { held: 0, heldWhileOthersWait: 0, forcedHeldWhileOthersWait: 0, wait: 0, waits: 0, forced: 0, longestHold: 0, longestContendedRun: 0, paths: new Map() }));
  return t;
}

function path(t: Tally, id: number, stacks: readonly PyStack[]): { held: number; wait: number } {
  let p = t.paths.get(id);
  if (!p) t.paths.set(id, (p = { callers: stacks[id].callers, held: 0, wait: 0 }));
  return p;
}

function functionRef(fn: PyFunction): { name: string; file: string; line: number } {
  return { name: fn.name, file: fn.file, line: fn.line };
}
