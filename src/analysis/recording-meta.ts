/**
 * What the stats need besides the timeline: facts about the recording the model does not see.
 * The integrator fills it from the perf.data header, the adapter's counters and probe/.
 */
import type { PythonInfo } from '../contract/stats.js';

export interface ProcessMeta {
  /** The command line, e.g. "python3 app.py". Empty when unknown (the main thread's name is used). */
  readonly command: string;
  readonly python: PythonInfo;
  /** Its pid inside its own pid namespace (a container), when that differs. */
  readonly namespacePid?: number;
  /** What one GIL cycle cost under the probes (ns), when measured. */
  readonly nsPerGilCycle?: number;
}

export interface RecordingMeta {
  /** Events read from the recording (reported as `recording.events`). */
  readonly events: number;
  /**
   * Events perf reported lost, when the reader counts them itself; `recording.lost_events` is the
   * larger of this and the `lost` events the timeline saw.
   */
  readonly lostEvents?: number;
  readonly warnings: readonly string[];
  readonly processes: ReadonlyMap<number, ProcessMeta>;
  /** CPUs online when recorded. */
  readonly cpus?: number;
  /** Only this part of the recording was analysed (ns after its first event; `to` Infinity: to its end). */
  readonly range?: { readonly from: number; readonly to: number };
  /** Takes placed from the other events, take_gil's return not being probed (model/take-placement.ts). */
  readonly takesPlaced?: { readonly placed: number; readonly guessed: number };
  /** Sampled recordings: how they were sampled (the rest of `SamplingStats` is computed). */
  readonly sampling?: {
    readonly hz: number;
    readonly ticks: number;
    readonly lateTicks: number;
    /** How long the sampler ticked (the timeline may be shorter: it began before the program). */
    readonly spanNs?: number;
    readonly samplerCpuNs?: number;
    /** The most of one CPU the sampler's thread was to use, and the slowest rate that made it tick at (absent: never slowed). */
    readonly cpuBudget?: number;
    readonly slowestHz?: number;
  };
}

export const UNKNOWN_PYTHON: PythonInfo = { executable: '', version: '', gil: 'unknown' };
