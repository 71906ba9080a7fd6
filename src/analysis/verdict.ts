/**
 * A verdict in plain language, with numbers, from the stats (and the timeline, when given, for
 * the off-CPU rule). Rules, first match wins:
 *
 * 1. no-threads: no process has two or more threads that used the GIL (took it or waited for
 *    it): nothing could contend.
 * 2. gil-held-off-cpu: with the timeline: some thread held the GIL while sleeping or blocked
 *    *and another thread waited for it* for at least HELD_OFF_CPU_MIN_NS in total and at least
 *    HELD_OFF_CPU_MIN_FRACTION of its process's duration (being preempted while holding is not
 *    this: it is reported as a detail). Without the timeline the stats cannot tell those apart:
 *    held_off_cpu_ns (sleeping, blocked or preempted) over the same thresholds, in a process where
 *    another thread waited at some point.
 * 3. gil-bound: GIL threads spent ≥ GIL_BOUND_WAIT_FRACTION of their lifetime waiting.
 * 4. gil-contended: ≥ CONTENDED_WAIT_FRACTION.
 * 5. not-gil-bound: below that.
 * "Time waiting" is Σ wait_ns / Σ lifetime_ns over the threads that used the GIL, in every
 * process: two CPU-bound threads wait ~50 %, a main thread that only joins them dilutes it.
 */
import type { ProcessStats, StatsJson, ThreadStats } from '../contract/stats.js';
import { formatDuration, formatPercent, NS_PER_MS } from '../base/time.js';
import { Anomaly } from '../model/anomalies.js';
import type { Timeline } from '../model/timeline.js';
import { DROP_REASON_UNKNOWN } from './compute-stats.js';
import { computeOffCpuHolds, type OffCpuHold } from './off-cpu-holds.js';

/** Anomaly counters that count threads or facts, not events that broke the state machine. */
const NOT_EVENT_COUNTS: ReadonlySet<string> = new Set([DROP_REASON_UNKNOWN, Anomaly.noSchedulerEvents]);
/**
 * Gaps in the scheduler's story, not in the GIL's: the kernel does not always record a switch-in
 * (seen for idle → task switches), and a GIL probe hit then proves the thread was running.
 */
const SCHEDULER_GAPS: ReadonlySet<string> = new Set([Anomaly.gilEventOffCpu, Anomaly.switchMismatch]);

export type VerdictKind = 'gil-bound' | 'gil-contended' | 'not-gil-bound' | 'no-threads' | 'gil-held-off-cpu';

export interface Verdict {
  readonly kind: VerdictKind;
  readonly headline: string;
  readonly details: readonly string[];
}

export const GIL_BOUND_WAIT_FRACTION = 0.15;
export const CONTENDED_WAIT_FRACTION = 0.03;
export const HELD_OFF_CPU_MIN_NS = 50 * NS_PER_MS;
export const HELD_OFF_CPU_MIN_FRACTION = 0.05;
/** Threads listed in the details, most waiting first. */
const TOP_THREADS = 3;

function usesGil(thread: ThreadStats): boolean {
  return thread.acquisitions > 0 || thread.wait.count > 0;
}

export function computeVerdict(stats: StatsJson, timeline?: Timeline): Verdict {
  const gilThreads = stats.processes.flatMap((p) => p.threads.filter(usesGil).map((thread) => ({ process: p, thread })));
  const holds = timeline ? computeOffCpuHolds(timeline) : undefined;
  const details = commonDetails(stats, gilThreads);
  if (holds) details.push(...preemptionDetails(holds));
  if (stats.processes.length === 0) {
    return { kind: 'no-threads', headline: 'No Python process with GIL events was recorded: nothing to say about the GIL', details };
  }
  if (!stats.processes.some((p) => p.threads.filter(usesGil).length >= 2)) {
    return {
      kind: 'no-threads',
      headline: 'Only one thread used the GIL: there was nobody to contend with, so the GIL cost nothing here',
      details,
    };
  }
  const asleep = holds && worstAsleepHold(stats.processes, holds);
  if (asleep) {
    return {
      kind: 'gil-held-off-cpu',
      headline:
        `${asleep.name || 'thread'} (tid ${asleep.tid}) held the GIL for ${formatDuration(asleep.asleepNs)} while sleeping or blocked ` +
        `(longest ${formatDuration(asleep.longestAsleepNs)}); other threads waited for it during ${formatDuration(asleep.asleepContendedNs)} ` +
        'of that: C code that sleeps or does I/O should release the GIL (Py_BEGIN_ALLOW_THREADS)',
      details,
    };
  }
  const offCpu = holds ? undefined : worstHeldOffCpu(stats.processes);
  if (offCpu) {
    const { process, thread } = offCpu;
    return {
      kind: 'gil-held-off-cpu',
      headline:
        `${describe(thread)} held the GIL for ${formatDuration(thread.held_off_cpu_ns)} while off-CPU ` +
        `(sleeping, blocked or preempted; ${formatPercent(thread.held_off_cpu_ns, process.duration_ns)} of the run) while others waited: ` +
        'C code that sleeps or does I/O should release the GIL (Py_BEGIN_ALLOW_THREADS); preemption means too few CPUs',
      details,
    };
  }
  let wait = 0;
  let lifetime = 0;
  for (const { thread } of gilThreads) {
    wait += thread.wait_ns;
    lifetime += thread.lifetime_ns;
  }
  const fraction = lifetime > 0 ? wait / lifetime : 0;
  const share = formatPercent(wait, lifetime);
  if (fraction >= GIL_BOUND_WAIT_FRACTION) {
    // The average is diluted by threads that mostly idle (a main thread joining its workers):
    // name the thread that waited most, whose share is what the user feels.
    const worst = gilThreads.reduce((a, b) => (waitFraction(b.thread) > waitFraction(a.thread) ? b : a)).thread;
    const most = waitFraction(worst) > fraction ? ` (${describe(worst)}: ${formatPercent(worst.wait_ns, worst.lifetime_ns)})` : '';
    return {
      kind: 'gil-bound',
      headline:
        `GIL-bound: threads spent ${share} of their time waiting for the GIL${most}; more threads will not help — ` +
        'use processes, or a free-threaded build (python3.13t) if the code is thread-safe',
      details,
    };
  }
  if (fraction >= CONTENDED_WAIT_FRACTION) {
    return {
      kind: 'gil-contended',
      headline: `The GIL is contended: threads spent ${share} of their time waiting for it; it slows them down but is not the main limit`,
      details,
    };
  }
  return {
    kind: 'not-gil-bound',
    headline: `GIL is not the bottleneck: threads waited ${share} of their time; look elsewhere (I/O, locks)`,
    details,
  };
}

