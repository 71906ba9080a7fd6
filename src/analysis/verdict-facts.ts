/**
 * The numbers a verdict rests on, from the stats (and the timeline when at hand): how much of the
 * threads' active time went to waiting for the GIL, who waited (threads, or groups of alike
 * threads), which Python functions held the GIL while they waited, holds no switch interval
 * broke, holds while asleep or preempted, what the run would take without the GIL, and what
 * each process's recording says of hand-offs, drops and events that did not fit. verdict.ts
 * decides from them; cli/verdict-text.ts puts them into words.
 */
import { heaviestPath } from '../contract/function-lines.js';
import { isProgramCode } from '../contract/python-frames.js';
import type { DropCounts, DurationSummary, FunctionReleasedLine, FunctionStats, FunctionWaitLine, ProcessStats, StatsJson, ThreadStats } from '../contract/stats.js';
import { Anomaly } from '../model/anomalies.js';
import type { Timeline } from '../model/timeline.js';
import { NS_PER_MS } from '../base/time.js';
import type { NoGilEstimate } from './no-gil-estimate.js';
import type { OffCpuHold } from './off-cpu-holds.js';
import { accumulateWhole, DROP_REASON_UNKNOWN, type TimelineFacts } from './stats-accumulator.js';

export const GIL_BOUND_WAIT_FRACTION = 0.15;
export const CONTENDED_WAIT_FRACTION = 0.03;
export const HELD_OFF_CPU_MIN_NS = 50 * NS_PER_MS;
export const HELD_OFF_CPU_MIN_FRACTION = 0.05;
/**
 * A hold during which others waited this long while the holder ran is no Python code: the
 * eval loop gives the GIL up within the switch interval (5 ms by default) of being asked.
 */
export const LONG_CONTENDED_RUN_NS = 50 * NS_PER_MS;
/** Waiters and functions the verdict names. */
const TOP = 3;
/** Wait sites named: the lines that began a tenth of all waiting or more, at most two. */
const WAIT_SITE_MIN_SHARE = 0.1;
const WAIT_SITES = 2;
const RELEASED_SITE_MIN_SHARE = 0.1;
/** Sleep (or running) without the GIL is pointed at when it fills a fifth of the GIL threads' lives or more. */
const RELEASED_MIN_SHARE_OF_LIVES = 0.2;
/**
 * Tracing that added this share of a process's run (its GIL cycles × a probed cycle's cost) made
 * it a different program: waits stretch with the holds the probes lengthen.
 */
const TRACING_COST_DOUBTFUL = 0.25;
/**
 * Anomaly counters that count threads or facts, not events that broke the state machine (a daemon
 * thread that asks for the GIL as the interpreter shuts down is ended inside take_gil by CPython).
 */
const NOT_EVENT_COUNTS: ReadonlySet<string> = new Set([DROP_REASON_UNKNOWN, Anomaly.noSchedulerEvents, Anomaly.exitWhileWaiting]);
/**
 * Gaps in the scheduler's story, not in the GIL's: the kernel does not always record a switch-in
 * (seen for idle → task switches), and a GIL probe hit then proves the thread was running.
 */
const SCHEDULER_GAPS: ReadonlySet<string> = new Set([Anomaly.gilEventOffCpu, Anomaly.switchMismatch]);

/** A thread, or a group of alike threads (contract ThreadGroupStats), that waited. */
export interface Waiter {
  readonly name: string;
  /** The thread's tid; undefined for a group. */
  readonly tid: number | undefined;
  readonly threads: number;
  readonly waitNs: number;
  readonly activeNs: number;
  readonly heldNs: number;
  readonly acquisitions: number;
  readonly maxWaitNs: number;
}

export interface Culprit {
  readonly pid: number;
  readonly fn: FunctionStats;
  /** Its held_while_others_wait_ns over the process's contended time. */
  readonly shareOfContention: number;
}

/** A line its threads let the GIL go at before waits (FunctionStats.wait_lines). */
export interface WaitSite {
  readonly pid: number;
  readonly fn: FunctionStats;
  readonly line: FunctionWaitLine;
  /** Its wait over every GIL thread's (VerdictFacts.waitNs). */
  readonly shareOfWaits: number;
}

