/**
 * `giltrace stats --json`, schema `giltrace.stats/1`: these types are its contract (the README's
 * "What you get" says what the numbers mean). All times are integer nanoseconds. Additive changes
 * only: scripts out there parse this.
 */

export const STATS_SCHEMA = 'giltrace.stats/1';

export interface DurationSummary {
  readonly count: number;
  readonly p50_ns: number;
  readonly p95_ns: number;
  readonly p99_ns: number;
  readonly max_ns: number;
}

export interface DropCounts {
  readonly forced: number;
  readonly voluntary: number;
}

export interface ThreadStats {
  readonly tid: number;
  readonly name: string;
  readonly lifetime_ns: number;
  readonly held_ns: number;
  readonly wait_ns: number;
  readonly no_gil_ns: number;
  readonly held_off_cpu_ns: number;
  /** The part of held_off_cpu_ns spent sleeping or blocked (C code waiting with the GIL), not preempted. */
  readonly held_asleep_ns: number;
  readonly running_ns: number;
  readonly runnable_ns: number;
  readonly sleeping_ns: number;
  readonly blocked_ns: number;
  /**
   * Time the thread wanted to run: holding or waiting for the GIL, or without it but on a CPU or
   * runnable (C code that released it). What is left is idle: sleeping or blocked without the GIL
   * (I/O, sleep, join). Shares of this, not of the lifetime, say how much the GIL hurt a thread.
   */
  readonly active_ns: number;
  readonly acquisitions: number;
  readonly wait: DurationSummary;
  readonly drops: DropCounts;
  /** The thread's functions that held or waited the most (recordings with function context only). */
  readonly top_functions?: readonly ThreadFunction[];
  /**
   * Sampled recordings: ticks that fell in the thread's life. Its shares (held, wait, no-GIL,
   * CPU states, of its life) are estimates within ±0.98/√samples (95 %, worst case).
   */
  readonly samples?: number;
}

/** Where a Python function is: its name (qualified from 3.11), file and first line (of its `def`). */
export interface FunctionRef {
  readonly name: string;
  readonly file: string;
  readonly line: number;
}

export interface ThreadFunction extends FunctionRef {
  readonly held_ns: number;
  readonly wait_ns: number;
}

/**
 * GIL time attributed to one Python function of a process: held time to the functions the holder
 * samples saw running (`recording.holder_samples`); without them (or outside the sampler's
 * ticks), a hold to the function the thread was in when it released the GIL (a forced drop
 * catches a CPU-bound function in the act), or, when the release has no Python frame or was not
 * seen (thread exit, end of recording), to the function that took it; a wait to the function that
 * asked for the GIL (or the one a forced drop interrupted). Special names: `<no Python frame>` (C code calling in, thread start),
 * `<unknown>` (not seen: lost events, a take whose entry was not recorded).
 */
export interface FunctionStats extends FunctionRef {
  readonly held_ns: number;
  /** The part of held_ns during which another thread was waiting for this GIL: the cost to others. */
  readonly held_while_others_wait_ns: number;
  /**
   * The part of held_while_others_wait_ns in holds that a forced switch ended: the function was
   * caught running Python while others waited. The switch interval, not the program, picks those
   * moments, so this samples fairly where contended Python time goes; a voluntary release always
   * lands in the call that gives the GIL up (I/O), whatever ran before it.
   */
  readonly forced_held_while_others_wait_ns: number;
  readonly wait_ns: number;
  readonly waits: number;
  /**
   * Time its threads went without the GIL after letting it go in it (from each drop to the
   * thread's next wait, or its end): the C calls that released it, a sleep, a lock, a socket
   * read, or where a forced switch caught it; and of that, the time they slept or were blocked
   * (since 12-07; absent before).
   */
  readonly released_ns?: number;
  readonly released_asleep_ns?: number;
  /** Holds ended by a forced switch (the switch interval of a waiter expired). */
  readonly forced_drops: number;
  /** Longest single hold. */
  readonly longest_hold_ns: number;
  /**
   * Of one hold, the longest time the holder ran on a CPU while another thread waited. Python code
   * gives the GIL up within the switch interval (5 ms by default) of a waiter asking; much longer
   * is C code that kept the GIL, which the switch interval cannot interrupt.
   */
  readonly longest_contended_run_ns: number;
  /** Call paths it was seen in (callers' names, innermost first), most GIL time first; up to 3. */
  readonly stacks: readonly { readonly callers: readonly string[]; readonly held_ns: number; readonly wait_ns: number }[];
  /**
   * Where in the function its held time went, by source line: the line its frame ran at each
   * holder sample inside its holds (the sampler reads the frame's instruction; the probes do
   * not), most held while others waited first; up to 5. They share the part of held_ns the
   * samples shared out (holds charged where they ended have no line), so their sum is at most
   * held_ns. Absent when no sample read a line (no holder samples, a recording before 12-06).
   */
  readonly lines?: readonly FunctionLine[];
  /**
   * How many holder samples inside its holds saw it running: its held time while they were taken,
   * and its lines' shares, are estimates from this many (contract/function-lines.ts shareLowerBound:
   * 62.5 % of 8 samples may be 31 %). Absent when none did (no holder samples, or its holds were
   * charged where they ended).
   */
  readonly held_samples?: number;
  /**
   * Where in it its threads gave the GIL up before they waited to get it back (each wait's line:
   * the drop's instruction, looked up in the line table the holder samples read; sampled: the
   * line the sampler read the waiter at), up to 5, most waited first; absent when no wait's line
   * is known (recordings before 12-07, code no stack read saw).
   */
  readonly wait_lines?: readonly FunctionWaitLine[];
  /** The same for the time without the GIL (released_ns): up to 5 lines, most first (since 12-07). */
  readonly released_lines?: readonly FunctionReleasedLine[];
}

