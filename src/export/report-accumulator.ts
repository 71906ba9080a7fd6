/**
 * The HTML report's tracks gathered window by window (model/timeline-windows.ts) or from one whole
 * timeline (one window): each thread's GIL and CPU tracks, drops and the stack of every GIL step,
 * each GIL's holders and waiters, every thread's waits as a histogram. A window's tracks begin
 * with the step in force at its start (the one the window before ended in, or a change right
 * there): they are put together again step for step, so a recording read in windows gives the
 * report its whole timeline gives.
 *
 * The tracks are kept exactly as long as all of them together fit in `maxSteps`, with their
 * span counts at every power-of-two resolution. Past that, they are coarsened as they come
 * (coarse-steps.ts) to a few candidate resolutions around the one the whole recording is
 * expected to need (guessed from the share of it read: `progress`), each let go once its steps
 * stop fitting; at the end the finest resolution that fits is drawn, and when it is none of the
 * candidates left (a recording whose second half is far busier than its first, or no progress
 * told) `needsSecondReading` says so and the caller reads it again coarsened to `resolution()`
 * alone: the steps let go cannot be coarsened again without the ones around them. Memory: the
 * exact tracks up to the budget, then the candidates' coarse ones (each within the budget).
 */
import { DROP_FORCED, DROP_KNOWN, type ReportThread, type WaitHistogram } from '../contract/report-data.js';
import { gilStepStacks, holdStack, WaitBins, WaitJoiner } from '../analysis/index.js';
import type { TimelineState } from '../model/growing-timeline.js';
import type { PyFunction, PyStack } from '../model/python-stacks.js';
import { GilState, type GilTimeline, type ProcessTimeline, type ThreadTimeline, type Timeline } from '../model/timeline.js';
import type { WindowSink } from '../model/timeline-windows.js';
import { Anomaly } from '../model/anomalies.js';
import { DropThinner, MAX_RESOLUTION, REPORT_MAX_STEPS, resolutionFor, resolutionOf, SpanCounts, StepCoarsener, stepsAt, type CoarseSteps } from './coarse-steps.js';

export interface ReportAccumulatorOptions {
  /** Exact: the steps (and drops) kept at most before they are let go. Default REPORT_MAX_STEPS. */
  readonly maxSteps?: number;
  /** Coarsened as they come, at this resolution (ns). */
  readonly resolution?: number;
  /** Exact: the share of the recording read so far (0-1), when known: past the budget, the resolution it will need is guessed from it. */
  readonly progress?: () => number;
}

/** What the accumulator hands on: the report's tracks, ready to encode (report-data.ts). */
export interface GatheredReport {
  readonly timeBaseNs: bigint;
  readonly start: number;
  readonly end: number;
  readonly lostEvents: number;
  readonly resolutionNs: number | undefined;
  readonly processes: readonly GatheredProcess[];
  readonly functions: readonly PyFunction[];
  readonly stacks: readonly PyStack[];
}

export interface GatheredProcess {
  readonly pid: number;
  readonly start: number;
  readonly end: number;
  readonly anomalies: Readonly<Record<string, number>>;
  readonly threads: readonly GatheredThread[];
  readonly gils: readonly GatheredGil[];
}

export interface GatheredThread extends Pick<ReportThread, 'pid' | 'tid' | 'name' | 'start' | 'end' | 'gil'> {
  /** Values: GIL states; extra: the stack of each step. */
  readonly gilTrack: CoarseSteps;
  readonly cpuTrack: CoarseSteps;
  readonly drops: { readonly times: Float64Array; readonly flags: Uint8Array };
  readonly waitHistogram: WaitHistogram | undefined;
}

export interface GatheredGil {
  readonly key: string;
  readonly pid: number;
  readonly holders: CoarseSteps;
  readonly waiters: CoarseSteps;
}

/** A column of the report: a step track or a thread's drops. */
interface Column {
  /** Past the budget: lets go of the steps kept exactly, the certain ones coarsened to every candidate. */
  overflow(): void;
  /** Candidate `i` does not fit any more: its coarsened steps are let go. */
  dropCandidate(i: number): void;
}