/**
 * Where threads let the GIL go and then slept (or ran) without it: a line
 * (FunctionStats.released_lines), or the function when no line is known.
 */
export interface ReleasedSite {
  readonly pid: number;
  readonly fn: FunctionStats;
  readonly line: FunctionReleasedLine | undefined;
  /** Asleep (sleepSites) or not (freeSites) without the GIL after it. */
  readonly ns: number;
  /** Of the time the processes' GIL threads spent so (joins left out). */
  readonly share: number;
  /** The call path most of that time came by (the line's paths), when known. */
  readonly callers?: readonly string[];
}

export interface VerdictFacts {
  /** Processes with two or more threads that used the GIL. */
  readonly contendable: readonly ProcessStats[];
  readonly waitNs: number;
  readonly activeNs: number;
  /** waitNs / activeNs over every thread that used the GIL. */
  readonly waitShare: number;
  /** Most waiting first; alike threads summed as one. */
  readonly waiters: readonly Waiter[];
  /** Functions that held the GIL while others waited, most first (recordings with function context). */
  readonly culprits: readonly Culprit[];
  /**
   * The lines most waits began at, most waited first, each a tenth of all waiting or more (exact
   * recordings with holder samples), when the threads waited CONTENDED_WAIT_FRACTION or more.
   */
  readonly waitSites: readonly WaitSite[];
  /**
   * The places most sleep without the GIL began at, most first, each a tenth of it or more, when
   * such sleep fills a fifth of the threads' lives or more: what limits threads that seldom wait
   * for the GIL.
   */
  readonly sleepSites: readonly ReleasedSite[];
  /**
   * The places most running without the GIL began at (C code that releases it: zlib, hashlib,
   * numpy), alike, when it fills a fifth of the threads' lives or more.
   */
  readonly freeSites: readonly ReleasedSite[];
  /** The source file whose functions held the GIL most while others waited, when several of them share it. */
  readonly culpritFile: { readonly file: string; readonly functions: readonly string[]; readonly shareOfContention: number } | undefined;
  /** Functions whose single hold made others wait while the holder ran for LONG_CONTENDED_RUN_NS or more. */
  readonly longRuns: readonly Culprit[];
  /** With the timeline: holds while asleep that made others wait, worst first. */
  readonly asleepHolds: readonly OffCpuHold[];
  /** Without the timeline: threads off-CPU holding while others waited (asleep and preempted alike). */
  readonly offCpuThreads: readonly { readonly process: ProcessStats; readonly thread: ThreadStats }[];
  /** With the timeline: holders preempted for long while others waited for their GIL (too few CPUs). */
  readonly preempted: readonly OffCpuHold[];
  /** With the timeline and the CPU count: the most contended process's run without the GIL. */
  readonly withoutGil: (NoGilEstimate & { readonly pid: number }) | undefined;
  /** The most contended process's run, instant by instant (its time_split, as shares of its duration), when the stats have it. */
  readonly runSplit: { readonly pid: number; readonly held: number; readonly free: number; readonly idle: number; readonly handover?: number } | undefined;
  /** What each process's recording says beside the threads: hand-offs, drops, what did not fit. */
  readonly processNotes: readonly ProcessNotes[];
  readonly lostEvents: number;
  /** Processes whose tracing added TRACING_COST_DOUBTFUL of their run or more (estimated): its numbers lean toward waiting. */
  readonly costlyTracing: readonly ProcessStats[];
}

export interface ProcessNotes {
  readonly pid: number;
  readonly handoff: DurationSummary;
  readonly drops: DropCounts;
  /** Events that did not fit the GIL state machine. */
  readonly misfitEvents: number;
  /** Events that did not fit what came before them because events were lost before them (lost_events_resync): the losses explain them. */
  readonly resyncedEvents: number;
  /** Scheduler events missing or out of step (CPU states inferred from GIL probe hits there). */
  readonly schedulerGaps: number;
  /** Threads with no scheduler event at all: CPU states unknown. */
  readonly threadsWithoutScheduler: number;
}

export function usesGil(thread: ThreadStats): boolean {
  return thread.acquisitions > 0 || thread.wait.count > 0;
}

