/**
 * A sampled recording (contract/sampled-recording.ts) → the TimelineEvents an exact recording
 * gives, so the builder, the analysis and every export work on it unchanged. A thread's state
 * lasts from the tick that first saw it to the tick that saw it change: each change is placed at
 * the tick that saw it, so a state's length is estimated to within a tick at each end.
 *
 * The events per change keep the builder's promises: takes and drops happen on a CPU (the thread
 * is switched in first, at the same time, when it was not), a hold ends only by a drop; waits are
 * marked as scheduler-only recordings mark theirs (see GIL_STEPS).
 */
import { GiltraceError } from '../base/errors.js';
import { SAMPLED_MAGIC, STACK_EVERY_TICKS, type SampledCpu, type SampledGil, type SampledHeader } from '../contract/sampled-recording.js';
import { PythonStacks, UNKNOWN_STACK } from './python-stacks.js';
import { HolderSamplesBuilder, NO_STACK_SAMPLE, type HolderSamples } from './holder-samples.js';
import { internStackLine, parseSampledHeader, readSourceLine, readInstructionLines, internStackAtLine } from './sampled-lines.js';

export { parseSampledHeader } from './sampled-lines.js';
import type { TimelineEvent } from './timeline-events.js';

export interface SampledProcess {
  readonly pid: number;
  readonly minor: number;
  readonly file: string;
  /** Its command line when it was first sampled (A line). */
  command?: readonly string[];
}

export interface SampledRecording {
  readonly header: SampledHeader;
  readonly events: TimelineEvent[];
  /** The Python stacks the holds ended in (function context), for buildTimeline. */
  readonly stacks: PythonStacks;
  readonly processes: readonly SampledProcess[];
  /** untilExec: it was sampled once it ran another program (a Python 2 that exec'd a Python 3). */
  readonly notSampled: readonly { readonly pid: number; readonly why: string; readonly untilExec?: boolean }[];
  /** What the sampler could not see of a process (W lines). */
  readonly warnings: readonly string[];
  readonly ticks: number;
  readonly lateTicks: number;
  /** CPU time the sampler used, ns (when it said). */
  readonly samplerCpuNs?: number;
  /** The longest period between due ticks (R lines: the sampler slowed to keep within its CPU budget); absent: never slowed. */
  readonly slowestPeriodNs?: number;
  /** No end line: giltrace was killed while sampling; the recording stops at its last line. */
  readonly cutShort: boolean;
  /** The recording's end (the E line, or the last line): threads alive then did not exit, sampling ended. */
  readonly endTime: number;
  /** What the holders ran, read at every few ticks (H lines; recordings since 12-05): the analysis shares held time by them. */
  readonly holderSamples?: HolderSamples;
}