/**
 * How the columns of one report are kept. Exactly while all of them fit in `maxSteps`, each
 * column's span counts kept as its steps come. Past it, a few candidate resolutions around the
 * one the recording is expected to need (from its span counts so far, and the share of it read:
 * `progress`) are coarsened to as the steps come; a candidate whose steps stop fitting is let go.
 * At the end the finest resolution that fits is drawn if it is a candidate still there (else
 * the recording must be read again at it). With `resolution` given: coarsened to it alone.
 */
class Keeping {
  private steps = 0;
  /** The exact steps did not fit. */
  over = false;
  /** The end of the window being added. */
  now = -Infinity;
  /** Every column's span counts (none when coarsening to a given resolution). */
  readonly spans: SpanCounts[] = [];
  candidates: readonly number[] = [];
  private live: boolean[] = [];
  private readonly columns: Column[] = [];

  constructor(
    readonly origin: number,
    readonly resolution: number | undefined,
    readonly maxSteps: number,
    private readonly progress: (() => number) | undefined,
  ) {
    if (resolution !== undefined) {
      this.candidates = [resolution];
      this.live = [true];
    }
  }

  /** Whether a column is kept exactly (as it begins, or still). */
  get exact(): boolean {
    return this.resolution === undefined && !this.over;
  }

  /** A new column: its span counts (undefined when coarsening to a given resolution). */
  join(column: Column): SpanCounts | undefined {
    this.columns.push(column);
    if (this.resolution !== undefined) return undefined;
    const counts = new SpanCounts(this.origin);
    this.spans.push(counts);
    return counts;
  }

  /** Coarseners for a column, one per candidate (undefined where let go). */
  coarseners<C>(make: (resolution: number) => C): (C | undefined)[] {
    return this.candidates.map((r, i) => (this.live[i] ? make(r) : undefined));
  }

  /** `n` more steps kept exactly: past the budget, the columns stream to the candidates. */
  keep(n: number): void {
    this.steps += n;
    if (this.over || this.steps <= this.maxSteps) return;
    this.over = true;
    // what is read so far fits at `finest`; the whole recording, guessed from the share read, at `expected`
    const finest = resolutionOf(this.spans, this.maxSteps)!;
    const share = this.progress?.() ?? 1;
    const projection = share > 0 && share < 1 ? { share, length: (this.now - this.origin) / share } : undefined;
    const expected = Math.max(finest, resolutionOf(this.spans, this.maxSteps, projection) ?? finest);
    // the one expected, and one each side (the coarser ones cost less: fewer spans a step)
    this.candidates = [expected / 2, expected, expected * 2].filter((r) => r >= finest && r <= MAX_RESOLUTION);
    this.live = this.candidates.map(() => true);
    for (const column of this.columns) column.overflow();
  }

  /** After a window: the candidates whose steps do not fit any more are let go. */
  review(): void {
    if (!this.over) return;
    this.candidates.forEach((resolution, i) => {
      if (!this.live[i] || resolution >= MAX_RESOLUTION || stepsAt(this.spans, resolution) <= this.maxSteps) return;
      this.live[i] = false;
      for (const column of this.columns) column.dropCandidate(i);
    });
  }

  /** The finest resolution that fits (undefined: exact), and which candidate has it (-1: none). */
  drawn(): { resolution: number | undefined; candidate: number } {
    if (this.resolution !== undefined) return { resolution: this.resolution, candidate: 0 };
    if (!this.over) return { resolution: undefined, candidate: -1 };
    const resolution = resolutionOf(this.spans, this.maxSteps)!;
    const i = this.candidates.indexOf(resolution);
    return { resolution, candidate: i >= 0 && this.live[i] ? i : -1 };
  }
}

/** A window's part of a track, from `from` (its first step may be the last part's) to `to`. */
interface Part {
  readonly times: Float64Array;
  readonly values: TrackValues;
  readonly extra: Int32Array | undefined;
  readonly from: number;
  to: number;
}

type TrackValues = Uint8Array | Uint16Array | Int32Array;

/**
 * One step track put together from its windows' parts. A whole track stops before its owner's
 * end (the thread's, or for a GIL its process's), keeping its first step whatever its time; a
 * window's part stops before the window's owner's end, which may grow in later windows (a live
 * thread's), and a GIL's goes on to the window's end (its process may have threads again later).
 * So a step at or after the owner's end as known so far is held back until the end grows past it
 * or the track is settled; so is the last step, whose extra a later part may correct. A step
 * not held back is certain: it is counted (span counts, the budget) and coarsened.
 *
 * Exactly, the parts are kept as the windows made them (no copy until the end). Coarsened, the
 * steps stream through a small queue of those held back.
 */
