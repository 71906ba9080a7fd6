/**
 * Wait-time histograms for the report, over log2-spaced ns bins shared by every thread of the
 * timeline: GIL waits span from ns (uncontended) to seconds (starved threads), and only log bins
 * show both ends. Bin 0 is [0, 2) ns, bin k ≥ 1 is [2^k, 2^(k+1)); the returned edges are cut to
 * the range that holds any wait, and the last bin also takes everything above its top edge.
 * Built from `ThreadTimeline.waits` (every wait, including 0 ns ones and waits that never ended).
 */
import type { WaitHistogram } from '../contract/report-data.js';
import type { Timeline } from '../model/timeline.js';

/** Largest bin exponent: [2^40, …) ns ≈ 18 minutes and longer, all in one bin. */
const MAX_EXPONENT = 40;

export interface WaitHistograms {
  /** edgesNs[i] is the lower bound of bin i; one more edge than bins. */
  readonly edgesNs: readonly number[];
  /** One per thread that waited at least once, in timeline order. */
  readonly histograms: readonly WaitHistogram[];
}

/** Bin exponent of a duration: 0 for [0, 2), k for [2^k, 2^(k+1)). */
export function log2Bin(durationNs: number): number {
  if (!(durationNs >= 2)) return 0;
  const bin = Math.floor(Math.log2(durationNs));
  if (bin >= MAX_EXPONENT) return MAX_EXPONENT;
  // log2 of a value just under a power of two can round up: correct against the exact edge.
  return durationNs < 2 ** bin ? bin - 1 : bin;
}

export function computeWaitHistograms(timeline: Timeline): WaitHistograms {
  let low = Infinity;
  let high = -Infinity;
  const threads = timeline.processes.flatMap((p) => p.threads).filter((t) => t.waits.length > 0);
  for (const thread of threads) {
    for (const wait of thread.waits) {
      const bin = log2Bin(wait);
      if (bin < low) low = bin;
      if (bin > high) high = bin;
    }
  }
  if (threads.length === 0) return { edgesNs: [], histograms: [] };
  const bins = high - low + 1;
  const edgesNs = Array.from({ length: bins + 1 }, (_, i) => (low + i === 0 ? 0 : 2 ** (low + i)));
  const histograms = threads.map((thread): WaitHistogram => {
    const counts = new Array<number>(bins).fill(0);
    const totalNs = new Array<number>(bins).fill(0);
    for (const wait of thread.waits) {
      const bin = log2Bin(wait) - low;
      counts[bin]++;
      totalNs[bin] += wait;
    }
    return { pid: thread.pid, tid: thread.tid, counts, totalNs: totalNs.map(Math.round) };
  });
  return { edgesNs, histograms };
}
