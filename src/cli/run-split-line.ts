/**
 * The part of a process's run the GIL does not account for, as the table, `top` and `diff` say
 * it: C code running with nobody holding the GIL, or every thread asleep (ProcessStats.time_split).
 * What limits a program the GIL does not bind is one of the two.
 */
import { formatPercent } from '../base/time.js';
import type { ProcessStats } from '../contract/stats.js';

/** "nobody holding it: C code ran 55.6% · every thread asleep 0.3%"; undefined without a split. */
export function runSplitText(process: ProcessStats): string | undefined {
  const split = process.time_split;
  if (!split || process.duration_ns <= 0) return undefined;
  return `nobody holding it: C code ran ${formatPercent(split.free_ns, process.duration_ns)} · every thread asleep ${formatPercent(split.idle_ns, process.duration_ns)}`;
}