class TrackColumn implements Column {
  private lastValue = NaN;
  private hasLast = false;
  /** The owner's end as known so far. */
  private end = -Infinity;
  /** Exactly: the parts, and where the steps not certain yet begin (part, index). */
  private parts: Part[] | undefined;
  private certainPart = 0;
  private certainIndex = 0;
  /** Coarsened: the steps held back, how many were certain, and a coarsener per candidate. */
  private readonly held = new HeldSteps();
  private certain = 0;
  private coarse: (StepCoarsener | undefined)[] = [];
  private readonly spans: SpanCounts | undefined;
  private settled = false;
  /** Where the coarsened track's last span stops. */
  private coarseEnd = Infinity;

  constructor(private readonly keeping: Keeping, private readonly withExtra: boolean) {
    this.spans = keeping.join(this);
    if (keeping.exact) this.parts = [];
    else this.coarse = this.newCoarseners();
  }

  private newCoarseners(): (StepCoarsener | undefined)[] {
    return this.keeping.coarseners((r) => new StepCoarsener(this.keeping.origin, r, this.withExtra));
  }

  /**
   * A window's part, its owner ending at `end` in it. Its first step is the one the last part
   * ended in when the value is the same (tracks never repeat a value): then it is not a step of
   * its own. `lastExtra`: the last part's last step's extra after all (a hold's stack is known
   * once it ends).
   */
  add(times: Float64Array, values: TrackValues, extra: Int32Array | undefined, end: number, lastExtra?: number): void {
    if (end > this.end) this.end = end;
    const n = times.length;
    if (lastExtra !== undefined && this.hasLast) this.patchLast(lastExtra);
    const from = this.hasLast && n > 0 && values[0] === this.lastValue ? 1 : 0;
    if (n > 0) {
      this.lastValue = values[n - 1];
      this.hasLast = true;
    }
    if (this.parts) {
      if (from < n) this.parts.push({ times, values, extra, from, to: n });
      this.countCertain(false);
      return;
    }
    for (let i = from; i < n; i++) this.held.push(times[i], values[i], extra ? extra[i] : 0);
    this.giveCertain();
  }

  private patchLast(extra: number): void {
    if (this.parts) {
      const part = this.parts[this.parts.length - 1];
      if (part?.extra) part.extra[part.to - 1] = extra;
    } else this.held.patchLast(extra);
  }

  /** Exactly: counts the steps that are certain now (all when settled): span counts, then the budget. */
  private countCertain(all: boolean): void {
    const parts = this.parts!;
    const spans = this.spans!;
    let certain = 0;
    while (this.certainPart < parts.length) {
      const part = parts[this.certainPart];
      const lastPart = this.certainPart === parts.length - 1;
      if (this.certainIndex < part.from) this.certainIndex = part.from;
      const stop = lastPart && !all ? part.to - 1 : part.to;
      while (this.certainIndex < stop && (all || part.times[this.certainIndex] < this.end)) {
        spans.push(part.times[this.certainIndex]);
        this.certainIndex++;
        certain++;
      }
      if (this.certainIndex < part.to || lastPart) break;
      this.certainPart++;
      this.certainIndex = 0;
    }
    // past the budget the parts stream from here (overflow)
    this.keeping.keep(certain);
  }

  /** Coarsened: gives on the steps held back that are certain now. */
  private giveCertain(): void {
    const held = this.held;
    while (held.length > 1 && held.firstTime() < this.end) {
      this.give(held.firstTime(), held.firstValue(), held.firstExtra(), true);
      held.shift();
    }
  }

  private give(time: number, value: number, extra: number, count: boolean): void {
    this.certain++;
    if (count) this.spans?.push(time);
    for (const coarsener of this.coarse) coarsener?.push(time, value, extra);
  }

