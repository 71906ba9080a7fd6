/**
 * Alike threads (a pool's workers, a server's request threads) as the report shows them: the
 * stats' `thread_groups` of THREAD_GROUP_ROW_MIN threads or more, each one expandable row in the
 * thread table and one track in the timeline, as the terminal table shows them as one `×N` row.
 */
import { THREAD_GROUP_ROW_MIN, type ProcessStats, type ThreadGroupStats, type ThreadStats } from '../contract/stats.js';

/** The groups shown as one row; none for reports made before the stats had `thread_groups`. */
export function shownGroups(process: ProcessStats | undefined): readonly ThreadGroupStats[] {
  return (process?.thread_groups ?? []).filter((g) => g.tids.length >= THREAD_GROUP_ROW_MIN);
}

/**
 * Alike threads as one: times and counts summed (so shares are of the summed lifetime). Wait
 * percentiles do not add up, so they are NaN (shown as –); the longest wait is the members' longest.
 */
export function sumThreadStats(members: readonly ThreadStats[]): ThreadStats {
  const sum = (of: (t: ThreadStats) => number) => members.reduce((n, t) => n + of(t), 0);
  return {
    ...members[0],
    lifetime_ns: sum((t) => t.lifetime_ns),
    held_ns: sum((t) => t.held_ns),
    wait_ns: sum((t) => t.wait_ns),
    no_gil_ns: sum((t) => t.no_gil_ns),
    held_off_cpu_ns: sum((t) => t.held_off_cpu_ns),
    held_asleep_ns: sum((t) => t.held_asleep_ns),
    running_ns: sum((t) => t.running_ns),
    runnable_ns: sum((t) => t.runnable_ns),
    sleeping_ns: sum((t) => t.sleeping_ns),
    blocked_ns: sum((t) => t.blocked_ns),
    active_ns: sum((t) => t.active_ns),
    acquisitions: sum((t) => t.acquisitions),
    wait: { count: sum((t) => t.wait.count), p50_ns: NaN, p95_ns: NaN, p99_ns: NaN, max_ns: Math.max(...members.map((t) => t.wait.max_ns)) },
    drops: { forced: sum((t) => t.drops.forced), voluntary: sum((t) => t.drops.voluntary) },
    top_functions: undefined,
  };
}