/** @param timeline the timeline the stats are of, or what the verdict asks of it (StatsAccumulator.facts) */
export function computeVerdictFacts(stats: StatsJson, timeline?: Timeline | TimelineFacts): VerdictFacts {
  const contendable = stats.processes.filter((p) => p.threads.filter(usesGil).length >= 2);
  const gilThreads = stats.processes.flatMap((p) => p.threads.filter(usesGil));
  const waitNs = gilThreads.reduce((n, t) => n + t.wait_ns, 0);
  const activeNs = gilThreads.reduce((n, t) => n + Math.max(t.active_ns, t.wait_ns), 0);
  const cpus = stats.recording.cpus;
  const facts = timeline && 'processes' in timeline ? accumulateWhole(timeline, { cpus }).facts() : timeline;
  const holds = facts?.offCpuHolds;
  const mostContended = [...contendable].sort((a, b) => b.gil.contended_ns - a.gil.contended_ns)[0];
  const withoutGil = mostContended && facts?.withoutGil(mostContended.pid);
  const holderSampled = (stats.recording.holder_samples?.in_holds ?? 0) > 0;
  return {
    contendable,
    waitNs,
    activeNs,
    waitShare: activeNs > 0 ? waitNs / activeNs : 0,
    waiters: contendable.flatMap(waitersOf).sort((a, b) => b.waitNs - a.waitNs || a.name.localeCompare(b.name)).slice(0, TOP),
    culprits: culpritsOf(contendable, holderSampled),
    // a program the GIL does not bind: its few waits are no place to point at
    waitSites: activeNs > 0 && waitNs / activeNs >= CONTENDED_WAIT_FRACTION ? waitSitesOf(contendable, waitNs) : [],
    sleepSites: releasedSitesOf(contendable, asleepAfter),
    freeSites: releasedSitesOf(contendable, awakeAfter),
    culpritFile: culpritFileOf(mostContended, holderSampled),
    longRuns: contendable
      .flatMap((p) => (p.functions ?? []).filter((fn) => fn.longest_contended_run_ns >= LONG_CONTENDED_RUN_NS).map((fn) => culprit(p, fn)))
      .sort((a, b) => b.fn.longest_contended_run_ns - a.fn.longest_contended_run_ns)
      .slice(0, TOP),
    asleepHolds: holds ? harmfulAsleepHolds(stats.processes, holds) : [],
    offCpuThreads: holds ? [] : harmfulOffCpuThreads(stats.processes),
    preempted: (holds ?? []).filter((h) => h.preemptedContendedNs >= HELD_OFF_CPU_MIN_NS).sort((a, b) => b.preemptedContendedNs - a.preemptedContendedNs).slice(0, TOP),
    withoutGil: withoutGil ? { pid: mostContended.pid, ...withoutGil } : undefined,
    runSplit: runSplitOf(mostContended),
    processNotes: stats.processes.map(processNotesOf),
    lostEvents: stats.recording.lost_events,
    costlyTracing: stats.processes.filter((p) => p.tracing_cost && p.duration_ns > 0 && p.tracing_cost.added_ns >= TRACING_COST_DOUBTFUL * p.duration_ns),
  };
}

function runSplitOf(process: ProcessStats | undefined): VerdictFacts['runSplit'] {
  const split = process?.time_split;
  if (!split || !(process.duration_ns > 0)) return undefined;
  const of = (n: number): number => n / process.duration_ns;
  return { pid: process.pid, held: of(split.held_ns), free: of(split.free_ns), idle: of(split.idle_ns), ...(split.handover_ns !== undefined ? { handover: of(split.handover_ns) } : {}) };
}

function processNotesOf(process: ProcessStats): ProcessNotes {
  let misfitEvents = 0;
  let schedulerGaps = 0;
  const resyncedEvents = process.anomalies[Anomaly.lostEventsResync] ?? 0;
  for (const [name, count] of Object.entries(process.anomalies)) {
    if (SCHEDULER_GAPS.has(name)) schedulerGaps += count;
    else if (name !== Anomaly.lostEventsResync && !NOT_EVENT_COUNTS.has(name)) misfitEvents += count;
  }
  const { handoff, drops } = process.gil;
  return { pid: process.pid, handoff, drops, misfitEvents, resyncedEvents, schedulerGaps, threadsWithoutScheduler: process.anomalies[Anomaly.noSchedulerEvents] ?? 0 };
}