export interface FunctionLine {
  readonly line: number;
  readonly held_ns: number;
  readonly held_while_others_wait_ns: number;
  /** Holder samples that saw the function at this line (of its held_samples). */
  readonly samples?: number;
  /** The line's text (trimmed, at most 120 characters), as the traced process's file read while it ran; absent when it could not be read. */
  readonly text?: string;
}

export interface FunctionWaitLine {
  readonly line: number;
  readonly wait_ns: number;
  readonly waits: number;
  /** As FunctionLine's. */
  readonly text?: string;
  /** The call paths (callers, innermost first) the waits after it came by, most waited first, up to 3 (since 12-07). */
  readonly paths?: readonly { readonly callers: readonly string[]; readonly wait_ns: number; readonly waits: number }[];
}

export interface FunctionReleasedLine {
  readonly line: number;
  readonly released_ns: number;
  readonly released_asleep_ns: number;
  /** As FunctionLine's. */
  readonly text?: string;
  /**
   * The call paths (callers, innermost first) it was reached by, with their times, most
   * released first, up to 3 (since 12-07): the function's own stacks rank paths by GIL time held
   * and waited, which names a thread start's Event.wait for the long sleep of a queue's get.
   */
  readonly paths?: readonly { readonly callers: readonly string[]; readonly released_ns: number; readonly released_asleep_ns: number }[];
}

export interface PythonInfo {
  readonly executable: string;
  readonly version: string;
  readonly gil: 'enabled' | 'disabled' | 'unknown';
}

export interface ProcessStats {
  readonly pid: number;
  /** The pid inside its own pid namespace, for a process giltrace attached to in a container. */
  readonly pid_in_namespace?: number;
  readonly command: string;
  readonly python: PythonInfo;
  readonly duration_ns: number;
  readonly gil: {
    readonly held_ns: number;
    /** Time at least one thread waited for a GIL, hand-offs included (the GIL free, a waiter on its way): it can exceed held_ns a little. */
    readonly contended_ns: number;
    readonly handoff: DurationSummary;
    readonly drops: DropCounts;
  };
  readonly threads: readonly ThreadStats[];
  readonly anomalies: Readonly<Record<string, number>>;
  /** Per Python function, most held-while-others-wait first (recordings with function context only). */
  readonly functions?: readonly FunctionStats[];
  /** Threads whose names differ only in numbers (a pool's workers), summed; see thread-groups.ts. */
  readonly thread_groups: readonly ThreadGroupStats[];
  /**
   * What the tracing itself added to the process's run, estimated: its GIL cycles (acquisitions)
   * times what one cycle costs under giltrace's probes, measured on the recording machine. A large
   * share means the program ran slower than untraced and its waits look longer than they are.
   */
  readonly tracing_cost?: {
    readonly ns_per_gil_cycle: number;
    readonly gil_cycles: number;
    readonly added_ns: number;
  };
  /**
   * What the process did, instant by instant, over duration_ns (when the recording's CPU count is
   * known): some thread held a GIL (`held_ns`); nobody held one and a thread ran on a CPU without
   * it (`free_ns`: C code that released it: zlib, hashlib, numpy); no thread wanted to run
   * (`idle_ns`: every thread slept or was blocked); the rest (`handover_ns`, since 12-07): nobody
   * held one while threads wanted to run, waiting for a GIL on its way to them or for a CPU (the
   * GIL changing hands: four threads crunching on two CPUs lost 14.5 % of their run so). The
   * verdict says which limits a program the GIL does not bind.
   */
  readonly time_split?: { readonly held_ns: number; readonly free_ns: number; readonly idle_ns: number; readonly handover_ns?: number };
  /**
   * One entry per GIL when the process has several (subinterpreters with their own GIL, 3.12+):
   * each is a lock of its own; `gil` above is their union.
   */
  readonly interpreters?: readonly InterpreterGilStats[];
}