function worstHeldOffCpu(processes: readonly ProcessStats[]): { process: ProcessStats; thread: ThreadStats } | undefined {
  let worst: { process: ProcessStats; thread: ThreadStats } | undefined;
  for (const process of processes) {
    for (const thread of process.threads) {
      const off = thread.held_off_cpu_ns;
      if (off < HELD_OFF_CPU_MIN_NS || off < HELD_OFF_CPU_MIN_FRACTION * process.duration_ns) continue;
      // It only hurt if another thread of the process wanted the GIL.
      if (!process.threads.some((other) => other !== thread && other.wait_ns > 0)) continue;
      if (!worst || off > worst.thread.held_off_cpu_ns) worst = { process, thread };
    }
  }
  return worst;
}

function worstAsleepHold(processes: readonly ProcessStats[], holds: readonly OffCpuHold[]): OffCpuHold | undefined {
  let worst: OffCpuHold | undefined;
  for (const hold of holds) {
    const process = processes.find((p) => p.pid === hold.pid);
    if (!process) continue;
    const harm = hold.asleepContendedNs;
    if (harm < HELD_OFF_CPU_MIN_NS || harm < HELD_OFF_CPU_MIN_FRACTION * process.duration_ns) continue;
    if (!worst || harm > worst.asleepContendedNs) worst = hold;
  }
  return worst;
}

/** Holders preempted for long: not the program's fault, but every waiter waits for it too. */
function preemptionDetails(holds: readonly OffCpuHold[]): string[] {
  return holds
    .filter((h) => h.preemptedNs >= HELD_OFF_CPU_MIN_NS)
    .sort((a, b) => b.preemptedNs - a.preemptedNs)
    .slice(0, TOP_THREADS)
    .map(
      (h) =>
        `${h.name || 'thread'} (tid ${h.tid}) was preempted while holding the GIL for ${formatDuration(h.preemptedNs)}: ` +
        'more runnable threads than CPUs (other processes?) stall every thread waiting for the GIL',
    );
}

function commonDetails(stats: StatsJson, gilThreads: readonly { process: ProcessStats; thread: ThreadStats }[]): string[] {
  const details: string[] = [];
  const ranked = [...gilThreads].sort((a, b) => waitFraction(b.thread) - waitFraction(a.thread) || a.thread.tid - b.thread.tid);
  for (const { thread } of ranked.slice(0, TOP_THREADS)) {
    details.push(
      `${describe(thread)}: waited ${formatPercent(thread.wait_ns, thread.lifetime_ns)} (${formatDuration(thread.wait_ns)}), ` +
        `held ${formatPercent(thread.held_ns, thread.lifetime_ns)} (${formatDuration(thread.held_ns)}), ` +
        `${thread.acquisitions} acquisitions, longest wait ${formatDuration(thread.wait.max_ns)}`,
    );
  }
  for (const process of stats.processes) {
    const { handoff, drops } = process.gil;
    const where = stats.processes.length > 1 ? `pid ${process.pid}: ` : '';
    if (handoff.count > 0) {
      details.push(
        `${where}${handoff.count} GIL hand-offs between threads: median ${formatDuration(handoff.p50_ns)}, ` +
          `p99 ${formatDuration(handoff.p99_ns)}, max ${formatDuration(handoff.max_ns)}`,
      );
    }
    if (drops.forced + drops.voluntary > 0) {
      details.push(
        `${where}${drops.forced} forced drops (a waiter's switch interval expired) and ${drops.voluntary} voluntary ` +
          '(I/O, sleep, C code releasing the GIL)',
      );
    }
    let odd = 0;
    let gaps = 0;
    for (const [name, count] of Object.entries(process.anomalies)) {
      if (SCHEDULER_GAPS.has(name)) gaps += count;
      else if (!NOT_EVENT_COUNTS.has(name)) odd += count;
    }
    if (odd > 0) details.push(`${where}${odd} events did not fit the GIL state machine (see anomalies)`);
    if (gaps > 0) {
      details.push(`${where}${gaps} scheduler events were missing or out of step (see anomalies): CPU states next to them are inferred from GIL probe hits`);
    }
    const blind = process.anomalies[Anomaly.noSchedulerEvents] ?? 0;
    if (blind > 0) details.push(`${where}${blind} threads had no scheduler events: their CPU states are unknown (counted as running)`);
  }
  if (stats.recording.lost_events > 0) {
    details.push(`The recording lost ${stats.recording.lost_events} events: numbers near the losses are uncertain`);
  }
  return details;
}

function waitFraction(thread: ThreadStats): number {
  return thread.lifetime_ns > 0 ? thread.wait_ns / thread.lifetime_ns : 0;
}

function describe(thread: ThreadStats): string {
  return `${thread.name || 'thread'} (tid ${thread.tid})`;
}
