/**
 * The verdict in plain language, from the facts of verdict-facts.ts. Rules, first match wins:
 *
 * 1. no-threads: no process has two or more threads that used the GIL: nothing could contend.
 * 2. gil-held-off-cpu: a thread held the GIL while asleep (or, without the timeline, off-CPU)
 *    while others waited, for HELD_OFF_CPU_MIN_NS and HELD_OFF_CPU_MIN_FRACTION of its process.
 * 3. gil-held-long: a function kept the GIL while its thread ran and others waited for
 *    LONG_CONTENDED_RUN_NS in one go (C code the switch interval cannot interrupt), and that
 *    function held at least a tenth of the process's contended time.
 * 4. gil-bound: threads spent GIL_BOUND_WAIT_FRACTION or more of their active time waiting.
 * 5. gil-contended: CONTENDED_WAIT_FRACTION or more.
 * 6. not-gil-bound: below that.
 * "Active time" leaves out what a thread spent idle (sleeping or blocked without the GIL: I/O,
 * sleep, join), so a main thread that only joins its workers does not dilute their waiting.
 */
import type { ProcessStats, StatsJson, VerdictJson } from '../contract/stats.js';
import { formatDuration, formatPercent } from '../base/time.js';
import { Anomaly } from '../model/anomalies.js';
import type { Timeline } from '../model/timeline.js';
import { DROP_REASON_UNKNOWN } from './compute-stats.js';
import {
  computeVerdictFacts,
  CONTENDED_WAIT_FRACTION,
  GIL_BOUND_WAIT_FRACTION,
  type Culprit,
  type VerdictFacts,
  type Waiter,
} from './verdict-facts.js';

export type VerdictKind = 'gil-bound' | 'gil-contended' | 'not-gil-bound' | 'no-threads' | 'gil-held-off-cpu' | 'gil-held-long';

export interface Verdict extends VerdictJson {
  readonly kind: VerdictKind;
}

/** Anomaly counters that count threads or facts, not events that broke the state machine. */
const NOT_EVENT_COUNTS: ReadonlySet<string> = new Set([DROP_REASON_UNKNOWN, Anomaly.noSchedulerEvents]);
/**
 * Gaps in the scheduler's story, not in the GIL's: the kernel does not always record a switch-in
 * (seen for idle → task switches), and a GIL probe hit then proves the thread was running.
 */
const SCHEDULER_GAPS: ReadonlySet<string> = new Set([Anomaly.gilEventOffCpu, Anomaly.switchMismatch]);
/** A long run counts when its function held this share of the contended time. */
const LONG_RUN_MIN_SHARE = 0.1;
const ADVICE = 'use processes, or a free-threaded build (python3.13t) if the code is thread-safe';

