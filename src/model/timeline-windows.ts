/**
 * A recording without its whole timeline: the builder is cut into windows as the events come
 * (TimelineBuilder.cutEvery); each window (a Timeline from the previous cut to this one, each
 * thread saying how its parts meet the windows around it: ThreadTimeline.window) is handed to
 * the sinks (the stats' StatsAccumulator, the HTML report's ReportAccumulator) and forgotten, so
 * memory follows a window, not the recording's length.
 *
 * What the sinks put together is the whole timeline's (tested against it on random event streams
 * and on every golden and third-party recording) but in three cases, all bounded on purpose:
 * - A thread of a Python process whose CPU state since its start is still unknown (no scheduler
 *   fact about it yet: an idle thread of a process giltrace attached to) holds a cut back, as the
 *   fact that comes may change what it was doing since its start; after MAX_POSTPONED_WINDOWS
 *   windows' worth of events the cut is made anyway, and that thread counts as asleep until its
 *   first fact (the model's guess when none ever comes).
 * - A thread of a process giltrace had a window of already, but that it learns belongs to it only
 *   after a cut (no record named its process before), has its part before the cut in the
 *   thread's numbers but not in the process's no-GIL estimate (`lateThreads` counts them).
 * - A process whose first GIL event comes more than OTHER_PROCESSES_HISTORY_NS after its start
 *   (a scheduler-only recording whose first inferred wait is late) has its threads' states from
 *   then on, the earlier part as it was at that point. Other processes' threads are kept that
 *   long because their first GIL event may still come; none is kept longer.
 */
import type { TimelineBuilder } from './build-timeline.js';
import type { TimelineState } from './growing-timeline.js';
import type { PythonStacks } from './python-stacks.js';
import type { Timeline } from './timeline.js';

/**
 * Events per window: small windows keep the model's arrays in the CPU's caches (64 K events ran
 * `stats` faster than 1 M, and in 125 MB instead of 180 on the bench recording).
 */
export const WINDOW_EVENTS = 1 << 16;
/** How long the threads of processes without GIL events are kept in case their first one comes (recording time). */
const OTHER_PROCESSES_HISTORY_NS = 5e9;
const MAX_POSTPONED_WINDOWS = 8;

/** What takes the windows, in time order. */
export interface WindowSink {
  /**
   * `last`: the recording's last window (a wait or hold still open ends in it). `anomalies`: the
   * model's counts by pid at the end, for processes the last window does not have.
   */
  add(window: Timeline, last: boolean, anomalies?: TimelineState['anomalies']): void;
}

export interface TimelineWindowsOptions {
  /** Absolute CLOCK_MONOTONIC ns of time 0 and the stacks the events name (FreezeOptions). */
  readonly timeBaseNs?: bigint;
  readonly stacks?: PythonStacks;
  readonly windowEvents?: number;
  /** Cuts held back by threads whose CPU state is unknown before one is made anyway (tests: Infinity). */
  readonly maxPostponed?: number;
  /**
   * Only this part of the recording (ns after its first event, `to` excluded): the recording is
   * cut at both ends, and only the windows between them are handed on, the one ending at `to`
   * as the last (a wait or hold going on there ends there).
   */
  readonly range?: { readonly from: number; readonly to: number };
  /**
   * With a range: no cut inside it, so that the range is handed on as one window (the exports,
   * which draw one timeline step for step, of a part of a long recording: memory follows the part).
   */
  readonly wholeRange?: boolean;
}

export class TimelineWindows {
  private from = -Infinity;
  /** Threads (ThreadWindow.key) and processes the windows had so far. */
  private readonly known = new Set<string>();
  private readonly knownPids = new Set<number>();
  private postponed = 0;
  /** Threads of a process seen before that came in late, their start before the window (see above). */
  lateThreads = 0;
  /** Windows handed on (with a range: those in it). */
  handedOn = 0;
  /** The range's last window was handed on: the later ones are not. */
  private rangeDone = false;
  private readonly maxPostponed: number;

  /** Cuts `builder` into windows from now on: make it before the first event is added. */
  constructor(
    private readonly builder: TimelineBuilder,
    private readonly sinks: readonly WindowSink[],
    private readonly options: TimelineWindowsOptions = {},
  ) {
    // a postponed cut is asked again every eighth of a window (cutEvery)
    this.maxPostponed = options.maxPostponed ?? 8 * MAX_POSTPONED_WINDOWS;
    const range = options.range;
    const offsets = range ? [range.from, range.to].filter((t) => t > 0 && Number.isFinite(t)) : [];
    builder.cutEvery(options.windowEvents ?? WINDOW_EVENTS, (time, forced) => this.cut(time, forced), offsets);
  }

  /** The last window (every event is in the builder). */
  finish(): void {
    const window = this.snapshot(undefined);
    if (this.inRange(window.end)) this.handOn(window, true, this.builder.anomalies);
  }

  /** A range's last window was handed on: the events after it are not needed. */
  get rangeEnded(): boolean {
    return this.rangeDone;
  }

  /** The recording's span so far (ns, from its first event to its latest). */
  get spanNs(): number {
    const { firstTime, lastTime } = this.builder;
    return firstTime === firstTime ? lastTime - firstTime : 0;
  }

  private cut(time: number, forced: boolean): boolean {
    const range = this.options.range;
    if (!forced && range && this.options.wholeRange && time > this.builder.firstTime + range.from) return false;
    if (!forced && this.postponed < this.maxPostponed && this.builder.cpuUnsettled()) {
      this.postponed++;
      return false;
    }
    this.postponed = 0;
    if (this.inRange(time)) {
      const window = this.snapshot(time);
      const last = this.options.range !== undefined && time >= this.builder.firstTime + this.options.range.to;
      this.handOn(window, last, last ? this.builder.anomalies : undefined);
    }
    this.builder.forgetBefore(time, time - OTHER_PROCESSES_HISTORY_NS);
    this.from = time;
    return true;
  }

  /** Whether the window from the last cut to `end` is one to hand on (all are without a range). */
  private inRange(end: number): boolean {
    const range = this.options.range;
    if (!range) return true;
    if (this.rangeDone) return false;
    const first = this.builder.firstTime;
    // windows before the range's start end at or before it (it is cut there)
    return end > first + range.from || (this.from === -Infinity && range.from <= 0);
  }

  private handOn(window: Timeline, last: boolean, anomalies?: TimelineState['anomalies']): void {
    this.handedOn++;
    if (last && this.options.range) this.rangeDone = true;
    for (const sink of this.sinks) sink.add(window, last, anomalies);
  }

  private snapshot(end: number | undefined): Timeline {
    const window = this.builder.snapshot({
      from: this.from,
      // a range's first window begins at its start for every thread (none was handed on before)
      knownThreads: this.options.range && this.handedOn === 0 ? undefined : this.known,
      // (a thread no window had that ended before the range: fast-check found one in a range report)
      ...(this.options.range ? { unknownFrom: this.builder.firstTime + this.options.range.from } : {}),
      ...(end !== undefined ? { end, continues: true } : {}),
      stacks: this.options.stacks,
      timeBaseNs: this.options.timeBaseNs,
    });
    for (const process of window.processes) {
      for (const thread of process.threads) {
        if (!thread.window || this.known.has(thread.window.key)) continue;
        this.known.add(thread.window.key);
        if (thread.start < this.from && this.knownPids.has(process.pid)) this.lateThreads++;
      }
    }
    for (const process of window.processes) this.knownPids.add(process.pid);
    return window;
  }
}