/** A process's waiters: its groups of alike threads summed, and the threads in no group. */
function waitersOf(process: ProcessStats): Waiter[] {
  const grouped = new Set(process.thread_groups.flatMap((g) => g.tids));
  const out: Waiter[] = process.thread_groups.map((g) => ({
    name: g.name, tid: undefined, threads: g.tids.length, waitNs: g.wait_ns, activeNs: g.active_ns, heldNs: g.held_ns,
    acquisitions: g.acquisitions, maxWaitNs: g.max_wait_ns,
  }));
  for (const t of process.threads) {
    if (grouped.has(t.tid) || !usesGil(t)) continue;
    out.push({
      name: t.name, tid: t.tid, threads: 1, waitNs: t.wait_ns, activeNs: t.active_ns, heldNs: t.held_ns,
      acquisitions: t.acquisitions, maxWaitNs: t.wait.max_ns,
    });
  }
  return out.filter((w) => w.waitNs > 0);
}

/**
 * Ranked by the time each held the GIL while others waited, as the holder samples share it out
 * (what ran while holding). Without them, by the time each was caught holding by a forced switch
 * while others waited: a fair sample of where contended Python time goes; ranking by all holds
 * would name the I/O calls that end holds voluntarily (a request's getaddrinfo), whatever Python
 * ran before them.
 */
function culpritsOf(processes: readonly ProcessStats[], holderSampled: boolean): Culprit[] {
  const caught = (fn: FunctionStats) => (holderSampled ? 0 : fn.forced_held_while_others_wait_ns);
  return processes
    .flatMap((p) => (p.functions ?? []).filter((fn) => fn.held_while_others_wait_ns > 0 && isProgramCode(fn)).map((fn) => culprit(p, fn)))
    .sort((a, b) => caught(b.fn) - caught(a.fn) || b.fn.held_while_others_wait_ns - a.fn.held_while_others_wait_ns)
    .slice(0, TOP);
}

function waitSitesOf(processes: readonly ProcessStats[], waitNs: number): WaitSite[] {
  if (waitNs <= 0) return [];
  return processes
    .flatMap((p) => (p.functions ?? []).flatMap((fn) => (fn.wait_lines ?? []).map((line) => ({ pid: p.pid, fn, line, shareOfWaits: line.wait_ns / waitNs }))))
    .filter((site) => site.shareOfWaits >= WAIT_SITE_MIN_SHARE && isProgramCode(site.fn))
    .sort((a, b) => b.line.wait_ns - a.line.wait_ns || a.fn.name.localeCompare(b.fn.name) || a.line.line - b.line.line)
    .slice(0, WAIT_SITES);
}

/**
 * Joining threads and the interpreter's wait for them at exit: a main thread that only waits for
 * its workers sleeps there the whole run, which says nothing of what limits the workers. (Before
 * 3.11 the probes read co_name: `join`, not `Thread.join`.)
 */
const JOINS: ReadonlySet<string> = new Set(['Thread.join', 'Thread._wait_for_tstate_lock', '_shutdown', 'join', '_wait_for_tstate_lock']);
const isJoin = (fn: FunctionStats): boolean => JOINS.has(fn.name) && fn.file.endsWith('threading.py');

/** What of a release's stretch (a function's, or a line's) the thread slept or was blocked, or not (ran, or waited for a CPU). */
type ReleasedPart = (released: { readonly released_ns?: number; readonly released_asleep_ns?: number }) => number;
const asleepAfter: ReleasedPart = (r) => r.released_asleep_ns ?? 0;
const awakeAfter: ReleasedPart = (r) => (r.released_ns ?? 0) - (r.released_asleep_ns ?? 0);

/** The call path by which most of a line's `part` came. */
function mostBy(line: FunctionReleasedLine, part: ReleasedPart): { callers?: readonly string[] } {
  const best = heaviestPath(line.paths, part);
  return best ? { callers: best.callers } : {};
}

