/**
 * What a live view (`giltrace top`, exact or sampled) shows besides its last window: each
 * thread's and each function's numbers summed over every window so far, and who holds each GIL
 * as the window ends.
 */
import type { FunctionStats, ProcessStats, StatsJson } from '../contract/stats.js';
import type { Timeline } from '../model/timeline.js';

/** One thread's numbers summed over every tick so far. */
export interface ThreadTotals {
  readonly pid: number;
  readonly tid: number;
  name: string;
  lifetimeNs: number;
  heldNs: number;
  waitNs: number;
  noGilNs: number;
}

export interface FunctionTotals {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  heldNs: number;
  heldWhileOthersWaitNs: number;
  waitNs: number;
  /** Its source lines (FunctionStats.lines) summed: each window's top ones, so a line's time is a lower bound. */
  readonly lines: Map<number, { held_ns: number; held_while_others_wait_ns: number; text?: string }>;
  /** The lines its threads waited after (FunctionStats.wait_lines) summed, as `lines`. */
  readonly waitLines: Map<number, { wait_ns: number; waits: number; text?: string }>;
}

/** Who holds a GIL at the end of the window, since when. */
export interface HolderNow {
  readonly pid: number;
  readonly tid: number;
  readonly name: string;
  readonly sinceNs: number;
}

export interface LiveTick {
  /** The window's stats: [previous tick, latest event released by perf (sampled: that can no longer move)]. */
  readonly window: StatsJson;
  readonly windowNs: number;
  /** From the first event to the end of this window. */
  readonly elapsedNs: number;
  readonly threads: ReadonlyMap<string, ThreadTotals>;
  readonly functions: ReadonlyMap<number, ReadonlyMap<string, FunctionTotals>>;
  readonly holders: readonly HolderNow[];
  readonly lostEvents: number;
  /** Sampled (top --sample): ticks a second; the numbers are estimates. */
  readonly sampledHz?: number;
  /** Sampled: the CPU giltrace's sampling took over the last tick, as a share of one CPU. */
  readonly samplerShare?: number;
}

/** Each window's numbers added up: LiveTick's threads and functions. */
export class LiveTotals {
  readonly threads = new Map<string, ThreadTotals>();
  readonly functions = new Map<number, Map<string, FunctionTotals>>();

  add(window: StatsJson): void {
    for (const process of window.processes) this.addUp(process);
  }

  private addUp(process: ProcessStats): void {
    for (const thread of process.threads) {
      const key = `${process.pid}:${thread.tid}`;
      let totals = this.threads.get(key);
      if (!totals) this.threads.set(key, (totals = { pid: process.pid, tid: thread.tid, name: thread.name, lifetimeNs: 0, heldNs: 0, waitNs: 0, noGilNs: 0 }));
      totals.name = thread.name;
      totals.lifetimeNs += thread.lifetime_ns;
      totals.heldNs += thread.held_ns;
      totals.waitNs += thread.wait_ns;
      totals.noGilNs += thread.no_gil_ns;
    }
    let functions = this.functions.get(process.pid);
    if (!functions) this.functions.set(process.pid, (functions = new Map()));
    for (const f of process.functions ?? []) addFunction(functions, f);
  }
}

function addFunction(into: Map<string, FunctionTotals>, f: FunctionStats): void {
  const key = `${f.name}\0${f.file}\0${f.line}`;
  let totals = into.get(key);
  if (!totals) into.set(key, (totals = { name: f.name, file: f.file, line: f.line, heldNs: 0, heldWhileOthersWaitNs: 0, waitNs: 0, lines: new Map(), waitLines: new Map() }));
  totals.heldNs += f.held_ns;
  totals.heldWhileOthersWaitNs += f.held_while_others_wait_ns;
  totals.waitNs += f.wait_ns;
  for (const l of f.lines ?? []) {
    let line = totals.lines.get(l.line);
    if (!line) totals.lines.set(l.line, (line = { held_ns: 0, held_while_others_wait_ns: 0, ...(l.text !== undefined ? { text: l.text } : {}) }));
    line.held_ns += l.held_ns;
    line.held_while_others_wait_ns += l.held_while_others_wait_ns;
  }
  for (const l of f.wait_lines ?? []) {
    let line = totals.waitLines.get(l.line);
    if (!line) totals.waitLines.set(l.line, (line = { wait_ns: 0, waits: 0, ...(l.text !== undefined ? { text: l.text } : {}) }));
    line.wait_ns += l.wait_ns;
    line.waits += l.waits;
  }
}

/** The last entry of each GIL's holders track: who holds it as the window ends. */
export function holdersAtEnd(timeline: Timeline): HolderNow[] {
  const out: HolderNow[] = [];
  for (const process of timeline.processes) {
    for (const gil of process.gils) {
      const n = gil.holders.tids.length;
      const tid = n > 0 ? gil.holders.tids[n - 1] : 0;
      if (tid === 0) continue;
      const name = process.threads.find((t) => t.tid === tid)?.name ?? `thread ${tid}`;
      out.push({ pid: process.pid, tid, name, sinceNs: process.end - gil.holders.times[n - 1] });
    }
  }
  return out;
}