export interface InterpreterGilStats {
  /** In order of first use: 1 is the main interpreter's GIL (`main` when its main thread held it). */
  readonly index: number;
  readonly main: boolean;
  /** Threads that held this GIL. */
  readonly tids: readonly number[];
  readonly held_ns: number;
  readonly contended_ns: number;
  readonly handoff: DurationSummary;
}

/**
 * From this many threads on, a group is shown as one row (the terminal table's `×N` row, the
 * HTML report's expandable row and timeline track); smaller groups keep a row per thread.
 */
export const THREAD_GROUP_ROW_MIN = 3;

export interface ThreadGroupStats {
  /** The shared name with numbers as `*`, e.g. `ThreadPoolExecutor-*_*`. */
  readonly name: string;
  readonly tids: readonly number[];
  readonly lifetime_ns: number;
  readonly active_ns: number;
  readonly held_ns: number;
  readonly wait_ns: number;
  readonly no_gil_ns: number;
  readonly acquisitions: number;
  /** Longest single wait of any member. */
  readonly max_wait_ns: number;
}

export interface StatsJson {
  readonly schema: typeof STATS_SCHEMA;
  readonly recording: {
    readonly duration_ns: number;
    readonly events: number;
    readonly lost_events: number;
    readonly warnings: readonly string[];
    /** CPUs online on the recording machine (perf's header), when known. */
    readonly cpus?: number;
    /**
     * Set when take_gil's return was not probed (giltrace's default; `--exact-takes` probes it):
     * each acquisition was placed from the drops and the scheduler events, within a few µs of
     * where the return probe puts it (which is itself ~2 µs late, its own trap); `guessed` of them
     * without the next drop to confirm who took the GIL (events lost, the recording's end, or
     * over 100 000 events while one thread held it with others waiting).
     */
    readonly takes_placed?: { readonly placed: number; readonly guessed: number };
    /** Set for sampled recordings (`giltrace record --sample`): every time is an estimate from ticks. */
    readonly sampling?: SamplingStats;
    /**
     * Set when the recording has holder samples (since 12-05): exact recordings with function
     * context, where giltrace read `hz` times a second which thread held each GIL and the Python
     * stack it ran, and sampled ones (the holders' stacks every 4 ticks; `hz` is then the tick
     * rate). `samples` of them; `in_holds`: inside a hold the timeline has. The functions' `held_ns` and
     * `held_while_others_wait_ns` are then shared out by those samples (what ran while holding),
     * not charged where each hold ended: a hold that ends in a blocking call did its work before.
     */
    readonly holder_samples?: { readonly hz: number; readonly samples: number; readonly in_holds: number };
    /**
     * Set when only a part of the recording was analysed (`--from` / `--to`): where it begins and
     * ends, ns after the recording's first event (`to_ns` absent: to its end). Every figure is of
     * that part: waits and holds that cross its ends count for their part in it.
     */
    readonly range?: { readonly from_ns: number; readonly to_ns?: number };
  };
  readonly processes: readonly ProcessStats[];
  /** The plain-language conclusion the summary ends with (added by the CLI after computeStats). */
  readonly verdict?: VerdictJson;
}

/**
 * How a sampled recording was taken. Times are sums of tick periods: a thread's share of its
 * life in a state is within ±0.98/√N of the truth (95 %, N its `samples`, the worst case p = ½,
 * ticks taken as independent: a state that changes in step with the ticks could fool them). Counts
 * (acquisitions, drops, waits, hand-offs) are of the changes the ticks saw: lower bounds.
 */
export interface SamplingStats {
  /** Ticks a second asked for. */
  readonly hz: number;
  readonly ticks: number;
  /** Ticks skipped because the sampler came late (a busy machine). */
  readonly late_ticks: number;
  /** Ticks a second taken. */
  readonly effective_hz: number;
  /** ±, for a thread that lived through the whole recording (see `samples` per thread). */
  readonly share_error_95: number;
  /** CPU time the sampler used, when known. */
  readonly sampler_cpu_ns?: number;
  /** The most of one CPU the sampler's thread was to use (0.1: 10 %), when it had a budget. */
  readonly cpu_budget?: number;
  /** The slowest rate (ticks a second) the budget made the sampler tick at; absent: it never had to slow down. */
  readonly slowest_hz?: number;
}

export interface VerdictJson {
  /** 'gil-bound' | 'gil-contended' | 'not-gil-bound' | 'no-threads' | 'gil-held-off-cpu' | 'gil-held-long' */
  readonly kind: string;
  readonly headline: string;
  readonly details: readonly string[];
}
