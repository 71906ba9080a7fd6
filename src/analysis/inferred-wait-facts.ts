/**
 * The numbers a verdict can rest on when GIL waits were inferred from the scheduler (a
 * scheduler-only recording, model/recording-kind.ts): only waits spent switched out in take_gil
 * are seen, holding never, so threads that did not wait cannot be told from threads that never
 * used the GIL. Shares are therefore of the waiting threads' lifetimes, not of active time.
 */
import type { StatsJson, ThreadStats } from '../contract/stats.js';

/** Threads the verdict names. */
const TOP_THREADS = 3;

export interface InferredWaitFacts {
  /** Threads seen waiting at least once. */
  readonly waiters: number;
  /** Those that waited the largest share of their lives, most first (ties by tid). */
  readonly topWaiters: readonly ThreadStats[];
  readonly waitNs: number;
  readonly lifetimeNs: number;
  /** waitNs / lifetimeNs over the threads seen waiting. */
  readonly waitShare: number;
}

export function computeInferredWaitFacts(stats: StatsJson): InferredWaitFacts {
  const waiters = stats.processes.flatMap((p) => p.threads.filter((t) => t.wait.count > 0));
  let waitNs = 0;
  let lifetimeNs = 0;
  for (const t of waiters) {
    waitNs += t.wait_ns;
    lifetimeNs += t.lifetime_ns;
  }
  return {
    waiters: waiters.length,
    topWaiters: [...waiters].sort((a, b) => lifeShare(b) - lifeShare(a) || a.tid - b.tid).slice(0, TOP_THREADS),
    waitNs,
    lifetimeNs,
    waitShare: lifetimeNs > 0 ? waitNs / lifetimeNs : 0,
  };
}

function lifeShare(t: ThreadStats): number {
  return t.lifetime_ns > 0 ? t.wait_ns / t.lifetime_ns : 0;
}