  overflow(): void {
    const parts = this.parts!;
    this.parts = undefined;
    this.coarse = this.newCoarseners();
    // the certain steps (counted already) to the coarseners, the others held back as if just added
    for (let p = 0; p < parts.length; p++) {
      const { times, values, extra, from, to } = parts[p];
      for (let i = from; i < to; i++) {
        const certain = p < this.certainPart || (p === this.certainPart && i < this.certainIndex);
        if (certain) this.give(times[i], values[i], extra ? extra[i] : 0, false);
        else this.held.push(times[i], values[i], extra ? extra[i] : 0);
      }
    }
    if (this.settled) this.settleHeld();
  }

  dropCandidate(i: number): void {
    this.coarse[i] = undefined;
  }

  /**
   * The last part was added; `end`: the owner's. From windows, steps at or after it are left out
   * but the track's first, as in a whole track (whose own steps are kept as they are).
   */
  settle(end: number, windowed: boolean): void {
    this.end = windowed ? end : Infinity;
    this.coarseEnd = end;
    this.settled = true;
    if (!this.parts) return this.settleHeld();
    const parts = this.parts;
    let steps = 0;
    for (const part of parts) steps += part.to - part.from;
    for (let p = parts.length - 1; p >= 0 && steps > 1; p--) {
      const part = parts[p];
      while (part.to > part.from && part.times[part.to - 1] >= this.end && steps > 1) {
        part.to--;
        steps--;
      }
      if (part.to > part.from) break;
    }
    this.countCertain(true);
  }

  private settleHeld(): void {
    const held = this.held;
    for (; held.length > 0; held.shift()) {
      if (held.firstTime() < this.end || this.certain === 0) this.give(held.firstTime(), held.firstValue(), held.firstExtra(), true);
    }
  }

  /** After settle: the exact track, or candidate `candidate`'s. */
  finish(candidate: number): CoarseSteps {
    if (this.parts) return concatParts(this.parts, this.withExtra);
    return this.coarse[candidate]!.finish(this.coarseEnd);
  }
}

/** A queue of steps (a track's held back: few, but pushed and shifted for every step). */
class HeldSteps {
  private times = new Float64Array(8);
  private values = new Int32Array(8);
  private extras = new Int32Array(8);
  private head = 0;
  private tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  push(time: number, value: number, extra: number): void {
    if (this.tail === this.times.length) this.makeRoom();
    this.times[this.tail] = time;
    this.values[this.tail] = value;
    this.extras[this.tail] = extra;
    this.tail++;
  }

  firstTime(): number {
    return this.times[this.head];
  }

  firstValue(): number {
    return this.values[this.head];
  }

  firstExtra(): number {
    return this.extras[this.head];
  }

  shift(): void {
    this.head++;
    if (this.head === this.tail) this.head = this.tail = 0;
  }

  patchLast(extra: number): void {
    if (this.tail > this.head) this.extras[this.tail - 1] = extra;
  }

  /** Moves the steps to the front, or doubles the room when more than half is in use. */
  private makeRoom(): void {
    const n = this.length;
    if (n * 2 > this.times.length) {
      const grow = <A extends Float64Array | Int32Array>(from: A, to: A): A => {
        to.set(from.subarray(this.head, this.tail));
        return to;
      };
      this.times = grow(this.times, new Float64Array(this.times.length * 2));
      this.values = grow(this.values, new Int32Array(this.values.length * 2));
      this.extras = grow(this.extras, new Int32Array(this.extras.length * 2));
    } else {
      this.times.copyWithin(0, this.head, this.tail);
      this.values.copyWithin(0, this.head, this.tail);
      this.extras.copyWithin(0, this.head, this.tail);
    }
    this.head = 0;
    this.tail = n;
  }
}

/** The parts' steps in one track of their own values' type. */
function concatParts(parts: readonly Part[], withExtra: boolean): CoarseSteps {
  let n = 0;
  for (const part of parts) n += part.to - part.from;
  const times = new Float64Array(n);
  const values: TrackValues = parts.length > 0 ? new (parts[0].values.constructor as new (n: number) => TrackValues)(n) : new Int32Array(0);
  const extra = withExtra ? new Int32Array(n) : undefined;
  let at = 0;
  for (const { times: t, values: v, extra: x, from, to } of parts) {
    times.set(t.subarray(from, to), at);
    values.set(v.subarray(from, to), at);
    if (extra && x) extra.set(x.subarray(from, to), at);
    at += to - from;
  }
  return { times, values, extra };
}

