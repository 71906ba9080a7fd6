/**
 * What the model consumes: GIL probe hits and scheduler facts, already decoded from perf
 * records (see perf-to-timeline-events.ts), in non-decreasing `time` order.
 * Times are float64 nanoseconds relative to the recording's time base.
 */
import type { CpuAtAttach } from '../contract/recording-manifest.js';

/** Why a thread dropped the GIL: asked to by a waiter (switch interval) or of its own accord. */
export type DropReason = 'forced' | 'voluntary' | 'unknown';

/** Scheduler's view of a thread when it is switched out (from sched_switch prev_state). */
export type SwitchOutState = 'runnable' | 'sleeping' | 'blocked' | 'dead';

export type TimelineEvent =
  /**
   * take_gil entered: the thread starts wanting the GIL of interpreter `gil`, in the Python stack
   * `stack` (an id of the adapter's PythonStacks; 0 = unknown).
   */
  | { readonly kind: 'take_enter'; readonly time: number; readonly pid: number; readonly tid: number; readonly gil: string; readonly stack: number }
  /** take_gil returned: the thread holds the GIL it asked for. */
  | { readonly kind: 'take_return'; readonly time: number; readonly pid: number; readonly tid: number }
  /** drop_gil entered: the thread gives the GIL up (it may block inside drop_gil; that is not holding), in `stack`. */
  | { readonly kind: 'drop'; readonly time: number; readonly pid: number; readonly tid: number; readonly reason: DropReason; readonly stack: number }
  /**
   * Scheduler-only recordings (no GIL probes, `--call-graph dwarf` scheduler recordings): the thread was switched
   * out with take_gil on its user stack, so it waits for the GIL from here. Inferred, not
   * observed: nothing says when it got the GIL, only when it ran again (`inferred_wait_end`).
   * Follows the `switch` event that put the thread off-CPU, at the same time.
   */
  | {
      readonly kind: 'inferred_wait_start';
      readonly time: number;
      readonly pid: number;
      readonly tid: number;
      readonly gil: string;
      /** Where it waits, when known (sampled recordings); else where it last gave the GIL up. */
      readonly stack?: number;
    }
  /** The thread of an inferred wait is switched in again: the wait ends (no acquisition is implied). */
  | { readonly kind: 'inferred_wait_end'; readonly time: number; readonly pid: number; readonly tid: number }
  /** sched_switch. prevTid/nextTid 0 is the idle task. */
  | {
      readonly kind: 'switch';
      readonly time: number;
      readonly cpu: number;
      readonly prevTid: number;
      readonly prevState: SwitchOutState;
      readonly nextTid: number;
    }
  /**
   * sched_waking: the thread becomes runnable (it was sleeping or blocked); `by`, the thread in
   * whose context it came (on a CPU then), when known.
   */
  | { readonly kind: 'waking'; readonly time: number; readonly tid: number; readonly by?: number }
  /**
   * A new thread or process (fork/clone). pid is the thread group of the child. `existing`: perf's
   * note, written before the first sample, of a thread that already existed when the recording
   * began (an attached process's threads): its life in the recording starts, it did not begin.
   * `parentTid`: of a new process, the thread that forked it (the child's only thread goes on as
   * it, with its names: a forked Python's current thread keeps its threading name).
   */
  | { readonly kind: 'thread_start'; readonly time: number; readonly pid: number; readonly tid: number; readonly parentPid: number; readonly existing?: boolean; readonly parentTid?: number }
  | { readonly kind: 'thread_exit'; readonly time: number; readonly pid: number; readonly tid: number }
  /** A thread got a name: the OS comm, or the Python threading name when known. */
  | {
      readonly kind: 'thread_name';
      readonly time: number;
      readonly pid: number;
      readonly tid: number;
      readonly name: string;
      readonly source: 'os' | 'python';
      /** An OS name from an exec: the thread runs another program now, its Python name was the old one's. */
      readonly exec?: boolean;
    }
  /**
   * An attached thread's CPU state as giltrace saw it when it attached (from /proc: a thread it saw
   * holding or waiting for a GIL): what it was since the recording's start, unless a scheduler
   * event of its own said otherwise first.
   */
  | { readonly kind: 'cpu_at_attach'; readonly time: number; readonly pid: number; readonly tid: number; readonly state: CpuAtAttach }
  /**
   * An attached thread neither holding nor waiting for a GIL when giltrace attached: the Python
   * stack it was in, where it let the GIL go (its first wait asks for it there, no drop of its
   * own having said so yet).
   */
  | { readonly kind: 'stack_at_attach'; readonly time: number; readonly pid: number; readonly tid: number; readonly stack: number }
  /**
   * Sampled recordings: the thread, without the GIL before and after, is in `stack` from here (it
   * took the GIL and let it go again between two looks, unseen: a lock, then a sleep), so its
   * time without the GIL from here was begun there (analysis/released-time.ts).
   */
  | { readonly kind: 'released_at'; readonly time: number; readonly pid: number; readonly tid: number; readonly stack: number }
  /** The recording lost `count` events around `time` (perf buffer overrun). */
  | { readonly kind: 'lost'; readonly time: number; readonly count: number };

/**
 * Where the adapter puts the events it decodes: the frequent kinds as calls with plain numbers
 * (no object per event: a big recording has millions of them), every other kind as a
 * TimelineEvent. Calls come in the events' order; the TimelineBuilder is one, and so is a
 * collector that turns the calls back into TimelineEvents (TimelineEventAdapter.events).
 */
export interface TimelineSink {
  takeEnter(time: number, pid: number, tid: number, gil: string, stack: number): void;
  takeReturn(time: number, pid: number, tid: number): void;
  drop(time: number, pid: number, tid: number, reason: DropReason, stack: number): void;
  /** sched_switch (see the `switch` event). */
  schedSwitch(time: number, cpu: number, prevTid: number, prevState: SwitchOutState, nextTid: number): void;
  /** `by`: the thread that woke it (the sample's own thread), when known. */
  waking(time: number, tid: number, by?: number): void;
  /** Any event, of any kind (the rare ones come only this way). */
  add(event: TimelineEvent): void;
}