export function computeVerdict(stats: StatsJson, timeline?: Timeline): Verdict {
  const facts = computeVerdictFacts(stats, timeline);
  const details = [...waiterDetails(facts), ...culpritDetails(facts), ...estimateDetails(facts), ...preemptionDetails(facts), ...recordingDetails(stats)];
  const verdict = (kind: VerdictKind, headline: string): Verdict => ({ kind, headline, details });
  if (stats.processes.length === 0) return verdict('no-threads', 'No Python process with GIL events was recorded: nothing to say about the GIL');
  if (facts.contendable.length === 0) {
    return verdict('no-threads', 'Only one thread used the GIL: there was nobody to contend with, so the GIL cost nothing here');
  }
  const asleep = facts.asleepHolds[0];
  if (asleep) {
    const where = functionOfThread(stats, asleep.pid, asleep.tid);
    return verdict(
      'gil-held-off-cpu',
      `${asleep.name || 'thread'} (tid ${asleep.tid}) held the GIL for ${formatDuration(asleep.asleepNs)} while sleeping or blocked ` +
        `(longest ${formatDuration(asleep.longestAsleepNs)})${where ? `, in ${where}` : ''}; other threads waited for it during ` +
        `${formatDuration(asleep.asleepContendedNs)} of that: C code that sleeps or does I/O should release the GIL (Py_BEGIN_ALLOW_THREADS)`,
    );
  }
  const offCpu = facts.offCpuThreads[0];
  if (offCpu) {
    const { process, thread } = offCpu;
    return verdict(
      'gil-held-off-cpu',
      `${thread.name || 'thread'} (tid ${thread.tid}) held the GIL for ${formatDuration(thread.held_off_cpu_ns)} while off-CPU ` +
        `(sleeping, blocked or preempted; ${formatPercent(thread.held_off_cpu_ns, process.duration_ns)} of the run) while others waited: ` +
        'C code that sleeps or does I/O should release the GIL (Py_BEGIN_ALLOW_THREADS); preemption means too few CPUs',
    );
  }
  const long = facts.longRuns.find((c) => c.shareOfContention >= LONG_RUN_MIN_SHARE);
  if (long) {
    const callers = long.fn.stacks[0]?.callers ?? [];
    const from = callers.length ? `, called from ${callers.join(' ← ')},` : '';
    return verdict(
      'gil-held-long',
      `${describeFunction(long)}${from} kept the GIL for ${formatDuration(long.fn.longest_contended_run_ns)} in one go while its thread ran and ` +
        `others waited (${formatPercent(long.shareOfContention, 1)} of all GIL waiting was on it): C code called from there does not ` +
        'release the GIL, and the switch interval cannot interrupt C code; release the GIL in it (Py_BEGIN_ALLOW_THREADS), or ' +
        'run that call in another process',
    );
  }
  const share = formatPercent(facts.waitNs, facts.activeNs);
  const mostly = holderClause(facts);
  if (facts.waitShare >= GIL_BOUND_WAIT_FRACTION) {
    // the average is over every thread: name the pool, or the thread, that waited most, when that adds something
    const worst = facts.waiters[0];
    const tells = worst && worst.activeNs > 0 && (worst.tid === undefined || worst.waitNs / worst.activeNs > facts.waitShare);
    const felt = tells ? ` (${describeWaiter(worst)}: ${formatPercent(worst.waitNs, worst.activeNs)})` : '';
    return verdict(
      'gil-bound',
      `GIL-bound: threads spent ${share} of their active time waiting for the GIL${felt}${mostly}; more threads will not help — ${ADVICE}`,
    );
  }
  if (facts.waitShare >= CONTENDED_WAIT_FRACTION) {
    return verdict('gil-contended', `The GIL is contended: threads spent ${share} of their active time waiting for it${mostly}; it slows them down but is not the main limit`);
  }
  return verdict('not-gil-bound', `GIL is not the bottleneck: threads waited ${share} of their active time; look elsewhere (I/O, locks)`);
}

/** Who held the GIL while the others waited: a module whose functions share the work, or the top function. */
function holderClause(facts: VerdictFacts): string {
  const top = facts.culprits[0];
  const file = facts.culpritFile;
  if (file && (!top || file.shareOfContention >= 1.5 * top.shareOfContention)) {
    const names = file.functions.slice(0, 2).join(', ') + (file.functions.length > 2 ? ', …' : '');
    return `, ${formatPercent(file.shareOfContention, 1)} of it while code in ${file.file.split('/').pop()} held it (${names})`;
  }
  return top ? `, ${formatPercent(top.shareOfContention, 1)} of it while ${describeFunction(top)} held it` : '';
}

function describeWaiter(w: Waiter): string {
  return w.tid === undefined ? `${w.name} (${w.threads} threads)` : `${w.name || 'thread'} (tid ${w.tid})`;
}

function describeFunction(c: Culprit): string {
  const { name, file, line } = c.fn;
  return file ? `${name} (${file.split('/').pop()}:${line})` : name;
}