/** A thread's drops put together from its windows' (which never share one): all certain. */
class DropColumn implements Column {
  private exact: { times: number[]; flags: number[] } | undefined;
  private thinners: (DropThinner | undefined)[] = [];
  private readonly spans: SpanCounts | undefined;

  constructor(private readonly keeping: Keeping) {
    this.spans = keeping.join(this);
    if (keeping.exact) this.exact = { times: [], flags: [] };
    else this.thinners = this.newThinners();
  }

  private newThinners(): (DropThinner | undefined)[] {
    return this.keeping.coarseners((r) => new DropThinner(this.keeping.origin, r, DROP_FORCED));
  }

  add(thread: ThreadTimeline): void {
    for (const drop of thread.drops) {
      const flags = (drop.forced ? DROP_FORCED : 0) | (drop.known ? DROP_KNOWN : 0);
      this.spans?.push(drop.time);
      if (this.exact) {
        this.exact.times.push(drop.time);
        this.exact.flags.push(flags);
      } else for (const thinner of this.thinners) thinner?.push(drop.time, flags);
    }
    if (this.exact) this.keeping.keep(thread.drops.length);
  }

  overflow(): void {
    const { times, flags } = this.exact!;
    this.exact = undefined;
    this.thinners = this.newThinners();
    for (const thinner of this.thinners) for (let i = 0; i < times.length; i++) thinner?.push(times[i], flags[i]);
  }

  dropCandidate(i: number): void {
    this.thinners[i] = undefined;
  }

  finish(candidate: number): { times: Float64Array; flags: Uint8Array } {
    if (this.exact) return { times: Float64Array.from(this.exact.times), flags: Uint8Array.from(this.exact.flags) };
    return this.thinners[candidate]!.finish();
  }
}

class ThreadParts {
  start: number;
  end: number;
  /** GilTimeline.serial (or key) of the GIL it used, as its latest window said. */
  gil: number | string | undefined = undefined;
  /** Its name in a whole timeline; in windows, the names of its own its latest window gave. */
  name: string;
  names: ThreadTimeline['window'];
  readonly gilTrack: TrackColumn;
  readonly cpuTrack: TrackColumn;
  readonly drops: DropColumn;
  private readonly waits = new WaitBins();
  /** The GIL track's last step is charged to a hold still open (its stack not known yet). */
  private openHoldStep = false;
  private readonly joiner = new WaitJoiner();

  constructor(readonly pid: number, readonly tid: number, thread: ThreadTimeline, keeping: Keeping) {
    // its life from its start, but not before the report's (a range of a recording)
    this.start = Math.max(thread.window?.lifeStart ?? thread.start, keeping.origin);
    this.end = thread.end;
    this.name = thread.name;
    this.gilTrack = new TrackColumn(keeping, true);
    this.cpuTrack = new TrackColumn(keeping, false);
    this.drops = new DropColumn(keeping);
  }

  add(thread: ThreadTimeline, gil: number | string | undefined, stacks: readonly PyStack[], last: boolean): void {
    this.end = thread.end;
    this.name = thread.name;
    this.names = thread.window;
    if (gil !== undefined) this.gil = gil;
    const { gilTrack, cpuTrack } = thread;
    // the hold the last window's last step was charged to went on: its stack now, as far as known
    const heldStack = this.openHoldStep && thread.window?.holdContinues ? holdStack(thread, 0, stacks) : undefined;
    this.gilTrack.add(gilTrack.times, gilTrack.states, gilStepStacks(thread, stacks), thread.end, heldStack);
    this.openHoldStep = lastStepHasOpenHold(thread);
    this.cpuTrack.add(cpuTrack.times, cpuTrack.states, undefined, thread.end);
    this.drops.add(thread);
    // a wait that crosses a cut is counted once, whole
    this.joiner.add(thread, last, (length) => this.waits.add(length));
  }

  waitHistogram(): WaitHistogram | undefined {
    return this.waits.histogram(this.pid, this.tid);
  }

  nameWith(mainName: string | undefined): string {
    return this.names ? this.names.pythonName ?? this.names.osName ?? mainName ?? `thread ${this.tid}` : this.name;
  }
}

/**
 * Whether the thread's last GIL step (in a window) is a hold's that goes on after the window: the
 * hold gilStepStacks charges it to (the first that starts in it, zero-length ones skipped) is
 * the open one.
 */
