/**
 * What exact tracing costs the program while it runs: every second, the GIL cycles its probes
 * saw in that second (probe-hits.ts) times what one cycle costs under them (probe-cost.ts,
 * measured on this machine) — so a user hears at once that a program cycling the GIL 100 k times
 * a second runs several times slower traced, not only in the summary once it has ended.
 */
import { readTakeHits } from './probe-hits.js';

export interface TracingCostReading {
  /** GIL cycles a second over the last window. */
  readonly cyclesPerSecond: number;
  /** What one cycle costs under the probes (of the busiest interpreter when there are several). */
  readonly nsPerCycle: number;
  /** Time the probes took over the window, as a share of it (summed over threads: may pass 1). */
  readonly share: number;
}

/** Each probe group with what one of its GIL cycles costs (undefined: not measured: the group is left out). */
export interface CostedGroup {
  readonly group: string;
  readonly nsPerCycle: number | undefined;
}

const EVERY_MS = 1000;

/**
 * Calls `onReading` about every second from now until it returns false or `stop` is called.
 * Quiet when tracefs cannot be read: it is a notice, the recording does not depend on it.
 */
export function watchTracingCost(tracefs: string, groups: readonly CostedGroup[], onReading: (reading: TracingCostReading) => boolean): () => void {
  const costed = groups.filter((g): g is CostedGroup & { nsPerCycle: number } => g.nsPerCycle !== undefined);
  if (costed.length === 0) return () => undefined;
  const names = new Set(costed.map((g) => g.group));
  let last = { at: Date.now(), hits: readTakeHits(tracefs, names) };
  const timer = setInterval(() => {
    const now = { at: Date.now(), hits: readTakeHits(tracefs, names) };
    const before = last;
    last = now;
    if (!before.hits || !now.hits || now.at <= before.at) return;
    const seconds = (now.at - before.at) / 1000;
    let cycles = 0;
    let costNs = 0;
    let busiest = { cycles: -1, nsPerCycle: 0 };
    for (const { group, nsPerCycle } of costed) {
      const n = Math.max(0, (now.hits.get(group) ?? 0) - (before.hits.get(group) ?? 0));
      cycles += n;
      costNs += n * nsPerCycle;
      if (n > busiest.cycles) busiest = { cycles: n, nsPerCycle };
    }
    const reading = { cyclesPerSecond: cycles / seconds, nsPerCycle: busiest.nsPerCycle, share: costNs / 1e9 / seconds };
    if (!onReading(reading)) clearInterval(timer);
  }, EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
