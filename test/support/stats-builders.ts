/**
 * Hand-made stats JSON for tests of what is decided and said from the stats alone (the verdict
 * and its words): one process (pid 100) living 1 s, whose threads and functions are given.
 */
import type { FunctionStats, ProcessStats, StatsJson, ThreadStats } from '../../src/contract/stats.js';
import { computeThreadGroups } from '../../src/analysis/thread-groups.js';

export const MS = 1_000_000;
export const NO_WAITS = { count: 0, p50_ns: 0, p95_ns: 0, p99_ns: 0, max_ns: 0 };

const NAMES = ['MainThread', 'reader', 'parser', 'writer', 'logger', 'watcher'];

/** A thread that used the GIL, living 1 s (all of it active), waiting `wait` ns. */
export function statsThread(tid: number, wait: number, extra: Partial<ThreadStats> = {}): ThreadStats {
  const lifetime = 1000 * MS;
  return {
    tid,
    name: NAMES[tid] ?? `thread ${tid}`,
    lifetime_ns: lifetime,
    held_ns: 100 * MS,
    wait_ns: wait,
    no_gil_ns: lifetime - 100 * MS - wait,
    held_off_cpu_ns: 0,
    held_asleep_ns: 0,
    running_ns: lifetime,
    runnable_ns: 0,
    sleeping_ns: 0,
    blocked_ns: 0,
    active_ns: lifetime,
    acquisitions: 10,
    wait: { count: 10, p50_ns: wait / 10, p95_ns: wait / 10, p99_ns: wait / 10, max_ns: wait / 10 },
    drops: { forced: 5, voluntary: 5 },
    ...extra,
  };
}

/** A Python function of /srv/app/parse.py:12 that held the GIL while others waited, caught by 40 forced switches. */
export function statsFunction(name: string, heldWhileOthersWait: number, extra: Partial<FunctionStats> = {}): FunctionStats {
  return {
    name, file: '/srv/app/parse.py', line: 12, held_ns: heldWhileOthersWait, held_while_others_wait_ns: heldWhileOthersWait,
    forced_held_while_others_wait_ns: heldWhileOthersWait / 2, wait_ns: 0,
    waits: 0, forced_drops: 40, longest_hold_ns: 5 * MS, longest_contended_run_ns: 5 * MS, stacks: [{ callers: ['scrape', 'Thread.run'], held_ns: 1, wait_ns: 0 }],
    ...extra,
  };
}

/** Process 100 with these threads, its thread groups computed; `lost` events lost. */
export function statsOf(threads: ThreadStats[], lost = 0, extra: Partial<ProcessStats> = {}): StatsJson {
  const process: ProcessStats = {
    pid: 100,
    command: 'python3 app.py',
    python: { executable: '', version: '', gil: 'unknown' },
    duration_ns: 1000 * MS,
    gil: { held_ns: 0, contended_ns: 0, handoff: NO_WAITS, drops: { forced: 0, voluntary: 0 } },
    threads,
    anomalies: {},
    thread_groups: computeThreadGroups(threads, 100),
    ...extra,
  };
  return { schema: 'giltrace.stats/1', recording: { duration_ns: 1000 * MS, events: 0, lost_events: lost, warnings: [] }, processes: [process] };
}

/** Process 100's GIL with 900 ms held and 800 ms of it contended. */
export const CONTENDED_GIL = { held_ns: 900 * MS, contended_ns: 800 * MS, handoff: NO_WAITS, drops: { forced: 0, voluntary: 0 } };