function lastStepHasOpenHold(thread: ThreadTimeline): boolean {
  const { times, states } = thread.gilTrack;
  const last = states.length - 1;
  if (!thread.window?.holdOpen || last < 0 || states[last] !== GilState.holding) return false;
  const { starts, ends } = thread.holds;
  let h = 0;
  while (h < starts.length && (starts[h] < times[last] || !(ends[h] > starts[h]))) h++;
  return h === starts.length - 1;
}

class GilParts {
  key: string;
  readonly holders: TrackColumn;
  readonly waiters: TrackColumn;

  constructor(gil: GilTimeline, keeping: Keeping) {
    this.key = gil.key;
    this.holders = new TrackColumn(keeping, false);
    this.waiters = new TrackColumn(keeping, false);
  }

  /** @param end its process's in the window */
  add(gil: GilTimeline, end: number): void {
    this.key = gil.key;
    this.holders.add(gil.holders.times, gil.holders.tids, undefined, end);
    this.waiters.add(gil.waiters.times, gil.waiters.counts, undefined, end);
  }
}

class ProcessParts {
  start = Infinity;
  end = -Infinity;
  anomalies: Readonly<Record<string, number>> = {};
  windowed = false;
  mainName: string | undefined = undefined;
  readonly threads = new Map<string | ThreadTimeline, ThreadParts>();
  readonly gils = new Map<number | string, GilParts>();

  constructor(readonly pid: number) {}

  add(process: ProcessTimeline, stacks: readonly PyStack[], last: boolean, keeping: Keeping): void {
    this.anomalies = process.anomalies;
    if (process.mainName !== undefined) this.mainName = process.mainName;
    const serialOf = new Map<string, number | string>();
    if (process.threads.some((t) => t.window)) this.windowed = true;
    for (const gil of process.gils) {
      const id = gil.serial ?? gil.key;
      serialOf.set(gil.key, id);
      let parts = this.gils.get(id);
      if (!parts) this.gils.set(id, (parts = new GilParts(gil, keeping)));
      parts.add(gil, process.end);
    }
    for (const thread of process.threads) {
      // a whole timeline has each thread once (a reused tid too)
      const key = thread.window?.key ?? thread;
      let parts = this.threads.get(key);
      if (!parts) this.threads.set(key, (parts = new ThreadParts(process.pid, thread.tid, thread, keeping)));
      parts.add(thread, thread.gil === undefined ? undefined : serialOf.get(thread.gil) ?? thread.gil, stacks, last);
      if (parts.start < this.start) this.start = parts.start;
      if (parts.end > this.end) this.end = parts.end;
    }
  }

  /** Every part is in: each track's last step is kept or left out by its end. */
  settle(): void {
    for (const thread of this.threads.values()) {
      thread.gilTrack.settle(thread.end, this.windowed);
      thread.cpuTrack.settle(thread.end, this.windowed);
    }
    for (const gil of this.gils.values()) {
      gil.holders.settle(this.end, this.windowed);
      gil.waiters.settle(this.end, this.windowed);
    }
  }

  /** The model's counts at the end (a process the last window does not have counted on); threads without scheduler events are counted in finish. */
  countedByModel(anomalies: Readonly<Record<string, number>> | undefined): void {
    // a copy: the model goes on counting (past a range's end)
    if (anomalies) this.anomalies = { ...anomalies };
  }

  /** @param candidate the candidate resolution drawn (Keeping.drawn) */
  finish(candidate: number): GatheredProcess {
    const threads = [...this.threads.values()].sort((a, b) => a.start - b.start || a.tid - b.tid);
    const anomalies: Record<string, number> = { ...this.anomalies };
    if (this.windowed) {
      // a window counts the threads it has; threads the latest did not have were counted before
      delete anomalies[Anomaly.noSchedulerEvents];
      const without = threads.filter((t) => t.names?.noSchedulerEvents).length;
      if (without > 0) anomalies[Anomaly.noSchedulerEvents] = without;
    }
    const gilKey = (id: number | string | undefined) => (id === undefined ? undefined : this.gils.get(id)?.key ?? String(id));
    return {
      pid: this.pid,
      start: this.start,
      end: this.end,
      anomalies,
      threads: threads.map((t) => ({
        pid: t.pid,
        tid: t.tid,
        name: t.nameWith(this.mainName),
        start: t.start,
        end: t.end,
        gil: gilKey(t.gil),
        gilTrack: t.gilTrack.finish(candidate),
        cpuTrack: t.cpuTrack.finish(candidate),
        drops: t.drops.finish(candidate),
        waitHistogram: t.waitHistogram(),
      })),
      gils: [...this.gils.values()].map((g) => ({ key: g.key, pid: this.pid, holders: g.holders.finish(candidate), waiters: g.waiters.finish(candidate) })),
    };
  }
}

