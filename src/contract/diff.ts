/**
 * `giltrace diff A B --json`, schema `giltrace.diff/1`: two recordings' stats (giltrace.stats/1)
 * side by side, per process, per thread group and per Python function. All times are integer
 * nanoseconds, shares are fractions (0.476 = 47.6 %). Additive changes only: scripts parse this.
 *
 * Every compared number is a {@link Compared}: A's value, B's value and the change from A to B.
 * A row seen in one run only has `in: 'a'` or `in: 'b'`; its numbers carry that side alone.
 */

export const DIFF_SCHEMA = 'giltrace.diff/1';

/** One number in both runs. A side that has no such row has no value (and there is no change). */
export interface Compared {
  readonly a?: number;
  readonly b?: number;
  /** b − a (for shares: in fractions, 0.05 = 5 percentage points). */
  readonly change?: number;
  /** (b − a) / a, when both are there and a is not 0. */
  readonly relative_change?: number;
}

/** Which runs a row was seen in. */
export type Presence = 'both' | 'a' | 'b';

/** What one run was: enough to tell the two apart in the output. */
export interface RunSide {
  /** What the user called it (the file name given to `diff`). */
  readonly label: string;
  readonly duration_ns: number;
  /** CPUs online on the recording machine, when known: runs on different machines compare poorly. */
  readonly cpus?: number;
  readonly lost_events: number;
  readonly warnings: readonly string[];
  readonly verdict?: { readonly kind: string; readonly headline: string };
  /** A sampled recording (since 12-07): its times are estimates, and it counts no GIL takes, waits or forced drops (absent from its side). */
  readonly sampled?: boolean;
}

/**
 * How the two processes of a pair were matched: `same-command` (the same arguments after the
 * interpreter, which may differ: 3.12 vs 3.13), `same-script` (the same script file name, other
 * arguments: 4 vs 16 threads), `position` (the n-th remaining process of each run: the commands
 * differ, `notes` says so), or one run only.
 */
export type ProcessMatch = 'same-command' | 'same-script' | 'position' | 'only-a' | 'only-b';

export interface ProcessSide {
  readonly pid: number;
  readonly command: string;
  readonly python: { readonly version: string; readonly executable: string; readonly gil: string };
  readonly threads: number;
  /** Whether the recording has function context (`functions` in its stats). */
  readonly function_context: boolean;
}

/** The numbers compared for every row of threads (a group, a lone thread, or all threads of a process). */
export interface ThreadNumbers {
  /** Summed over the row's threads (their lifetimes overlap, so this is thread time, not wall time). */
  readonly lifetime_ns: Compared;
  /** Time the threads wanted to run (see ThreadStats.active_ns), summed. */
  readonly active_ns: Compared;
  readonly held_ns: Compared;
  readonly wait_ns: Compared;
  /** wait_ns / active_ns: how much of the time they wanted to run went to waiting for the GIL. */
  readonly wait_share: Compared;
  readonly acquisitions: Compared;
}

/** One run's threads behind a row. */
export interface ThreadRowSide {
  /** The thread's own name when it is one thread, the shared pattern (`Thread-* (work)`) when several. */
  readonly name: string;
  readonly tids: readonly number[];
}

/**
 * Threads matched across the runs by their name pattern (numbers as `*`, see
 * analysis/thread-groups.ts), so `Thread-3 (work)` in A is `Thread-7 (work)` in B, and a pool of
 * 16 in one run is the pool of 4 in the other. The main thread matches the main thread.
 */
export interface ThreadRowDiff extends ThreadNumbers {
  /** The pattern the row was matched by; `MainThread` for the main thread whatever its name. */
  readonly key: string;
  readonly main_thread: boolean;
  readonly in: Presence;
  readonly a?: ThreadRowSide;
  readonly b?: ThreadRowSide;
  readonly threads: Compared;
}

/**
 * A Python function matched by name and file (an exact path first, then the file name alone, so
 * `threading.py` of 3.12 matches that of 3.13); its line may differ between the runs.
 */
export interface FunctionDiff {
  readonly name: string;
  readonly in: Presence;
  readonly a?: { readonly file: string; readonly line: number };
  readonly b?: { readonly file: string; readonly line: number };
  readonly held_ns: Compared;
  readonly held_while_others_wait_ns: Compared;
  readonly wait_ns: Compared;
  readonly waits: Compared;
  readonly forced_drops: Compared;
}

export interface ProcessDiff {
  readonly match: ProcessMatch;
  readonly a?: ProcessSide;
  readonly b?: ProcessSide;
  /** Wall time of the process. */
  readonly duration_ns: Compared;
  readonly gil_held_ns: Compared;
  /** Time the GIL was held while another thread waited for it. */
  readonly gil_contended_ns: Compared;
  readonly forced_drops: Compared;
  /** Time C code ran with nobody holding the GIL (ProcessStats.time_split.free_ns); empty when neither run has the split. */
  readonly c_without_gil_ns: Compared;
  /** Time every thread of the process was asleep (ProcessStats.time_split.idle_ns); empty when neither run has the split. */
  readonly all_asleep_ns: Compared;
  /** Time the GIL changed hands (ProcessStats.time_split.handover_ns); empty when neither run has it. */
  readonly handover_ns: Compared;
  /** All threads of the process together. */
  readonly all_threads: ThreadNumbers;
  /** Largest first (the larger of A and B, by GIL time held plus waited). */
  readonly threads: readonly ThreadRowDiff[];
  /** Largest first (the larger of A and B, by held while others waited plus waited); empty without function context. */
  readonly functions: readonly FunctionDiff[];
}

export interface DiffJson {
  readonly schema: typeof DIFF_SCHEMA;
  readonly a: RunSide;
  readonly b: RunSide;
  readonly verdict_kind_changed: boolean;
  readonly processes: readonly ProcessDiff[];
  /** What makes the comparison less than like for like (unmatched commands, CPU counts, missing function context). */
  readonly notes: readonly string[];
}
