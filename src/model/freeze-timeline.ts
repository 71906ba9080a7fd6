/**
 * A frozen Timeline from the builder's state: keeps the processes that used a GIL, closes every
 * thread's life (at its exit or the end of the recording), names threads and copies the growable
 * tracks into exact-length typed arrays. It copies and never changes the state, so a recording
 * that is still growing can be frozen again and again (a live view), and with `from` only the
 * window [from, end] is copied: its cost follows the window, not the whole recording.
 */
import { Anomaly } from './anomalies.js';
import type { StepBuilder } from './step-builder.js';
import { CPU_UNKNOWN, type GrowingGil, type GrowingThread, type TimelineState } from './growing-timeline.js';
import { PythonStacks, UNKNOWN_STACK } from './python-stacks.js';
import { CpuState, GilState, type GilTimeline, type ProcessTimeline, type ThreadTimeline, type Timeline } from './timeline.js';

export interface FreezeOptions {
  /** Absolute CLOCK_MONOTONIC ns of time 0 (copied to Timeline.timeBaseNs); default 0n. */
  readonly timeBaseNs?: bigint;
  /**
   * Recording start (relative ns) when known: earlier events are moved to it. perf writes
   * records for the threads that already exist (fork, comm) when it starts, before the first
   * sample: they say the thread exists at the start, not when it began.
   */
  readonly start?: number;
  /** Recording end when known; widened to cover every event. */
  readonly end?: number;
  /** The stacks the events' stack ids point into (the adapter's); none: every stack is unknown. */
  readonly stacks?: PythonStacks;
  /**
   * Only the window from this time on: lives, tracks, waits and holds are cut at it, threads
   * and drops before it left out (the live view's last second, or one window of a recording
   * analysed window by window), and each thread says how its parts meet the windows around
   * (ThreadTimeline.window); -Infinity: a first window. Default: the whole recording.
   */
  readonly from?: number;
  /**
   * With `from`: the threads earlier windows had (ThreadWindow.key). Another thread is copied
   * from as early as the builder kept it (TimelineBuilder.forgetBefore): one whose process's
   * first GIL event came after the last cut, or whose process was learnt of only then.
   */
  readonly knownThreads?: ReadonlySet<string>;
  /**
   * With `knownThreads`: where another thread's life is copied from at the earliest (a range's
   * start: a thread that ended before it is no part of the range, though no window had it).
   */
  readonly unknownFrom?: number;
  /**
   * With `from`: more windows follow (the recording goes on after `end`). A process's GIL tracks
   * then go on to the window's end, not its threads' latest: the process may have threads again
   * in a later window, and its GIL's changes in between are in its whole timeline.
   */
  readonly continues?: boolean;
  /**
   * The builder is done (finish): each track and list is emptied once copied, so that the
   * frozen copy takes the builder's memory as it grows instead of coming on top of all of it.
   */
  readonly release?: boolean;
  /**
   * With `release`: collects garbage (the caller's way; the model has none) before freezing and
   * whenever RELEASED_PER_COLLECTION more bytes were given back. V8 would not collect on its own
   * before the copy is done: the frozen copy's memory would come on top of the builder's.
   */
  readonly collect?: () => void;
}

const RELEASED_PER_COLLECTION = 16 << 20;