export class ReportAccumulator implements WindowSink {
  private keeping: Keeping | undefined;
  private readonly processes = new Map<number, ProcessParts>();
  private timeBaseNs = 0n;
  private start = Infinity;
  private end = -Infinity;
  private lostEvents = 0;
  private functions: readonly PyFunction[] = [];
  private stacks: readonly PyStack[] = [];

  constructor(private readonly options: ReportAccumulatorOptions = {}) {}

  add(window: Timeline, last: boolean, anomalies?: TimelineState['anomalies']): void {
    // spans are counted from the recording's start: the first window's
    this.keeping ??= new Keeping(window.start, this.options.resolution, this.options.maxSteps ?? REPORT_MAX_STEPS, this.options.progress);
    this.keeping.now = window.end;
    this.timeBaseNs = window.timeBaseNs;
    if (window.start < this.start) this.start = window.start;
    if (window.end > this.end) this.end = window.end;
    if (window.lostEvents > this.lostEvents) this.lostEvents = window.lostEvents;
    // the stack table only grows: the latest has every id the windows used
    this.functions = window.functions;
    this.stacks = window.stacks;
    for (const process of window.processes) {
      let parts = this.processes.get(process.pid);
      if (!parts) this.processes.set(process.pid, (parts = new ProcessParts(process.pid)));
      parts.add(process, window.stacks, last, this.keeping);
    }
    if (anomalies) for (const [pid, parts] of this.processes) parts.countedByModel(anomalies.get(pid));
    if (last) for (const parts of this.processes.values()) parts.settle();
    this.keeping.review();
  }

  /**
   * The tracks did not fit exactly and the resolution they fit at is none of those coarsened to
   * as they came (known once the last window is in): read the recording again at resolution().
   */
  get needsSecondReading(): boolean {
    return this.keeping !== undefined && this.keeping.drawn().candidate < 0 && this.keeping.over;
  }

  /** The finest resolution at which the tracks fit the budget (undefined: they fit exactly). */
  resolution(): number | undefined {
    return this.keeping?.drawn().resolution;
  }

  /** After the last window (and not needsSecondReading). */
  finish(): GatheredReport {
    const processes = [...this.processes.values()].sort((a, b) => a.start - b.start || a.pid - b.pid);
    const drawn = this.keeping?.drawn() ?? { resolution: undefined, candidate: -1 };
    return {
      timeBaseNs: this.timeBaseNs,
      start: this.start === Infinity ? 0 : this.start,
      end: this.end === -Infinity ? 0 : this.end,
      lostEvents: this.lostEvents,
      resolutionNs: drawn.resolution,
      processes: processes.map((p) => p.finish(drawn.candidate)),
      functions: this.functions,
      stacks: this.stacks,
    };
  }
}

/**
 * A whole timeline's report tracks: exact within `maxSteps`, else coarsened to the finest
 * resolution that fits. Its steps are all there: their spans are counted first, so it is
 * gathered once (as a recording read window by window gathers it).
 */
export function gatherReport(timeline: Timeline, maxSteps = REPORT_MAX_STEPS): GatheredReport {
  const resolution = resolutionFor(timeColumns(timeline), timeline.start, maxSteps);
  const report = new ReportAccumulator(resolution === undefined ? { maxSteps: Infinity } : { resolution });
  report.add(timeline, true);
  return report.finish();
}

/** The times of every track and every thread's drops: the report's columns. */
function timeColumns(timeline: Timeline): Float64Array[] {
  return timeline.processes.flatMap((process) => [
    ...process.threads.flatMap((t) => [t.gilTrack.times, t.cpuTrack.times, Float64Array.from(t.drops, (d) => d.time)]),
    ...process.gils.flatMap((g) => [g.holders.times, g.waiters.times]),
  ]);
}
