/**
 * GIL time per Python function, summed hold by hold and wait by wait (what is attributed where:
 * FunctionStats in contract/stats.ts). Tallies are kept by the function a stack's leaf names as
 * the events named it, and folded into canonical functions (canonicalFunctions) only when the
 * numbers are asked for: a recording read window by window learns its functions as it goes.
 * Held times come from each thread's HeldAttribution (where its holds ended, refined by holder
 * samples), asked when the numbers are.
 */
import type { FunctionLine, FunctionReleasedLine, FunctionStats, FunctionWaitLine, ThreadFunction } from '../contract/stats.js';
import { NO_FRAME_FUNCTION, UNKNOWN_STACK, type PyFunction, type PyStack } from '../model/python-stacks.js';
import { canonicalFunctions } from './function-stats.js';
import { HeldAttribution } from './held-attribution.js';

/** Call paths kept per function in the JSON. */
const STACKS_PER_FUNCTION = 3;
/** Functions listed per thread. */
const TOP_PER_THREAD = 3;
/** Source lines kept per function in the JSON. */
const LINES_PER_FUNCTION = 5;

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
  readonly paths: Map<number, { held: number; wait: number }>;
  /** Holder samples that saw it (their shares are its sampled held time). */
  samples: number;
  /** By the source line holder samples saw it run: its sampled held time, and how many samples. */
  readonly lines: Map<number, { held: number; othersWaited: number; samples: number }>;
  /** Waits by the stack they began in, when it has a line or may get one (PyStack.at: its instruction's, once the holder samples tell it). */
  readonly waitsAt: Map<number, { wait: number; waits: number }>;
  /** Time its threads went without the GIL after letting it go in it (released-time.ts), and of that asleep. */
  released: number;
  releasedAsleep: number;
  /** The same by the stack of the drop (its line: PyStack.at). */
  readonly releasedAt: Map<number, { released: number; asleep: number }>;
}

export class FunctionTallies {
  private readonly byFunction = new Map<number, Tally>();
  private readonly heldSources: HeldAttribution[] = [];

  /** A thread's holds, charged to functions as its HeldAttribution says (asked each time the numbers are). */
  addHeldSource(source: HeldAttribution): void {
    this.heldSources.push(source);
  }

  /**
   * One hold of `length` ns that ended in `stack` (its time is charged by the thread's
   * HeldAttribution); `othersWaited`: its overlap with the times its GIL had a waiter, `run`: the
   * part of that the holder was on a CPU; `forced`: a forced switch ended it.
   */
  hold(given: number, stacks: readonly PyStack[], length: number, othersWaited: number, forced: boolean, run: number): void {
    const stack = known(given, stacks);
    if (stack < 0) return;
    const t = this.tally(stacks[stack].leaf);
    if (length > t.longestHold) t.longestHold = length;
    if (forced) t.forcedHeldWhileOthersWait += othersWaited;
    if (run > t.longestContendedRun) t.longestContendedRun = run;
  }

  wait(given: number, stacks: readonly PyStack[], length: number): void {
    const stack = known(given, stacks);
    if (stack < 0) return;
    const t = this.tally(stacks[stack].leaf);
    t.wait += length;
    t.waits++;
    path(t, stacks, stack).wait += length;
    if (stacks[stack].path !== undefined) addTimes(t.waitsAt, stack, { wait: length, waits: 1 });
  }

  /** A stretch of `length` ns (`asleep` of it asleep) a thread went without the GIL after letting it go in `given`. */
  released(given: number, stacks: readonly PyStack[], length: number, asleep: number): void {
    const stack = known(given, stacks);
    // a thread's last release (its exit) has no Python frame: nothing ran there
    if (stack < 0 || stacks[stack].leaf === NO_FRAME_FUNCTION) return;
    const t = this.tally(stacks[stack].leaf);
    t.released += length;
    t.releasedAsleep += asleep;
    if (stacks[stack].path !== undefined) addTimes(t.releasedAt, stack, { released: length, asleep });
  }