/** The function a thread held the GIL in most, when the recording knows. */
function functionOfThread(stats: StatsJson, pid: number, tid: number): string | undefined {
  const top = stats.processes.find((p) => p.pid === pid)?.threads.find((t) => t.tid === tid)?.top_functions?.find((f) => f.held_ns > 0);
  return top && !top.name.startsWith('<') ? `${top.name} (${top.file.split('/').pop()}:${top.line})` : undefined;
}

function waiterDetails(facts: VerdictFacts): string[] {
  return facts.waiters.map(
    (w) =>
      `${describeWaiter(w)}: waited ${formatPercent(w.waitNs, w.activeNs)} of ${w.threads > 1 ? 'their' : 'its'} active time ` +
      `(${formatDuration(w.waitNs)}), held the GIL ${formatDuration(w.heldNs)}, ${w.acquisitions} acquisitions, longest wait ${formatDuration(w.maxWaitNs)}`,
  );
}

function culpritDetails(facts: VerdictFacts): string[] {
  return facts.culprits.map((c) => {
    const callers = c.fn.stacks[0]?.callers ?? [];
    const forced = c.fn.forced_drops > 0 ? `, caught by ${c.fn.forced_drops} forced switches in ${formatDuration(c.fn.forced_held_while_others_wait_ns)} of it` : '';
    return (
      `${describeFunction(c)} held the GIL ${formatDuration(c.fn.held_while_others_wait_ns)} while others waited ` +
      `(${formatPercent(c.shareOfContention, 1)} of the contended time${forced})` +
      (callers.length ? `; called from ${callers.slice(0, 3).join(' ← ')}` : '')
    );
  });
}

function estimateDetails(facts: VerdictFacts): string[] {
  const e = facts.withoutGil;
  if (!e || e.estimatedNs >= 0.95 * e.measuredNs) return [];
  const lines = [
    `Without the GIL, process ${e.pid} would take about ${formatDuration(e.estimatedNs)} instead of ${formatDuration(e.measuredNs)} on ${e.cpus} CPUs ` +
      '(an estimate from who wanted to run when; it assumes the same work per thread — a free-threaded build runs Python somewhat slower — ' +
      'no other lock serializing the threads, and I/O as long as it was)',
  ];
  if (facts.waitShare >= GIL_BOUND_WAIT_FRACTION) {
    lines.push(
      `While threads waited, Python ran on ${e.pythonCpusWhileContended.toFixed(2)} CPUs on average (one GIL, at most 1): more threads add waiting, not speed`,
    );
  }
  return lines;
}

/** Holders preempted for long: not the program's fault, but every waiter waits for it too. */
function preemptionDetails(facts: VerdictFacts): string[] {
  return facts.preempted.map(
    (h) =>
      `${h.name || 'thread'} (tid ${h.tid}) was preempted while holding the GIL for ${formatDuration(h.preemptedNs)}: ` +
      'more runnable threads than CPUs (other processes?) stall every thread waiting for the GIL',
  );
}

function recordingDetails(stats: StatsJson): string[] {
  const details: string[] = [];
  for (const process of stats.processes) details.push(...processDetails(process, stats.processes.length > 1 ? `pid ${process.pid}: ` : ''));
  if (stats.recording.lost_events > 0) {
    details.push(`The recording lost ${stats.recording.lost_events} events: numbers near the losses are uncertain`);
  }
  return details;
}

function processDetails(process: ProcessStats, where: string): string[] {
  const details: string[] = [];
  const { handoff, drops } = process.gil;
  if (handoff.count > 0) {
    details.push(
      `${where}${handoff.count} GIL hand-offs between threads: median ${formatDuration(handoff.p50_ns)}, ` +
        `p99 ${formatDuration(handoff.p99_ns)}, max ${formatDuration(handoff.max_ns)}`,
    );
  }
  if (drops.forced + drops.voluntary > 0) {
    details.push(`${where}${drops.forced} forced drops (a waiter's switch interval expired) and ${drops.voluntary} voluntary (I/O, sleep, C code releasing the GIL)`);
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
  return details;
}
