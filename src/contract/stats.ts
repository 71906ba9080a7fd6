/**
 * `giltrace stats --json`, schema `giltrace.stats/1` (see CONTRACT.md). All times are integer
 * nanoseconds. Additive changes only: scripts out there parse this.
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
  readonly acquisitions: number;
  readonly wait: DurationSummary;
  readonly drops: DropCounts;
}

export interface PythonInfo {
  readonly executable: string;
  readonly version: string;
  readonly gil: 'enabled' | 'disabled' | 'unknown';
}

export interface ProcessStats {
  readonly pid: number;
  readonly command: string;
  readonly python: PythonInfo;
  readonly duration_ns: number;
  readonly gil: {
    readonly held_ns: number;
    readonly contended_ns: number;
    readonly handoff: DurationSummary;
    readonly drops: DropCounts;
  };
  readonly threads: readonly ThreadStats[];
  readonly anomalies: Readonly<Record<string, number>>;
}

export interface StatsJson {
  readonly schema: typeof STATS_SCHEMA;
  readonly recording: {
    readonly duration_ns: number;
    readonly events: number;
    readonly lost_events: number;
    readonly warnings: readonly string[];
  };
  readonly processes: readonly ProcessStats[];
  /** The plain-language conclusion the summary ends with (added by the CLI after computeStats). */
  readonly verdict?: VerdictJson;
}

export interface VerdictJson {
  /** 'gil-bound' | 'gil-contended' | 'not-gil-bound' | 'no-threads' | 'gil-held-off-cpu' */
  readonly kind: string;
  readonly headline: string;
  readonly details: readonly string[];
}