  forcedDrop(stack: number, stacks: readonly PyStack[]): void {
    const id = known(stack, stacks);
    if (id >= 0) this.tally(stacks[id].leaf).forced++;
  }

  /** Per function, most held-while-others-wait first. */
  functionStats(functions: readonly PyFunction[], stacks: readonly PyStack[]): FunctionStats[] {
    const out: (FunctionStats & { id: number })[] = [];
    for (const [id, t] of this.canonical(functions, stacks)) {
      const fn = functions[id];
      // ties by stack id: the order does not depend on the order the holds were added in
      const paths = [...t.paths].sort(([ia, a], [ib, b]) => b.held + b.wait - (a.held + a.wait) || ia - ib).slice(0, STACKS_PER_FUNCTION);
      const othersWaited = Math.round(t.heldWhileOthersWait);
      out.push({
        id, name: fn.name, file: fn.file, line: fn.line,
        held_ns: Math.round(t.held), held_while_others_wait_ns: othersWaited,
        // exact (the probes'), and part of a time holder samples may have shared out a little short
        forced_held_while_others_wait_ns: Math.min(t.forcedHeldWhileOthersWait, othersWaited),
        wait_ns: t.wait, waits: t.waits,
        released_ns: t.released, released_asleep_ns: t.releasedAsleep,
        forced_drops: t.forced, longest_hold_ns: t.longestHold, longest_contended_run_ns: t.longestContendedRun,
        stacks: paths.map(([stack, p]) => ({ callers: stacks[stack].callers, held_ns: Math.round(p.held), wait_ns: p.wait })),
        ...(t.lines.size > 0 ? { lines: topLines(t.lines, fn.source) } : {}),
        ...(t.samples > 0 ? { held_samples: t.samples } : {}),
        ...waitLinesOf(t, stacks, fn.source),
        ...releasedLinesOf(t, stacks, fn.source),
      });
    }
    out.sort(
      (a, b) => b.held_while_others_wait_ns - a.held_while_others_wait_ns || b.held_ns - a.held_ns || b.wait_ns - a.wait_ns || a.name.localeCompare(b.name) || a.id - b.id,
    );
    return out.map(({ id: _, ...fn }) => fn);
  }

  /** The functions with the most held + wait time (a thread's). */
  topFunctions(functions: readonly PyFunction[], stacks: readonly PyStack[]): ThreadFunction[] {
    return [...this.canonical(functions, stacks)]
      .map(([id, t]) => ({ id, name: functions[id].name, file: functions[id].file, line: functions[id].line, held_ns: Math.round(t.held), wait_ns: t.wait }))
      .filter((f) => f.held_ns + f.wait_ns > 0)
      .sort((a, b) => b.held_ns + b.wait_ns - (a.held_ns + a.wait_ns) || a.name.localeCompare(b.name) || a.id - b.id)
      .slice(0, TOP_PER_THREAD)
      .map(({ id: _, ...fn }) => fn);
  }

  /** The tallies folded by canonical function, with the held times the threads' attributions give. */
  private canonical(functions: readonly PyFunction[], stacks: readonly PyStack[]): Map<number, Tally> {
    const canonical = canonicalFunctions(functions);
    const out = new Map<number, Tally>();
    HeldAttribution.charge(this.heldSources, (given, time, line, samples) => {
      const stack = known(given, stacks);
      if (stack < 0) return;
      const id = canonical[stacks[stack].leaf];
      let t = out.get(id);
      if (!t) out.set(id, (t = emptyTally()));
      t.held += time.held;
      t.heldWhileOthersWait += time.othersWaited;
      t.samples += samples;
      path(t, stacks, stack).held += time.held;
      if (line > 0) {
        let l = t.lines.get(line);
        if (!l) t.lines.set(line, (l = { held: 0, othersWaited: 0, samples: 0 }));
        l.held += time.held;
        l.othersWaited += time.othersWaited;
        l.samples += samples;
      }
    });
    for (const [id, t] of this.byFunction) {
      let into = out.get(canonical[id]);
      if (!into) out.set(canonical[id], (into = emptyTally()));
      into.forcedHeldWhileOthersWait += t.forcedHeldWhileOthersWait;
      into.wait += t.wait;
      into.waits += t.waits;
      into.forced += t.forced;
      into.longestHold = Math.max(into.longestHold, t.longestHold);
      into.longestContendedRun = Math.max(into.longestContendedRun, t.longestContendedRun);
      for (const [stack, p] of t.paths) path(into, stacks, stack).wait += p.wait;
      into.released += t.released;
      into.releasedAsleep += t.releasedAsleep;
      for (const [stack, r] of t.releasedAt) addTimes(into.releasedAt, stack, r);
      for (const [stack, w] of t.waitsAt) addTimes(into.waitsAt, stack, w);
    }
    return out;
  }

