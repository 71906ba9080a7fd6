/**
 * The model's output: what every traced thread was doing over time, as step functions.
 * Frozen after build; analysis/ and export/ only read it.
 *
 * A step track holds `times[i]` (ns, relative to `Timeline.timeBaseNs`) where the state
 * becomes `states[i]`; that state lasts until `times[i + 1]`, the last one until the owner's
 * `end`. Consecutive entries never repeat a state, so tracks are compact and cannot overlap;
 * they never share a time either (at equal timestamps the last state wins), so no interval is
 * empty.
 */

import type { PyFunction, PyStack } from './python-stacks.js';

export const GilState = { none: 0, waiting: 1, holding: 2 } as const;
export type GilState = (typeof GilState)[keyof typeof GilState];
export const GIL_STATE_NAMES = ['none', 'waiting', 'holding'] as const;

export const CpuState = { running: 0, runnable: 1, sleeping: 2, blocked: 3 } as const;
export type CpuState = (typeof CpuState)[keyof typeof CpuState];
export const CPU_STATE_NAMES = ['running', 'runnable', 'sleeping', 'blocked'] as const;

export interface StepTrack {
  readonly times: Float64Array;
  readonly states: Uint8Array;
}

/** One GIL release: when, by whom, why, in which Python stack. */
export interface Drop {
  readonly time: number;
  readonly tid: number;
  readonly forced: boolean;
  /** false when the reason could not be determined (counted as voluntary in stats). */
  readonly known: boolean;
  /** Id in Timeline.stacks (0 = unknown). */
  readonly stack: number;
}

/** A stack a thread without the GIL was found in, from `time` on, with no drop there (sampled recordings). */
export interface Release {
  readonly time: number;
  /** Id in Timeline.stacks. */
  readonly stack: number;
}

/** Intervals of one thread holding the GIL, in time order, with the stacks it held it in. */
export interface Holds {
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  /** Id in Timeline.stacks of the drop that ended the hold; 0 when none did (exit, end of recording, lost events). */
  readonly stacks: Int32Array;
  /** Id in Timeline.stacks where the thread asked for the GIL it got (take_gil entry, or the forced drop before). */
  readonly acquiredIn: Int32Array;
}

export interface ThreadTimeline {
  readonly pid: number;
  readonly tid: number;
  /** Python thread name when known, else the OS name (comm). */
  readonly name: string;
  readonly start: number;
  readonly end: number;
  /** Key of the interpreter whose GIL this thread used; undefined if it never touched one. */
  readonly gil: string | undefined;
  readonly gilTrack: StepTrack;
  readonly cpuTrack: StepTrack;
  readonly drops: readonly Drop[];
  /** Sampled recordings: where the thread was, without the GIL, from each time on (the `released_at` events; none elsewhere). */
  readonly releases?: readonly Release[];
  /** Number of take_gil returns (GIL acquisitions), including ones whose entry was not seen. */
  readonly acquisitions: number;
  /**
   * Length (ns) of every wait for the GIL, in order: take_gil entry to return, or to where the
   * wait was cut off (thread exit, end of recording, a contradicting event). Kept here because
   * equal timestamps can make a wait vanish from the compact `gilTrack`.
   */
  readonly waits: Float64Array;
  /** When each wait started, and the stack (id in Timeline.stacks) it started in: parallel to `waits`. */
  readonly waitStarts: Float64Array;
  readonly waitStacks: Int32Array;
  readonly holds: Holds;
  /** Set in a window of the recording (a snapshot from a time on): how it meets the windows around it. */
  readonly window?: ThreadWindow;
}


/**
 * A thread's part of a window: its life, waits and holds are cut at the window's start and end,
 * so a wait or hold that crosses a cut is in both windows, a part in each. These say which, so
 * that the parts can be put together again (analysis/stats-accumulator.ts).
 */
export interface ThreadWindow {
  /** Names the thread across windows: a tid reused after an exit is another thread. */
  readonly key: string;
  /** When the thread's life began (`start` is the window's when that was earlier). */
  readonly lifeStart: number;
  /** The first wait / hold began before the window: it continues the previous window's last. */
  readonly waitContinues: boolean;
  readonly holdContinues: boolean;
  /** The last wait / hold goes on after the window's end. */
  readonly waitOpen: boolean;
  readonly holdOpen: boolean;
  /** Its own names so far: `name` falls back on the main thread's OS name, which may come later. */
  readonly pythonName: string | undefined;
  readonly osName: string | undefined;
  /** No scheduler event for it so far (counted as the process's no_scheduler_events anomaly). */
  readonly noSchedulerEvents: boolean;
}

/** Who held one interpreter's GIL when: `holders.times[i]` → tid `holders.tids[i]` (0 = nobody). */
export interface GilTimeline {
  readonly key: string;
  /**
   * Names the GIL across the windows of a recording (its key can change: one made up for a
   * recording that began mid-wait takes its interpreter's name once that is known).
   */
  readonly serial?: number;
  readonly pid: number;
  readonly holders: { readonly times: Float64Array; readonly tids: Int32Array };
  /** Number of threads waiting for this GIL, as a step function. */
  readonly waiters: { readonly times: Float64Array; readonly counts: Uint16Array };
}

export interface ProcessTimeline {
  readonly pid: number;
  readonly start: number;
  readonly end: number;
  readonly threads: readonly ThreadTimeline[];
  readonly gils: readonly GilTimeline[];
  /** In a window: the main thread's OS name so far (threads without a name took it). */
  readonly mainName?: string;
  /** Events that did not fit the state machine, by kind (e.g. take_return_without_enter). */
  readonly anomalies: Readonly<Record<string, number>>;
}

export interface Timeline {
  /** Absolute CLOCK_MONOTONIC ns of time 0 (as a bigint: absolute values can exceed 2^53). */
  readonly timeBaseNs: bigint;
  readonly start: number;
  readonly end: number;
  readonly processes: readonly ProcessTimeline[];
  readonly lostEvents: number;
  /** Python functions and stacks the events named (see python-stacks.ts); id 0 = unknown. */
  readonly functions: readonly PyFunction[];
  readonly stacks: readonly PyStack[];
}
