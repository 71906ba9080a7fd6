/**
 * The part of a process's run nobody held the GIL, as the table and `top` say it: C code ran
 * without it, every thread slept, or it was changing hands (threads on their way to it, or to a
 * CPU) (ProcessStats.time_split). What limits a program the GIL does not bind is one of the first
 * two; the third is what the GIL costs besides the holding.
 */
import { formatPercent } from '../base/time.js';
import type { ProcessStats } from '../contract/stats.js';

/**
 * "nobody held it: C code ran 55.6% · all asleep 0.3% · changing hands 14.5%" (80 columns in
 * `top`); undefined without a split.
 */
export function runSplitText(process: ProcessStats): string | undefined {
  const split = process.time_split;
  if (!split || process.duration_ns <= 0) return undefined;
  const share = (ns: number) => formatPercent(ns, process.duration_ns);
  const handover = split.handover_ns !== undefined ? ` · changing hands ${share(split.handover_ns)}` : '';
  return `nobody held it: C code ran ${share(split.free_ns)} · all asleep ${share(split.idle_ns)}${handover}`;
}