  private tally(fn: number): Tally {
    let t = this.byFunction.get(fn);
    if (!t) this.byFunction.set(fn, (t = emptyTally()));
    return t;
  }
}

function emptyTally(): Tally {
  return { held: 0, heldWhileOthersWait: 0, forcedHeldWhileOthersWait: 0, wait: 0, waits: 0, forced: 0, longestHold: 0, longestContendedRun: 0, paths: new Map(), samples: 0, lines: new Map(), waitsAt: new Map(), released: 0, releasedAsleep: 0, releasedAt: new Map() };
}

/** Adds `times` to the entry `key` of `into` (a copy of them when it has none yet). */
function addTimes<T extends Record<string, number>>(into: Map<number, T>, key: number, times: Readonly<T>): void {
  const to = into.get(key);
  if (!to) {
    into.set(key, { ...times });
    return;
  }
  for (const name of Object.keys(times) as (keyof T)[]) (to[name] as number) += times[name];
}

/** Per line (the stacks' PyStack.at), the times of `byStack` summed; lines not known left out. */
function byLine<T extends Record<string, number>>(byStack: ReadonlyMap<number, T>, stacks: readonly PyStack[]): Map<number, T> {
  const out = new Map<number, T>();
  for (const [stack, times] of byStack) {
    const line = stacks[stack]?.at;
    if (line) addTimes(out, line, times);
  }
  return out;
}

/**
 * A function's lines as the JSON lists them: each line's entry (`entry`: undefined leaves it out),
 * with its text when known, in `order`, the first LINES_PER_FUNCTION.
 */
function rankedLines<T, L extends { readonly line: number }>(
  byLine: Iterable<[number, T]>,
  source: ReadonlyMap<number, string> | undefined,
  entry: (line: number, times: T) => L | undefined,
  order: (a: L, b: L) => number,
): (L & { text?: string })[] {
  const out: (L & { text?: string })[] = [];
  for (const [line, times] of byLine) {
    const e = entry(line, times);
    if (!e) continue;
    const text = source?.get(line);
    out.push(text !== undefined ? { ...e, text } : e);
  }
  return out.sort((a, b) => order(a, b) || a.line - b.line).slice(0, LINES_PER_FUNCTION);
}

/**
 * The lines its threads let the GIL go at, by the time they then went without it (and slept),
 * most first; none when no line is known.
 */
function releasedLinesOf(t: Tally, stacks: readonly PyStack[], source: ReadonlyMap<number, string> | undefined): { released_lines?: FunctionReleasedLine[] } {
  const paths = pathsByLine(t.releasedAt, stacks);
  const lines = rankedLines(
    byLine(t.releasedAt, stacks),
    source,
    (line, r) =>
      r.released > 0
        ? { line, released_ns: r.released, released_asleep_ns: r.asleep, ...rankedPaths(paths.get(line), (p) => p.released, (callers, p) => ({ callers, released_ns: p.released, released_asleep_ns: p.asleep })) }
        : undefined,
    (a, b) => b.released_ns - a.released_ns,
  );
  return lines.length > 0 ? { released_lines: lines } : {};
}