export function freezeTimeline(state: TimelineState, options: FreezeOptions): Timeline {
  const span = recordingSpan(state, options);
  const { end } = span;
  const windowed = options.from !== undefined;
  const from = windowed && options.from! > span.start ? Math.min(options.from!, end) : -Infinity;
  const start = Math.max(span.start, from);
  let released = 0;
  const release = (bytes: number): void => {
    released += bytes;
    if (released < RELEASED_PER_COLLECTION) return;
    released = 0;
    options.collect?.();
  };
  if (options.release) options.collect?.();
  const byPid = new Map<number, GrowingThread[]>();
  for (const thread of [...state.retired, ...state.threads.values()]) {
    if (!thread.started || !state.gilPids.has(thread.pid)) {
      if (options.release) release(releaseThread(thread));
      continue;
    }
    let list = byPid.get(thread.pid);
    if (!list) byPid.set(thread.pid, (list = []));
    list.push(thread);
  }
  const gilsByPid = new Map<number, GrowingGil[]>();
  for (const gil of state.gils.values()) {
    let list = gilsByPid.get(gil.pid);
    if (!list) gilsByPid.set(gil.pid, (list = []));
    list.push(gil);
  }

  const processes: ProcessTimeline[] = [];
  for (const [pid, growingThreads] of byPid) {
    const anomalies = { ...state.anomalies.get(pid) };
    const mainName = growingThreads.find((t) => t.tid === pid)?.osName;
    const threads: ThreadTimeline[] = [];
    for (const growing of growingThreads) {
      const known = !options.knownThreads || options.knownThreads.has(threadWindowKey(growing));
      const thread = freezeThread(state, growing, windowed ? (known ? from : (options.unknownFrom ?? -Infinity)) : undefined, end, mainName, anomalies);
      if (options.release) release(releaseThread(growing));
      if (thread) threads.push(thread);
    }
    if (threads.length === 0) continue;
    threads.sort((a, b) => a.start - b.start || a.tid - b.tid);
    let processStart = Infinity;
    let processEnd = -Infinity;
    for (const thread of threads) {
      if (thread.start < processStart) processStart = thread.start;
      if (thread.end > processEnd) processEnd = thread.end;
    }
    const gils = (gilsByPid.get(pid) ?? []).map((gil) => {
      const frozen = freezeGil(gil, from, windowed && options.continues ? end : processEnd);
      if (options.release) release(gil.holders.release() + gil.waiters.release());
      return frozen;
    });
    processes.push({ pid, start: processStart, end: processEnd, threads, gils, anomalies, ...(windowed && mainName !== undefined ? { mainName } : {}) });
  }
  processes.sort((a, b) => a.start - b.start || a.pid - b.pid);
  const stacks = options.stacks ?? new PythonStacks();
  return {
    timeBaseNs: options.timeBaseNs ?? 0n, start, end, processes, lostEvents: state.lostEvents,
    functions: [...stacks.functions], stacks: [...stacks.stacks],
  };
}

/** Bytes given back. */
function releaseThread(thread: GrowingThread): number {
  let bytes = thread.gilTrack.release() + thread.cpuTrack.release();
  for (const list of [thread.waits, thread.waitStarts, thread.waitStacks, thread.holdStarts, thread.holdEnds, thread.holdStacks, thread.holdAcquiredStacks]) bytes += list.release();
  return bytes;
}

function recordingSpan(state: TimelineState, options: FreezeOptions): { start: number; end: number } {
  const first = state.firstTime;
  const last = state.lastTime;
  const hasEvents = first === first;
  let start = options.start !== undefined && Number.isFinite(options.start) ? options.start : hasEvents ? first : 0;
  if (hasEvents && first < start) start = first;
  let end = options.end !== undefined && Number.isFinite(options.end) ? options.end : hasEvents ? last : start;
  if (hasEvents && last > end) end = last;
  if (end < start) end = start;
  return { start, end };
}

/** @param window the window's start (-Infinity: the first window); undefined: the whole recording */
function freezeThread(
  state: TimelineState,
  growing: GrowingThread,
  window: number | undefined,
  recordingEnd: number,
  mainName: string | undefined,
  anomalies: Record<string, number>,
): ThreadTimeline | undefined {
  const from = window ?? -Infinity;
  const end = growing.alive ? recordingEnd : growing.end;
  // one that ended at the window's very start may end a wait or hold of the previous window
  if (end < from) return undefined; // over before the window
  const start = Math.max(growing.start, from);
  const touchedGil = growing.gil !== undefined || growing.drops.length > 0;
  // only known to have exited: nothing to show (a life in earlier windows is shown to its end)
  if (end <= growing.start && !touchedGil) return undefined;
  // A wait still open at the end of the recording ran at least until then; so did a hold.
  const openWait = growing.alive && growing.gilState === GilState.waiting;
  const openHold = growing.alive && growing.gilState === GilState.holding;
  const firstWait = firstWaitIn(growing, from);
  const firstHold = firstHoldIn(growing, from);
  const waitContinues = firstWaitStart(growing, firstWait, openWait) < from;
  const holdContinues = firstHoldStart(growing, firstHold, openHold) < from;
  const waits = freezeWaits(growing, firstWait, from, end, openWait);
  const holds = freezeHolds(growing, firstHold, from, end, openHold);
  // No CPU fact at all: in a recording with scheduler events the thread never ran (a runnable
  // one would have been switched in), so it slept; without them, running is the guess.
  const neverRan = growing.cpuState === CPU_UNKNOWN && state.sawScheduler;
  const noSchedulerEvents = !growing.schedSeen && !neverRan;
  if (noSchedulerEvents) {
    // e.g. a recording of GIL probes only: CPU states are a guess (running), say so.
    anomalies[Anomaly.noSchedulerEvents] = (anomalies[Anomaly.noSchedulerEvents] ?? 0) + 1;
  }
  const unknownCpu = neverRan ? CpuState.sleeping : CpuState.running;
  const cpuTrack = growing.cpuState === CPU_UNKNOWN
    ? { times: Float64Array.of(start), states: Uint8Array.of(unknownCpu) }
    : stepTrack(growing.cpuTrack, from, end);
  const drops = from === -Infinity ? growing.drops.slice() : growing.drops.filter((drop) => drop.time >= from);
  const releases = growing.releases.length === 0 ? undefined : growing.releases.filter((release) => release.time >= from);
  return {
    pid: growing.pid,
    tid: growing.tid,
    name: growing.pythonName ?? growing.osName ?? mainName ?? `thread ${growing.tid}`,
    start,
    end,
    gil: growing.gil?.key,
    gilTrack: stepTrack(growing.gilTrack, from, end),
    cpuTrack,
    drops,
    ...(releases ? { releases } : {}),
    // every acquisition starts a hold: in a window, the holds it saw start
    acquisitions: window === undefined ? growing.acquisitions : holds.starts.length - (holdContinues ? 1 : 0),
    ...waits,
    holds,
    ...(window !== undefined ? { window: { key: threadWindowKey(growing), lifeStart: growing.start, waitContinues, holdContinues, waitOpen: openWait, holdOpen: openHold, pythonName: growing.pythonName, osName: growing.osName, noSchedulerEvents } } : {}),
  };
}

