/**
 * Per-thread wait-time histograms for the report, over quarter-decade bins from 100 ns to
 * 100 s: GIL waits span six orders of magnitude (a hand-off is µs, a starved thread waits
 * seconds), so only log bins show both ends.
 */
import type { WaitHistogram } from '../contract/report-data.js';
import type { ThreadTimeline } from '../model/timeline.js';

const BINS_PER_DECADE = 4;
const FIRST_EXPONENT = 2; // 100 ns
const LAST_EXPONENT = 11; // 100 s

/** Bin edges in ns: edges[i] is the lower bound of bin i; there is one more edge than bins. */
export const WAIT_HISTOGRAM_EDGES_NS: readonly number[] = Array.from(
  { length: (LAST_EXPONENT - FIRST_EXPONENT) * BINS_PER_DECADE + 1 },
  (_, i) => Math.round(10 ** (FIRST_EXPONENT + i / BINS_PER_DECADE)),
);

export function binOf(durationNs: number): number {
  const last = WAIT_HISTOGRAM_EDGES_NS.length - 2;
  if (durationNs < WAIT_HISTOGRAM_EDGES_NS[1]) return 0;
  // log10 then correct for rounding at the edges so bins are exactly [edge_i, edge_i+1).
  let bin = Math.floor((Math.log10(durationNs) - FIRST_EXPONENT) * BINS_PER_DECADE);
  if (bin > last) return last;
  while (bin > 0 && durationNs < WAIT_HISTOGRAM_EDGES_NS[bin]) bin--;
  while (bin < last && durationNs >= WAIT_HISTOGRAM_EDGES_NS[bin + 1]) bin++;
  return bin;
}

/** Waits counted into the bins one by one (a recording read window by window gives them so). */
export class WaitBins {
  private readonly counts = new Array<number>(WAIT_HISTOGRAM_EDGES_NS.length - 1).fill(0);
  private readonly totalNs = new Array<number>(WAIT_HISTOGRAM_EDGES_NS.length - 1).fill(0);
  private any = false;

  add(durationNs: number): void {
    // The model's `waits` keeps waits that equal timestamps squeezed out of the step track.
    if (!(durationNs >= 0)) return;
    const bin = binOf(durationNs);
    this.counts[bin]++;
    this.totalNs[bin] += durationNs;
    this.any = true;
  }

  /** Undefined when no wait was added. */
  histogram(pid: number, tid: number): WaitHistogram | undefined {
    return this.any ? { pid, tid, counts: this.counts, totalNs: this.totalNs } : undefined;
  }
}

/** Histogram of the thread's `waiting` intervals; undefined when it never waited. */
export function computeWaitHistogram(thread: ThreadTimeline): WaitHistogram | undefined {
  const bins = new WaitBins();
  for (const duration of thread.waits) bins.add(duration);
  return bins.histogram(thread.pid, thread.tid);
}