/**
 * Per line (the stacks' PyStack.at), its call paths (by their callers' names) with the times of
 * `byStack` summed for each.
 */
function pathsByLine<T extends Record<string, number>>(byStack: ReadonlyMap<number, T>, stacks: readonly PyStack[]): Map<number, Map<string, { callers: readonly string[]; times: T }>> {
  const out = new Map<number, Map<string, { callers: readonly string[]; times: T }>>();
  for (const [stack, times] of byStack) {
    const s = stacks[stack];
    if (!s?.at || s.callers.length === 0) continue;
    let paths = out.get(s.at);
    if (!paths) out.set(s.at, (paths = new Map()));
    const key = s.callers.join('\0');
    const path = paths.get(key);
    if (path) for (const name of Object.keys(times) as (keyof T)[]) (path.times[name] as number) += times[name];
    else paths.set(key, { callers: s.callers, times: { ...times } });
  }
  return out;
}

/** A line's paths as the JSON lists them (`entry`: undefined leaves one out), heaviest first by `weight`, up to STACKS_PER_FUNCTION. */
function rankedPaths<T, P>(paths: Map<string, { callers: readonly string[]; times: T }> | undefined, weight: (times: T) => number, entry: (callers: readonly string[], times: T) => P): { paths?: P[] } {
  const ranked = [...(paths?.values() ?? [])]
    .filter((p) => weight(p.times) > 0)
    .sort((a, b) => weight(b.times) - weight(a.times) || a.callers.join().localeCompare(b.callers.join()))
    .slice(0, STACKS_PER_FUNCTION);
  return ranked.length ? { paths: ranked.map((p) => entry(p.callers, p.times)) } : {};
}

/**
 * The lines its threads gave the GIL up at before they waited to get it back (the line of each
 * wait's drop, or the line a sampled waiter was read at), most waited first; none when no wait's
 * line is known (older recordings, code no stack read saw).
 */
function waitLinesOf(t: Tally, stacks: readonly PyStack[], source: ReadonlyMap<number, string> | undefined): { wait_lines?: FunctionWaitLine[] } {
  const paths = pathsByLine(t.waitsAt, stacks);
  const lines = rankedLines(
    byLine(t.waitsAt, stacks),
    source,
    // waits of no time (the GIL was free) say nothing of where waiting went
    (line, w) => (w.wait > 0 ? { line, wait_ns: w.wait, waits: w.waits, ...rankedPaths(paths.get(line), (p) => p.wait, (callers, p) => ({ callers, wait_ns: p.wait, waits: p.waits })) } : undefined),
    (a, b) => b.wait_ns - a.wait_ns,
  );
  return lines.length > 0 ? { wait_lines: lines } : {};
}

/** A function's lines, most held while others waited first (then most held, then in line order). */
function topLines(lines: Tally['lines'], source: ReadonlyMap<number, string> | undefined): FunctionLine[] {
  return rankedLines(
    lines,
    source,
    (line, l) => ({ line, held_ns: Math.round(l.held), held_while_others_wait_ns: Math.round(l.othersWaited), samples: l.samples }),
    (a, b) => b.held_while_others_wait_ns - a.held_while_others_wait_ns || b.held_ns - a.held_ns,
  );
}

/**
 * The stack id; one the table does not have (events that named no stack) is unknown; -1 for a
 * table without even that (a timeline made without stacks: there are no functions to tell).
 */
function known(stack: number, stacks: readonly PyStack[]): number {
  return stacks[stack] !== undefined ? stack : stacks[UNKNOWN_STACK] !== undefined ? UNKNOWN_STACK : -1;
}

/** The call path's tally (the stack's, whatever instruction it was at). */
function path(t: Tally, stacks: readonly PyStack[], stack: number): { held: number; wait: number } {
  const id = stacks[stack]?.path ?? stack;
  let p = t.paths.get(id);
  if (!p) t.paths.set(id, (p = { held: 0, wait: 0 }));
  return p;
}
