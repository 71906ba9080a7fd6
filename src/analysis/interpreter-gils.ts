/**
 * Per-interpreter GIL numbers for a process whose subinterpreters have GILs of their own (3.12+):
 * each GIL is its own lock, held and waited for apart from the others (threads of different
 * interpreters never wait for each other: the model keeps a holders/waiters track per GIL).
 */
import type { InterpreterGilStats } from '../contract/stats.js';
import type { ProcessTimeline } from '../model/timeline.js';
import { computeHandoffLatencies } from './handoffs.js';
import { intervalsNonZero, totalLength } from './intervals.js';
import { summarizeDurations } from './summary.js';

/** Undefined for a process with one GIL (the usual case: the process's numbers say it all). */
export function computeInterpreterGils(process: ProcessTimeline): InterpreterGilStats[] | undefined {
  if (process.gils.length < 2) return undefined;
  const gils = process.gils.map((gil) => {
    const tids = [...new Set(gil.holders.tids)].filter((tid) => tid !== 0).sort((a, b) => a - b);
    const first = gil.holders.times.length > 0 ? gil.holders.times[0] : 0;
    return {
      gil,
      tids,
      first,
      held: totalLength(intervalsNonZero(gil.holders.times, gil.holders.tids, first, process.end)),
      contended: totalLength(intervalsNonZero(gil.waiters.times, gil.waiters.counts, gil.waiters.times[0] ?? 0, process.end)),
    };
  });
  // in order of first use: a process starts in its main interpreter, whose main thread creates
  // the others (holding each new GIL a moment to initialise it)
  gils.sort((a, b) => a.first - b.first);
  return gils.map((g, i) => ({
    index: i + 1,
    main: i === 0 && g.tids.includes(process.pid),
    tids: g.tids,
    held_ns: g.held,
    contended_ns: g.contended,
    handoff: summarizeDurations(computeHandoffLatencies(g.gil, process.end)),
  }));
}