function releasedSitesOf(processes: readonly ProcessStats[], part: ReleasedPart): ReleasedSite[] {
  const sites: Omit<ReleasedSite, 'share'>[] = [];
  let total = 0;
  for (const p of processes) {
    for (const fn of p.functions ?? []) {
      const ns = part(fn);
      if (ns <= 0 || isJoin(fn)) continue;
      total += ns;
      if (!isProgramCode(fn)) continue;
      if (fn.released_lines?.length) for (const line of fn.released_lines) sites.push({ pid: p.pid, fn, line, ns: part(line), ...mostBy(line, part) });
      else sites.push({ pid: p.pid, fn, line: undefined, ns });
    }
  }
  // a program whose threads seldom sleep (or run) without the GIL: nothing to point at (a thread
  // start's wait, an import's read)
  const lives = processes.reduce((n, p) => n + p.threads.filter(usesGil).reduce((m, t) => m + t.lifetime_ns, 0), 0);
  if (total <= 0 || total < RELEASED_MIN_SHARE_OF_LIVES * lives) return [];
  return sites
    .map((site) => ({ ...site, share: site.ns / total }))
    .filter((site) => site.share >= RELEASED_SITE_MIN_SHARE)
    .sort((a, b) => b.ns - a.ns || a.fn.name.localeCompare(b.fn.name) || (a.line?.line ?? 0) - (b.line?.line ?? 0))
    .slice(0, WAIT_SITES);
}

/** Parsing, serializing, templating: the work is often spread over a module's functions, none of them big alone. */
function culpritFileOf(process: ProcessStats | undefined, holderSampled: boolean): VerdictFacts['culpritFile'] {
  if (!process?.functions || process.gil.contended_ns <= 0) return undefined;
  const byFile = new Map<string, FunctionStats[]>();
  for (const fn of process.functions) {
    const seen = holderSampled ? fn.held_while_others_wait_ns : fn.forced_held_while_others_wait_ns;
    if (!fn.file || !isProgramCode(fn) || seen <= 0) continue;
    let list = byFile.get(fn.file);
    if (!list) byFile.set(fn.file, (list = []));
    list.push(fn);
  }
  let best: VerdictFacts['culpritFile'];
  for (const [file, fns] of byFile) {
    const caught = fns.reduce((n, fn) => n + fn.held_while_others_wait_ns, 0);
    const share = caught / process.gil.contended_ns;
    if (fns.length >= 2 && (!best || share > best.shareOfContention)) {
      const ranked = [...fns].sort((a, b) => b.held_while_others_wait_ns - a.held_while_others_wait_ns);
      best = { file, functions: ranked.map((fn) => fn.name), shareOfContention: share };
    }
  }
  return best;
}

function culprit(process: ProcessStats, fn: FunctionStats): Culprit {
  return { pid: process.pid, fn, shareOfContention: process.gil.contended_ns > 0 ? fn.held_while_others_wait_ns / process.gil.contended_ns : 0 };
}

function harmfulAsleepHolds(processes: readonly ProcessStats[], holds: readonly OffCpuHold[]): OffCpuHold[] {
  return holds
    .filter((hold) => {
      const process = processes.find((p) => p.pid === hold.pid);
      const harm = hold.asleepContendedNs;
      return process !== undefined && harm >= HELD_OFF_CPU_MIN_NS && harm >= HELD_OFF_CPU_MIN_FRACTION * process.duration_ns;
    })
    .sort((a, b) => b.asleepContendedNs - a.asleepContendedNs);
}

/** The stats alone cannot tell asleep from preempted: held_off_cpu_ns over the same thresholds, where another thread waited. */
function harmfulOffCpuThreads(processes: readonly ProcessStats[]): { process: ProcessStats; thread: ThreadStats }[] {
  const out: { process: ProcessStats; thread: ThreadStats }[] = [];
  for (const process of processes) {
    for (const thread of process.threads) {
      const off = thread.held_off_cpu_ns;
      if (off < HELD_OFF_CPU_MIN_NS || off < HELD_OFF_CPU_MIN_FRACTION * process.duration_ns) continue;
      if (process.threads.some((other) => other !== thread && other.wait_ns > 0)) out.push({ process, thread });
    }
  }
  return out.sort((a, b) => b.thread.held_off_cpu_ns - a.thread.held_off_cpu_ns);
}