export function isSampledRecording(firstBytes: Uint8Array): boolean {
  const magic = SAMPLED_MAGIC + '\n';
  if (firstBytes.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (firstBytes[i] !== magic.charCodeAt(i)) return false;
  return true;
}

type BuilderCpu = SampledCpu | 'unknown';

interface ThreadView {
  readonly pid: number;
  gil: SampledGil;
  /** The stack it last held the GIL in (id in the recording's PythonStacks). */
  stack: number;
  cpu: BuilderCpu;
  gilIndex: number;
  /** The tick of its last S line: whatever it did since came after that. */
  seenAt: number;
  /** Where its last GIL or CPU event was placed: a wait for a CPU told later begins after it. */
  placedAt: number;
}

/** Reads the text of a sampled recording; `file` names it in errors. */
export function readSampledRecording(text: string, file: string): SampledRecording {
  const lines = text.split('\n');
  const reader = new SampledRecordingReader(parseSampledHeader(lines, file), file);
  for (let i = 2; i < lines.length; i++) reader.line(lines[i], i + 1);
  return reader.finish();
}

/**
 * A sampled recording read line by line: a whole file (readSampledRecording), or one still being
 * written (`giltrace top --sample`), whose events are taken as they can no longer move
 * (takeEvents: a tick places its changes up to the time since a thread's previous look before it).
 */
export class SampledRecordingReader {
  /** Events not taken yet, in the order they were made (placed times may go back: see takeEvents). */
  private pending: TimelineEvent[] = [];
  private readonly processes: SampledProcess[] = [];
  private readonly notSampled: { pid: number; why: string; untilExec?: boolean }[] = [];
  private readonly warnings: string[] = [];
  private readonly threads = new Map<number, ThreadView>();
  private readonly firstTick = new Map<number, number>();
  private readonly attached: ReadonlySet<number>;
  private readonly stacks = new PythonStacks();
  /** The file's stack ids → ids in `stacks`. */
  private readonly stackIds = new Map<number, number>([[0, UNKNOWN_STACK]]);
  /** When ticks are due, ns apart: the header's rate, or the latest R line's. */
  private periodNs: number;
  private ticks = 0;
  private lateTicks = 0;
  private samplerCpuNs: number | undefined;
  private slowestPeriodNs: number | undefined;
  private cutShort = true;
  private endTime = 0;
  private eventCount = 0;
  /** The longest time back a change was placed from its tick so far. */
  private maxPlacedBack = 0;
  /** Threads whose X line said they held at their tick's snapshot (see exit). */
  private readonly endedHolding = new Set<number>();
  // One tick's changes share a time: releases go first, so that a hand-off between two threads
  // seen at one tick is a drop then a take, never two holders at once.
  private readonly tick: TickChange[] = [];
  /** Threads gone at the tick, ended once its changes are made, with the ns since each was last seen there (0: not said). */
  private readonly exits: { readonly tid: number; readonly since: number }[] = [];
  /** The latest time events were taken up to. */
  private takenUpTo = -Infinity;
  /** The time of the lines being read (a tick's lines share it). */
  private tickAt = Number.NaN;
  /** Threads that waited for a CPU since their previous look, told at the tick being read (Q lines). */
  private readonly queued = new Map<number, { readonly queuedNs: number; readonly since: number }>();

  private readonly holders: HolderSamplesBuilder;

  constructor(readonly header: SampledHeader, private readonly file: string) {
    this.periodNs = 1e9 / header.hz;
    this.holders = new HolderSamplesBuilder(header.hz / STACK_EVERY_TICKS);
    this.attached = new Set((header.attached ?? []).map((p) => p.pid));
  }

  /** Ticks a second due now: the header's rate, or the latest R line's (the sampler slowed to keep within its CPU budget). */
  get tickHz(): number {
    return 1e9 / this.periodNs;
  }

  /** The latest time a line gave, ns since the recording's time base. */
  get latestTime(): number {
    return this.endTime;
  }

  /**
   * How far before the latest line an event may still be placed: the longest placement back seen
   * so far, and a tick. Events older than that can be taken (a thread unseen for longer than any
   * before, a pool of idle threads grown meanwhile, may still come earlier: takeEvents clamps it).
   */
  get settleNs(): number {
    return this.maxPlacedBack + 2 * this.periodNs;
  }

  /** One line after the header; `lineNumber` (from 1) names it in errors. */
  line(line: string, lineNumber: number): void {
    if (line.length === 0) return;
    if (line[0] === 'F') {
      const [fileId, stack] = internStackLine(line, this.stacks);
      this.stackIds.set(fileId, stack);
      return;
    }
    if (line[0] === 'L') {
      readSourceLine(line, this.stacks, this.stackIds);
      return;
    }
    if (line[0] === 'B') {
      readInstructionLines(line, this.stacks, this.stackIds);
      return;
    }
    if (line[0] === 'K') {
      internStackAtLine(line, this.stacks, this.stackIds);
      return;
    }
    const { threads, tick, stackIds } = this;
    const file = this.file;
    const fields = line.split(' ');
    const time = Number(fields[1]);
    if (!Number.isFinite(time)) throw new GiltraceError(`line ${lineNumber} has no time: ${line.slice(0, 80)}`, { file });
    if (time !== this.tickAt) {
      this.flushTick();
      this.tickAt = time;
    }
    this.endTime = Math.max(this.endTime, time);
    this.holders.tick(time);
    const pid = Number(fields[2]);
    switch (line[0]) {
      case 'H': {
        const id = Number(fields[4]);
        this.holders.sample(time, pid, Number(fields[3]), id === 0 ? NO_STACK_SAMPLE : (this.stackIds.get(id) ?? NO_STACK_SAMPLE), Number(fields[5]), Number(fields[6] ?? 0));
        break;
      }
      case 'P': {
        this.processes.push({ pid, minor: Number(fields[3]), file: fields.slice(4).join(' ') });
        // not sampled as the program it ran first (a Python 2 that exec'd a Python 3)
        for (const u of this.notSampled) if (u.pid === pid) u.untilExec = true;
        this.firstTick.set(pid, time);
        break;
      }
      case 'A': {
        // the latest P line of the pid (a process that exec'd has one a program)
        const process = [...this.processes].reverse().find((p) => p.pid === pid);
        try {
          const argv: unknown = JSON.parse(fields.slice(3).join(' '));
          if (process && Array.isArray(argv)) process.command = argv.map(String);
        } catch {
          throw new GiltraceError(`line ${lineNumber}: a command line that is not JSON`, { file });
        }
        break;
      }
      case 'U':
        this.notSampled.push({ pid, why: fields.slice(3).join(' ') });
        break;
      case 'W':
        this.warnings.push(`process ${pid}: ${fields.slice(3).join(' ')}`);
        break;
      case 'N':
      case 'T':
        this.push({ kind: 'thread_name', time, pid, tid: Number(fields[3]), name: fields.slice(4).join(' '), source: line[0] === 'T' ? 'python' : 'os' });
        break;
      case 'S': {
        const tid = Number(fields[3]);
        const code = fields[4] ?? '';
        const gil = code[0] as SampledGil;
        const cpu = code[1] as SampledCpu;
        if (code.length !== 2 || !'nwh'.includes(gil) || !'rqsd'.includes(cpu)) throw new GiltraceError(`line ${lineNumber}: unknown state '${code}'`, { file });
        let view = threads.get(tid);
        let starts = false;
        if (!view) {
          // a thread seen at its process's first tick of an attach was there before: it did not start
          const existing = this.attached.has(pid) && this.firstTick.get(pid) === time;
          if (existing) this.push({ kind: 'thread_start', time, pid, tid, parentPid: 0, existing });
          else starts = true;
          threads.set(tid, (view = { pid, gil: 'n', stack: UNKNOWN_STACK, cpu: existing ? 'unknown' : 'q', gilIndex: -1, seenAt: time, placedAt: -Infinity }));
        }
        view.seenAt = time;
        const stack = stackIds.get(Number(fields[6] ?? 0)) ?? UNKNOWN_STACK;
        const waitStack = stackIds.get(Number(fields[7] ?? 0)) ?? UNKNOWN_STACK;
        // the change happened since the process's previous look (placeTick says where)
        const since = Number(fields[8] ?? 0);
        tick.push({
          tickTime: time,
          since: since > 0 && Number.isFinite(since) ? since : 0,
          cpuMove: ON_CPU.has(view.cpu) && OFF_CPU.has(cpu) ? 'left' : OFF_CPU.has(view.cpu) && ON_CPU.has(cpu) ? 'took' : undefined,
          change: { time, pid, tid, gil, cpu, gilIndex: Number(fields[5]), stack, waitStack },
          releases: view.gil === 'h',
          starts,
        });
        break;
      }
      case 'Y': {
        // without the GIL at both looks, in another stack now: it took the GIL and let it go
        // between them; placed halfway, after what was placed for the thread already
        const tid = Number(fields[3]);
        const view = threads.get(tid);
        const stack = stackIds.get(Number(fields[4])) ?? UNKNOWN_STACK;
        const since = Number(fields[5] ?? 0);
        if (!view || view.gil !== 'n' || stack === UNKNOWN_STACK) break;
        const at = Math.max(time - Math.round((since > 0 && Number.isFinite(since) ? since : 0) / 2), view.placedAt);
        this.push({ kind: 'released_at', time: at, pid, tid, stack });
        break;
      }
      case 'Q': {
        const queuedNs = Number(fields[4]);
        const since = Number(fields[5]);
        if (!(queuedNs > 0) || !(since >= 0)) throw new GiltraceError(`line ${lineNumber}: a wait for a CPU that is not a duration: ${line.slice(0, 80)}`, { file });
        this.queued.set(Number(fields[3]), { queuedNs, since });
        break;
      }
      case 'X': {
        const tid = Number(fields[3]);
        const view = threads.get(tid);
        // A thread that ends takes the GIL to run its last Python and lets go of it to exit: one
        // last seen holding or waiting let go or stopped waiting before it went (unseen between
        // the ticks). Among its tick's changes when it has one: before another thread's take.
        if (!view) break;
        // it held at this tick's snapshot and ended just after (its release is its exit's)
        const heldAtTick = fields[4] === 'h';
        if (heldAtTick) this.endedHolding.add(tid);
        // since when it was gone at the most: its last look (since 12-06; before, unsaid)
        const sinceSeen = Number(fields[5] ?? 0);
        // (when since the previous look: its own when said, else that of the tick's threads looked
        // at before, a thread seen for the first time there, since 0, saying nothing of it; but
        // not before its own last line: an idle thread's turn at that tick, unseen for ten ticks,
        // put a waiter's end before the wait it ended)
        const lookedSince = sinceSeen > 0 && Number.isFinite(sinceSeen) ? sinceSeen : tick.length > 0 ? Math.max(...tick.map((t) => t.since)) : 0;
        const since = Math.max(0, Math.min(lookedSince, time - view.seenAt));
        if (view.gil !== 'n' && !heldAtTick) {
          const change = { time, pid, tid, gil: 'n' as const, cpu: 'r' as const, gilIndex: view.gilIndex, stack: view.stack, waitStack: UNKNOWN_STACK };
          tick.push({ tickTime: time, since, cpuMove: undefined, change, releases: view.gil === 'h', starts: false });
        }
        // it ends after its tick's changes (its release among them, before another thread's take);
        // where in the time since its last look when the line says when that was (older files: at the tick)
        const endedWithin = sinceSeen > 0 ? since : 0;
        if (tick.length > 0) this.exits.push({ tid, since: endedWithin });
        else this.exit(tid, time, endedWithin);
        break;
      }
      case 'R': {
        // the sampler slowed to keep within its CPU budget (or sped up again): the ticks before
        // were due at the old period, the tick they end is placed with it
        const periodNs = Number(fields[2]);
        if (!(periodNs > 0)) throw new GiltraceError(`line ${lineNumber}: a tick period that is not a duration: ${line.slice(0, 80)}`, { file });
        this.flushTick();
        this.periodNs = periodNs;
        this.slowestPeriodNs = Math.max(this.slowestPeriodNs ?? 0, periodNs);
        this.holders.setPeriod(periodNs * STACK_EVERY_TICKS);
        break;
      }
      case 'C': // so far: a recording cut short keeps the last
      case 'E':
        if (line[0] === 'E') this.cutShort = false;
        this.ticks = Number(fields[2]);
        this.lateTicks = Number(fields[3]);
        if (fields[4] !== undefined) this.samplerCpuNs = Number(fields[4]);
        break;
      default:
        throw new GiltraceError(`line ${lineNumber}: unknown line '${line.slice(0, 40)}'`, { file });
    }
  }

  /**
   * The events up to `upTo` not taken yet, in time order (a stable sort: ticks of different
   * processes place their changes differently, and the events of one time keep the order they
   * came in). An event made later at a time before what was taken is moved up to it.
   */
  takeEvents(upTo: number): TimelineEvent[] {
    const sorted = this.pending.sort((a, b) => a.time - b.time);
    let n = 0;
    while (n < sorted.length && sorted[n].time <= upTo) n++;
    const taken = n === sorted.length ? sorted : sorted.slice(0, n);
    this.pending = n === sorted.length ? [] : sorted.slice(n);
    for (let i = 0; i < taken.length && taken[i].time < this.takenUpTo; i++) taken[i] = { ...taken[i], time: this.takenUpTo };
    if (upTo !== Infinity) this.takenUpTo = Math.max(this.takenUpTo, upTo);
    return taken;
  }

  /** The holder samples up to `upTo` not taken yet (a live view's window: its held time is shared by them). */
  takeHolderSamples(upTo: number): HolderSamples | undefined {
    return this.holders.count > 0 ? this.holders.take(upTo) : undefined;
  }

  /** Everything read, the tick being read ended: the recording's end. */
  finish(): SampledRecording {
    this.flushTick();
    return { ...this.facts, events: this.takeEvents(Infinity), ...(this.holders.count > 0 ? { holderSamples: this.holders.finish() } : {}) };
  }

  /** What a live view needs besides the events. */
  get facts(): Omit<SampledRecording, 'events'> {
    const { header, stacks, processes, notSampled, ticks, lateTicks, cutShort, endTime, samplerCpuNs, slowestPeriodNs } = this;
    const warnings = header.lateWakes ? [...this.warnings, LATE_WAKES] : this.warnings;
    return {
      header, stacks, processes, notSampled, warnings, ticks, lateTicks, cutShort, endTime,
      ...(samplerCpuNs !== undefined ? { samplerCpuNs } : {}),
      ...(slowestPeriodNs !== undefined ? { slowestPeriodNs } : {}),
    };
  }

  private push(event: TimelineEvent): void {
    this.pending.push(event);
    this.eventCount++;
  }

  /** Events made so far. */
  get eventsMade(): number {
    return this.eventCount;
  }

  private flushTick(): void {
    const { tick, threads, queued } = this;
    if (tick.length === 0 && queued.size === 0) return;
    placeTick(tick, this.periodNs);
    for (const t of tick) this.maxPlacedBack = Math.max(this.maxPlacedBack, t.tickTime - t.change.time);
    tick.sort((a, b) => Number(b.releases) - Number(a.releases));
    // a thread that changed at this tick (a take, a first sighting) did not hold at both ticks
    const changedNow = new Set(tick.map((t) => t.change.tid));
    const events: TimelineEvent[] = [];
    for (const { change: c, starts } of tick) {
      const view = threads.get(c.tid)!;
      // a thread first seen at this tick started before the change placed for it
      if (starts) events.push({ kind: 'thread_start', time: c.time, pid: c.pid, tid: c.tid, parentPid: 0, existing: false });
      const endedUnseen = view.gil === 'w' && c.gil === 'n';
      // it got onto a CPU, having waited for one, as it changed (or before, and runs on)
      const wait = queued.get(c.tid);
      queued.delete(c.tid);
      if (wait) this.waitedForCpu(events, view, c.tid, c.time, wait.queuedNs);
      change(events, view, c);
      // it took the GIL and gave it back between the ticks: whoever holds the GIL at both let go in between
      if (endedUnseen) {
        for (const [holderTid, holder] of threads) {
          if (holder.pid === c.pid && holder.gil === 'h' && holder.gilIndex === c.gilIndex && !changedNow.has(holderTid)) interruptHold(events, holder, holderTid, c.time);
        }
      }
    }
    // waits for a CPU of threads whose state is as before: it got onto one halfway since its last
    // look, and was then as before (asleep again, for one that ran a moment and slept)
    for (const [tid, { queuedNs, since }] of queued) {
      const view = threads.get(tid);
      if (!view) continue;
      const arrival = this.tickAt - Math.round(since / 2);
      const before = view.cpu;
      if (!this.waitedForCpu(events, view, tid, arrival, queuedNs)) continue;
      if (before === 'q') continue;
      events.push({ kind: 'switch', time: arrival, cpu: 0, prevTid: 0, prevState: 'runnable', nextTid: tid });
      view.cpu = 'r';
      if (before === 's' || before === 'd') {
        events.push({ kind: 'switch', time: arrival, cpu: 0, prevTid: tid, prevState: before === 's' ? 'sleeping' : 'blocked', nextTid: 0 });
        view.cpu = before;
      }
    }
    queued.clear();
    for (const event of events) this.push(event);
    for (const { tid, since } of this.exits) {
      const released = since > 0 ? tick.find((t) => t.change.tid === tid && t.change.gil === 'n')?.change.time : undefined;
      this.exit(tid, tick[0].tickTime, since, released);
    }
    this.exits.length = 0;
    tick.length = 0;
  }

  /**
   * The thread waited `queuedNs` for a CPU before it got onto one at `arrival` (its run delay:
   * counted when it gets a CPU, so it tells after the fact what /proc's `R` could not, running or
   * waiting to): runnable from then back, no earlier than its last event. Whatever it did there
   * (running, asleep, woken) the ticks saw less well than this; its GIL state stays. Returns
   * whether a wait was placed (view.cpu is then 'q'). Not before what a live view already took
   * either: a long wait for a CPU does not hold back its later windows (settleNs), as a change
   * placed far back does.
   */
  private waitedForCpu(events: TimelineEvent[], view: ThreadView, tid: number, arrival: number, queuedNs: number): boolean {
    const from = Math.max(arrival - queuedNs, view.placedAt, this.takenUpTo);
    if (!(from < arrival) || view.cpu === 'unknown') return false;
    if (view.cpu === 'r') events.push({ kind: 'switch', time: from, cpu: 0, prevTid: tid, prevState: 'runnable', nextTid: 0 });
    else if (view.cpu === 's' || view.cpu === 'd') events.push({ kind: 'waking', time: from, tid });
    view.cpu = 'q';
    view.placedAt = arrival;
    return true;
  }

  /**
   * `since`: ns since the thread was last seen there (0: not said: at the tick); `released`:
   * where its last hold or wait was placed to end, at this tick.
   */
  private exit(tid: number, tickTime: number, since: number, released?: number): void {
    const view = this.threads.get(tid);
    if (!view) return;
    this.threads.delete(tid);
    // a thread that held at the tick's snapshot stands for the time around it, as any state a
    // tick sees: its end is placed where the next tick's changes are, half a period on (at the
    // tick, a thread per task ending right after the snapshot counted half a period of holding:
    // GIL held 0.83-0.87 sampled against 0.86-0.89 exactly on 3.12; 0.86 against 0.87 so).
    // Another ended between its last look and this one, halfway as any change, as it let go of
    // the GIL (placed at the tick, 1 500 threads per task lived 1.9-2.0 s sampled against
    // 1.3-1.45 s exactly, the time after their last hold counted without the GIL: 12-06)
    const time = this.endedHolding.delete(tid) ? tickTime + this.periodNs / 2 : released ?? tickTime - Math.round(since / 2);
    // a thread lets go of the GIL before it ends: one seen holding at its last look (a thread
    // per task, holding at the tick's snapshot and gone by its look) held until then
    if (view.gil === 'h') this.push({ kind: 'drop', time, pid: view.pid, tid, reason: 'unknown', stack: view.stack });
    this.push({ kind: 'thread_exit', time, pid: view.pid, tid });
  }
}

/** Said of a recording whose sampler could not ask for a short time slice (SampledHeader.lateWakes). */
export const LATE_WAKES = 'the sampler could not ask the kernel for a short time slice (no perl or python3 found to make the call): its ticks may have waited for a program thread to sleep, and threads that hold the GIL briefly between sleeps may read as holding it less than they do';

const ON_CPU: ReadonlySet<string> = new Set(['r', 'q']);
const OFF_CPU: ReadonlySet<string> = new Set(['s', 'd']);

interface TickChange {
  readonly tickTime: number;
  /** ns since the thread was last looked at (0: its first look, or a recording without it). */
  readonly since: number;
  /** The thread went onto a CPU (or into its queue) from a sleep, or left one for a sleep. */
  readonly cpuMove: 'took' | 'left' | undefined;
  change: Change;
  readonly releases: boolean;
  /** Its thread's first sighting (not an attach's): the thread starts where the change is placed. */
  readonly starts: boolean;
}

/**
 * Ticks later than this many periods are not taken for late ones: a thread looked at in its turn
 * with the other idle ones (gil-sampler.ts) was last seen ticks ago on purpose.
 */
const LATE_TICK_MAX_PERIODS = 8;

/**
 * Where in the time since the previous look one tick's changes go: halfway is the best guess when
 * the tick came on time. A late tick came late because no CPU was free for the sampler from when
 * it was due; a thread that went onto a CPU in between most likely did so early in that time (it
 * is why none was free), and one that left a CPU for a sleep most likely just before the tick
 * (it freed the CPU the tick then ran on). Placed halfway, a thread hashing in C between waits
 * for the GIL (hot_and_hasher.py) waited 0.03 of its life longer sampled than traced exactly, on
 * average over six runs (12-05): late ticks came when it began to hash, right after its waits.
 * A tick's changes keep one time (a hand-off is a drop then a take at that time), so a tick
 * whose threads moved both ways, or that has a thread seen in its turn, is placed halfway.
 */
function placeTick(tick: TickChange[], periodNs: number): void {
  if (tick.length === 0) return;
  const since = tick[0].since;
  const late = since > 1.5 * periodNs && since < LATE_TICK_MAX_PERIODS * periodNs && tick.every((t) => t.since === since);
  const moves = new Set(tick.map((t) => t.cpuMove).filter((m) => m !== undefined));
  for (const t of tick) {
    if (t.since === 0) continue; // a first look: the thread is as it is now
    const at = !late || moves.size !== 1
      ? t.tickTime - Math.round(t.since / 2)
      : moves.has('took')
        ? t.tickTime - since + Math.round(periodNs / 2)
        : t.tickTime - Math.round(periodNs / 2);
    t.change = { ...t.change, time: at };
  }
}

interface Change {
  /** The stack (id in the recording's PythonStacks) the thread last held the GIL in: a hold that ends here ended there. */
  readonly stack: number;
  /**
   * The stack it waits in, when it begins to wait here; where it let the GIL go, when it is
   * without it here after holding or waiting (UNKNOWN_STACK: not read, or an older file).
   */
  readonly waitStack: number;
  readonly time: number;
  readonly pid: number;
  readonly tid: number;
  readonly gil: SampledGil;
  readonly cpu: SampledCpu;
  readonly gilIndex: number;
}

/** The GIL's key in the timeline: the process's pid for its first GIL, as exact recordings name it. */
function gilKey(pid: number, index: number): string {
  return index <= 0 ? `${pid}` : `${pid}/${index}`;
}

/**
 * GIL events for a change between two ticks (old state + new state). A hold begins with a take
 * and ends with a drop, events that happen on a CPU. A wait is marked as the scheduler-only
 * recordings mark theirs (inferred_wait_start / _end): it may end without an acquisition the ticks
 * saw (the thread took the GIL and gave it up between two ticks, while another one held it at
 * both), which a made-up take would turn into two holders at once. Why a hold ended is not seen:
 * drops are 'unknown'.
 */
type GilStep = 'wait' | 'unwait' | 'take' | 'taken' | 'drop';
const GIL_STEPS: Readonly<Record<string, readonly GilStep[]>> = {
  nw: ['wait'],
  nh: ['take', 'taken'],
  wh: ['taken'],
  wn: ['unwait'],
  hn: ['drop'],
  hw: ['drop', 'wait'],
  hh: ['drop', 'take', 'taken'],
};

/**
 * A hold the ticks saw whole was cut by another thread's take they did not see: a drop and a take
 * at the same time, so that the holds stay the lengths they were (the longest hold means what it
 * says), the CPU state as it was.
 */
function interruptHold(events: TimelineEvent[], holder: ThreadView, tid: number, at: number): void {
  const pid = holder.pid;
  // not before what was placed for the holder already: a wait for a CPU placed at an earlier
  // tick ends there, and a drop inside it was a GIL event off the CPU (a waiter gone unseen for
  // 5 ms, its wait's end placed halfway back, 1 run in ~50 of asleep_holds_then_idle.py: CI)
  const time = Math.max(at, holder.placedAt);
  holder.placedAt = time;
  const wasOff = holder.cpu !== 'r';
  if (wasOff) events.push({ kind: 'switch', time, cpu: 0, prevTid: 0, prevState: 'runnable', nextTid: tid });
  events.push({ kind: 'drop', time, pid, tid, reason: 'unknown', stack: holder.stack });
  events.push({ kind: 'take_enter', time, pid, tid, gil: gilKey(pid, holder.gilIndex), stack: 0 });
  events.push({ kind: 'take_return', time, pid, tid });
  if (wasOff) {
    const state = holder.cpu === 'q' ? 'runnable' : holder.cpu === 'd' ? 'blocked' : 'sleeping';
    events.push({ kind: 'switch', time, cpu: 0, prevTid: tid, prevState: state, nextTid: 0 });
  }
}

function change(events: TimelineEvent[], view: ThreadView, next: Change): void {
  const { time, pid, tid } = next;
  view.placedAt = Math.max(view.placedAt, time);
  if (next.stack !== UNKNOWN_STACK) view.stack = next.stack;
  const onCpu = () => {
    if (view.cpu !== 'r') events.push({ kind: 'switch', time, cpu: 0, prevTid: 0, prevState: 'runnable', nextTid: tid });
    view.cpu = 'r';
  };
  const key = gilKey(pid, next.gilIndex >= 0 ? next.gilIndex : view.gilIndex);
  const transition = next.gil === 'h' && view.gil === 'h' && next.gilIndex !== view.gilIndex ? 'hh' : next.gil === view.gil ? '' : view.gil + next.gil;
  const steps = GIL_STEPS[transition];
  if (steps) {
    for (const step of steps) {
      if (step === 'wait') events.push({ kind: 'inferred_wait_start', time, pid, tid, gil: key, stack: next.waitStack });
      else if (step === 'unwait') events.push({ kind: 'inferred_wait_end', time, pid, tid });
      else {
        onCpu(); // a take or a drop happens on a CPU
        if (step === 'take') events.push({ kind: 'take_enter', time, pid, tid, gil: key, stack: 0 });
        else if (step === 'taken') events.push({ kind: 'take_return', time, pid, tid });
        // where it let go, as the sampler read it once it was without the GIL; else where it last held
        else events.push({ kind: 'drop', time, pid, tid, reason: 'unknown', stack: next.gil === 'n' && next.waitStack !== UNKNOWN_STACK ? next.waitStack : next.stack });
      }
    }
    view.gil = next.gil;
    view.gilIndex = next.gilIndex;
  }
  if (next.cpu === view.cpu) return;
  switch (next.cpu) {
    case 'r':
      onCpu();
      return;
    case 'q':
      if (view.cpu === 'r') events.push({ kind: 'switch', time, cpu: 0, prevTid: tid, prevState: 'runnable', nextTid: 0 });
      else events.push({ kind: 'waking', time, tid });
      view.cpu = 'q';
      return;
    case 's':
    case 'd':
      onCpu();
      events.push({ kind: 'switch', time, cpu: 0, prevTid: tid, prevState: next.cpu === 's' ? 'sleeping' : 'blocked', nextTid: 0 });
      view.cpu = next.cpu;
      return;
  }
}