function threadWindowKey(thread: GrowingThread): string {
  return `${thread.tid}#${thread.incarnation}`;
}

/*
 * In a window [from, end), the waits and holds that end at or after `from` (one that ends at the
 * window's very start is the end of the previous window's open one), the open one last.
 */

function firstWaitIn(growing: GrowingThread, from: number): number {
  let first = 0;
  while (first < growing.waits.length && growing.waitStarts.at(first) + growing.waits.at(first) < from) first++;
  return first;
}

function firstHoldIn(growing: GrowingThread, from: number): number {
  let first = 0;
  while (first < growing.holdEnds.length && growing.holdEnds.at(first) < from) first++;
  return first;
}

/** Start of the window's first wait (index `first`, or the open one), before it is cut at the window's start (Infinity: none). */
function firstWaitStart(growing: GrowingThread, first: number, open: boolean): number {
  return first < growing.waits.length ? growing.waitStarts.at(first) : open ? growing.waitStart : Infinity;
}

function firstHoldStart(growing: GrowingThread, first: number, open: boolean): number {
  return first < growing.holdEnds.length ? growing.holdStarts.at(first) : open ? growing.holdStart : Infinity;
}

/** @param first the first wait in the window (firstWaitIn: waits of a thread never overlap, their ends rise with their starts) */
function freezeWaits(growing: GrowingThread, first: number, from: number, end: number, open: boolean): Pick<ThreadTimeline, 'waits' | 'waitStarts' | 'waitStacks'> {
  const waits = growing.waits.copy(first, ...(open ? [end - growing.waitStart] : []));
  const waitStarts = growing.waitStarts.copy(first, ...(open ? [growing.waitStart] : []));
  const waitStacks = growing.waitStacks.copy(first, ...(open ? [growing.waitStack] : []));
  clipStart(waitStarts, waits, from);
  return { waits, waitStarts, waitStacks };
}

/** The first interval, when it began before the window, is cut at the window's start. */
function clipStart(starts: Float64Array, lengths: Float64Array, from: number): void {
  if (starts.length > 0 && starts[0] < from) {
    lengths[0] -= from - starts[0];
    starts[0] = from;
  }
}

function freezeHolds(growing: GrowingThread, first: number, from: number, end: number, open: boolean): ThreadTimeline['holds'] {
  const starts = growing.holdStarts.copy(first, ...(open ? [growing.holdStart] : []));
  if (starts.length > 0 && starts[0] < from) starts[0] = from;
  return {
    starts,
    ends: growing.holdEnds.copy(first, ...(open ? [end] : [])),
    stacks: growing.holdStacks.copy(first, ...(open ? [UNKNOWN_STACK] : [])),
    acquiredIn: growing.holdAcquiredStacks.copy(first, ...(open ? [growing.holdAcquiredIn] : [])),
  };
}

function stepTrack(track: StepBuilder, from: number, end: number): { times: Float64Array; states: Uint8Array } {
  const { times, values } = track.window(from, end, (n) => new Uint8Array(n));
  return { times, states: values };
}

function freezeGil(gil: GrowingGil, from: number, end: number): GilTimeline {
  const holders = gil.holders.window(from, end, (n) => new Int32Array(n));
  const waiters = gil.waiters.window(from, end, (n) => new Uint16Array(n));
  return {
    key: gil.key,
    serial: gil.serial,
    pid: gil.pid,
    holders: { times: holders.times, tids: holders.values },
    waiters: { times: waiters.times, counts: waiters.values },
  };
}
