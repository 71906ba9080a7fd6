/**
 * The verdict in plain language: analysis/verdict.ts decides and keeps the numbers, this puts
 * them into the headline and details that the stats JSON carries (`verdict`) and the terminal
 * prints (summary-table.ts, from that same JSON). The HTML report and `giltrace diff` show the
 * JSON's words, so this is the only place a verdict is worded.
 *
 * Why in cli/: words are for people, and every text for people is made here, at the top (the
 * table, the warnings); the stats JSON gets its verdict here too, after computeStats. analysis/
 * stays numbers and decisions, testable without matching sentences, and another front end can
 * word the same verdict its own way.
 */
import { formatDuration, formatPercent } from '../base/time.js';
import type { FunctionRef, FunctionStats, VerdictJson } from '../contract/stats.js';
import type { HeldBy, InferredVerdict, MeasuredVerdict, Verdict, VerdictKind, VerdictReason } from '../analysis/index.js';
import { lineShares, shareLowerBound } from '../contract/function-lines.js';
import { formatLineShares, quote, quotedSource } from './function-lines.js';

/** The worded verdict, as the stats JSON carries it. */
export interface VerdictText extends VerdictJson {
  readonly kind: VerdictKind;
}

const ADVICE = 'use processes, or a free-threaded build (python3.13t) if the code is thread-safe';

/**
 * @param sampled a sampled recording: its counts (acquisitions, hand-offs, drops) are of the
 *   changes the ticks saw, so the words leave them out and keep the times.
 */
export function toVerdictText(verdict: Verdict, sampled = false): VerdictText {
  return verdict.waits === 'inferred' ? inferredVerdictText(verdict) : measuredVerdictText(verdict, sampled);
}

function measuredVerdictText(verdict: MeasuredVerdict, sampled: boolean): VerdictText {
  const details = [
    ...tracingCostDetails(verdict),
    ...waiterDetails(verdict, sampled),
    ...waitSiteDetails(verdict, sampled),
    ...(verdict.kind === 'not-gil-bound' || verdict.kind === 'gil-contended' ? [...splitDetails(verdict), ...releasedSiteDetails(verdict)] : []),
    ...culpritDetails(verdict),
    ...estimateDetails(verdict),
    ...preemptionDetails(verdict),
    ...recordingDetails(verdict, sampled),
  ];
  return { kind: verdict.kind, headline: headline(verdict.kind, verdict.reason, verdict), details };
}

function headline(kind: VerdictKind, reason: VerdictReason, { facts }: MeasuredVerdict): string {
  switch (reason.rule) {
    case 'no-gil-process':
      return 'No Python process with GIL events was recorded: nothing to say about the GIL';
    case 'one-gil-thread':
      return 'Only one thread used the GIL: there was nobody to contend with, so the GIL cost nothing here';
    case 'held-asleep': {
      const { hold, holderFunction } = reason;
      return (
        `${hold.name || 'thread'} (tid ${hold.tid}) held the GIL for ${formatDuration(hold.asleepNs)} while sleeping or blocked ` +
        `(longest ${formatDuration(hold.longestAsleepNs)})${holderFunction ? `, in ${functionWithFile(holderFunction)}${atLine(holderFunction.at)}` : ''}; other threads waited for it during ` +
        `${formatDuration(hold.asleepContendedNs)} of that: C code that sleeps or does I/O should release the GIL (Py_BEGIN_ALLOW_THREADS)`
      );
    }
    case 'held-off-cpu': {
      const { process, thread } = reason;
      return (
        `${thread.name || 'thread'} (tid ${thread.tid}) held the GIL for ${formatDuration(thread.held_off_cpu_ns)} while off-CPU ` +
        `(sleeping, blocked or preempted; ${formatPercent(thread.held_off_cpu_ns, process.duration_ns)} of the run) while others waited: ` +
        'C code that sleeps or does I/O should release the GIL (Py_BEGIN_ALLOW_THREADS); preemption means too few CPUs'
      );
    }
    case 'held-long': {
      const { fn, shareOfContention } = reason.culprit;
      const callers = fn.stacks[0]?.callers ?? [];
      const from = callers.length ? `, called from ${callers.join(' ← ')},` : '';
      return (
        `${describeFunction(fn)}${mostlyAt(fn)}${from} kept the GIL for ${formatDuration(fn.longest_contended_run_ns)} in one go while its thread ran and ` +
        `others waited (${formatPercent(shareOfContention, 1)} of all GIL waiting was on it): C code called from there does not ` +
        'release the GIL, and the switch interval cannot interrupt C code; release the GIL in it (Py_BEGIN_ALLOW_THREADS), or ' +
        'run that call in another process'
      );
    }
    case 'wait-share': {
      const share = formatPercent(facts.waitNs, facts.activeNs);
      const mostly = heldByClause(reason.heldBy);
      if (kind === 'gil-bound') {
        const worst = reason.standout;
        const felt = worst ? ` (${describeWaiter(worst)}: ${formatPercent(worst.waitNs, worst.activeNs)})` : '';
        return `GIL-bound: threads spent ${share} of their active time waiting for the GIL${felt}${mostly}; more threads will not help — ${ADVICE}`;
      }
      const limit = mainLimit(facts);
      if (kind === 'gil-contended') {
        return `The GIL is contended: threads spent ${share} of their active time waiting for it${mostly}; it slows them down but is not the main limit${limit ? ` (${limit})` : ''}`;
      }
      return `GIL is not the bottleneck: threads waited ${share} of their active time; look elsewhere${limit ? `: ${limit}` : ' (I/O, locks)'}`;
    }
  }
}

/** A release site is the headline's when it has this share of its kind (sleep, or running without the GIL). */
const MAIN_SITE_SHARE = 0.5;

/**
 * What limits threads the GIL does not bind, when one place stands out: C code that released the
 * GIL and ran on (zlib, hashlib: its threads were busy, and more of them can run at once), or
 * where they slept (a lock, I/O, a sleep). Which one, by the run's own split: the larger of
 * running without the GIL and every thread asleep, when it is more than the GIL's held time (a
 * pool worker idle in its queue's get sleeps as long as the busy thread runs, and is not what
 * limits it). Without the split (no CPU count), where they slept.
 */
function mainLimit(facts: MeasuredVerdict['facts']): string | undefined {
  const { held, free, idle } = facts.runSplit ?? { held: 0, free: 0, idle: 1 };
  const freeSite = facts.freeSites[0];
  if (freeSite && freeSite.share >= MAIN_SITE_SHARE && free > held && free >= idle) {
    return `C code ran without the GIL ${formatPercent(free, 1)} of the run, most after ${functionWithFile(freeSite.fn)} let it go${atLine(freeSite.line)}`;
  }
  const slept = facts.sleepSites[0];
  if (slept && slept.share >= MAIN_SITE_SHARE && idle > held && idle >= free) return `they slept most after ${functionWithFile(slept.fn)} let the GIL go${atLine(slept.line)}`;
  return undefined;
}

function heldByClause(heldBy: HeldBy | undefined): string {
  if (!heldBy) return '';
  if (heldBy.by === 'file') {
    const names = heldBy.functions.slice(0, 2).join(', ') + (heldBy.functions.length > 2 ? ', …' : '');
    return `, ${formatPercent(heldBy.shareOfContention, 1)} of it while code in ${baseName(heldBy.file)} held it (${names})`;
  }
  const fn = heldBy.culprit.fn;
  return `, ${formatPercent(heldBy.culprit.shareOfContention, 1)} of it while ${describeFunction(fn)} held it${mostlyAt(fn)}`;
}

/**
 * A function whose top line has this share of its time is said to hold the GIL there, in the
 * headline: when even the least its holder samples allow (95 %) is that much (62.5 % of 8
 * samples may be 31 %; 64 % of 245 is at least 58 %).
 */
const MOSTLY_ONE_LINE = 0.5;

/** ` at line 18 `blob = zlib.compress(…)`` when one line holds most of the function's time (the details list the others); empty otherwise. */
function mostlyAt(fn: FunctionStats): string {
  const [top] = lineShares(fn, 1);
  // (lines without a count of samples: the share alone decides)
  const least = top && fn.held_samples !== undefined ? shareLowerBound(top.share, fn.held_samples) : top?.share;
  return top && least !== undefined && least >= MOSTLY_ONE_LINE ? ` at line ${top.line}${quotedSource(fn, top.line)}` : '';
}

function describeWaiter(w: { readonly name: string; readonly tid: number | undefined; readonly threads: number }): string {
  return w.tid === undefined ? `${w.name} (${w.threads} threads)` : `${w.name || 'thread'} (tid ${w.tid})`;
}

function describeFunction({ name, file, line }: FunctionRef): string {
  return file ? `${name} (${baseName(file)}:${line})` : name;
}

/** ` at line 23 `usleep(1000)``: empty when the line is not known. */
function atLine(at: { readonly line: number; readonly text?: string } | undefined): string {
  return at && at.line > 0 ? ` at line ${at.line}${at.text ? ` ${quote(at.text)}` : ''}` : '';
}

/** Like describeFunction, with the parentheses even when the file is unknown. */
function functionWithFile({ name, file, line }: FunctionRef): string {
  return `${name} (${baseName(file)}:${line})`;
}

function baseName(file: string): string {
  return file.split('/').pop()!;
}

/** Tracing that cost a large share of the run: said first, as it colours every number after it. */
function tracingCostDetails({ facts }: MeasuredVerdict): string[] {
  return facts.costlyTracing.map(
    ({ pid, duration_ns, tracing_cost: cost }) =>
      `Tracing itself added about ${formatDuration(cost!.added_ns)} to pid ${pid}'s run (${formatPercent(cost!.added_ns, duration_ns)}: ${cost!.gil_cycles} GIL cycles × ${formatDuration(cost!.ns_per_gil_cycle)}): ` +
      'it ran slower than untraced and its waits look longer than they are; sampled (--sample), it is measured at a small cost',
  );
}

function waiterDetails({ facts }: MeasuredVerdict, sampled: boolean): string[] {
  return facts.waiters.map(
    (w) =>
      `${describeWaiter(w)}: waited ${formatPercent(w.waitNs, w.activeNs)} of ${w.threads > 1 ? 'their' : 'its'} active time ` +
      `(${formatDuration(w.waitNs)}), held the GIL ${formatDuration(w.heldNs)}` +
      (sampled ? '' : `, ${plural(w.acquisitions, 'acquisition', 'acquisitions')}, longest wait ${formatDuration(w.maxWaitNs)}`),
  );
}

/** Where the threads let the GIL go before they waited for it (the call that released it, or where a forced switch caught them). */
function waitSiteDetails({ facts }: MeasuredVerdict, sampled: boolean): string[] {
  return facts.waitSites.map(
    ({ fn, line, shareOfWaits }) =>
      `${formatDuration(line.wait_ns)} of waiting (${formatPercent(shareOfWaits, 1)} of all${sampled ? '' : `, ${plural(line.waits, 'wait', 'waits')}`}) came after ${functionWithFile(fn)} ` +
      // (the call path most of it came by: a thread start's Event.wait, a queue's get)
      `let the GIL go${atLine(line)}${sitePath(line.paths?.[0]?.callers)}`,
  );
}

/** threading's own frames under every thread's target (3.8 names them without their class). */
const THREAD_BOOTSTRAP: ReadonlySet<string> = new Set(['Thread.run', 'Thread._bootstrap_inner', 'Thread._bootstrap', 'run', '_bootstrap_inner', '_bootstrap']);

/**
 * ", called from A ← B" for a site's call path, its first three callers; nothing when there is
 * none, or when it is only threading's start of a thread (a thread's target: said by its name).
 */
function sitePath(callers: readonly string[] | undefined): string {
  if (!callers?.length || callers.every((c) => THREAD_BOOTSTRAP.has(c))) return '';
  return `, called from ${callers.slice(0, 3).join(' ← ')}`;
}

/** Where the most contended process's time went: the GIL held, C code running without it, everybody asleep. */
function splitDetails({ facts }: MeasuredVerdict): string[] {
  const split = facts.runSplit;
  if (!split) return [];
  // (the rest: the GIL changing hands, nobody holding it while threads were on their way to it)
  const handover = split.handover !== undefined ? `, it changed hands ${formatPercent(split.handover, 1)} (nobody held it while threads were on their way to it or to a CPU)` : '';
  return [`Of pid ${split.pid}'s run, a thread held the GIL ${formatPercent(split.held, 1)}, C code ran with nobody holding it ${formatPercent(split.free, 1)}, every thread slept ${formatPercent(split.idle, 1)}${handover}`];
}

/** Where the threads slept without the GIL (what they waited for instead: a lock, I/O, a sleep), and where they ran without it. */
function releasedSiteDetails({ facts }: MeasuredVerdict): string[] {
  // (the call path most of that time came by, else the function's most common: a library's
  // socket read says whose I/O it was)
  const said = (sites: MeasuredVerdict['facts']['sleepSites'], what: string): string[] =>
    sites.map(
      ({ fn, line, ns, share, callers }) =>
        `${formatDuration(ns)} ${what} without the GIL (${formatPercent(share, 1)} of the threads' such time) came after ${functionWithFile(fn)} let it go${atLine(line)}${sitePath(callers ?? fn.stacks[0]?.callers)}`,
    );
  return [...said(facts.sleepSites, 'asleep'), ...said(facts.freeSites, 'running')];
}

function culpritDetails({ facts }: MeasuredVerdict): string[] {
  return facts.culprits.map(({ fn, shareOfContention }) => {
    const callers = fn.stacks[0]?.callers ?? [];
    const forced = fn.forced_drops > 0 ? `, caught by ${plural(fn.forced_drops, 'forced switch', 'forced switches')} in ${formatDuration(fn.forced_held_while_others_wait_ns)} of it` : '';
    const lines = formatLineShares(lineShares(fn), fn);
    return (
      `${describeFunction(fn)} held the GIL ${formatDuration(fn.held_while_others_wait_ns)} while others waited ` +
      `(${formatPercent(shareOfContention, 1)} of the contended time${forced})` +
      (callers.length ? `; called from ${callers.slice(0, 3).join(' ← ')}` : '') +
      (lines ? `; by line ${lines}${fn.held_samples ? ` (${plural(fn.held_samples, 'holder sample', 'holder samples')})` : ''}` : '')
    );
  });
}

function estimateDetails({ withoutGil: e }: MeasuredVerdict): string[] {
  if (!e) return [];
  const lines = [
    `Without the GIL, process ${e.pid} would take about ${formatDuration(e.estimatedNs)} instead of ${formatDuration(e.measuredNs)} on ${e.cpus} CPUs ` +
      '(an estimate from who wanted to run when; it assumes the same work per thread — a free-threaded build runs Python somewhat slower — ' +
      'no other lock serializing the threads, and I/O as long as it was)',
  ];
  if (e.gilBound) {
    lines.push(
      `While threads waited, Python ran on ${e.pythonCpusWhileContended.toFixed(2)} CPUs on average (one GIL, at most 1): more threads add waiting, not speed`,
    );
  }
  return lines;
}

/** Holders preempted for long while others waited: not the program's fault, but every waiter waits for it too. */
function preemptionDetails({ facts }: MeasuredVerdict): string[] {
  return facts.preempted.map(
    (h) =>
      `${h.name || 'thread'} (tid ${h.tid}) was preempted while holding the GIL for ${formatDuration(h.preemptedNs)}` +
      `${formatDuration(h.preemptedContendedNs) !== formatDuration(h.preemptedNs) ? `, ${formatDuration(h.preemptedContendedNs)} of it while other threads waited` : ''}: ` +
      'more runnable threads than CPUs (other processes?) stall every thread waiting for the GIL',
  );
}

function recordingDetails({ facts }: MeasuredVerdict, sampled: boolean): string[] {
  const details: string[] = [];
  const several = facts.processNotes.length > 1;
  for (const notes of facts.processNotes) {
    const where = several ? `pid ${notes.pid}: ` : '';
    const { handoff, drops } = notes;
    if (handoff.count > 0 && !sampled) {
      details.push(
        `${where}${plural(handoff.count, 'GIL hand-off', 'GIL hand-offs')} between threads: median ${formatDuration(handoff.p50_ns)}, ` +
          `p99 ${formatDuration(handoff.p99_ns)}, max ${formatDuration(handoff.max_ns)}`,
      );
    }
    if (drops.forced + drops.voluntary > 0 && !sampled) {
      details.push(`${where}${plural(drops.forced, 'forced drop', 'forced drops')} (a waiter's switch interval expired) and ${drops.voluntary} voluntary (I/O, sleep, C code releasing the GIL)`);
    }
    if (notes.misfitEvents > 0) details.push(`${where}${plural(notes.misfitEvents, 'event', 'events')} did not fit the GIL state machine (see anomalies)`);
    if (notes.resyncedEvents > 0) {
      details.push(`${where}${plural(notes.resyncedEvents, 'event', 'events')} right after lost ones did not fit what came before (the losses explain ${notes.resyncedEvents === 1 ? 'it' : 'them'})`);
    }
    if (notes.schedulerGaps > 0) {
      details.push(
        `${where}${plural(notes.schedulerGaps, 'scheduler event was', 'scheduler events were')} missing or out of step (see anomalies): CPU states next to ${notes.schedulerGaps === 1 ? 'it are' : 'them are'} inferred from GIL probe hits`,
      );
    }
    if (notes.threadsWithoutScheduler > 0) {
      details.push(`${where}${plural(notes.threadsWithoutScheduler, 'thread had', 'threads had')} no scheduler events: ${notes.threadsWithoutScheduler === 1 ? 'its CPU state is' : 'their CPU states are'} unknown (counted as running)`);
    }
  }
  if (facts.lostEvents > 0) details.push(`The recording lost ${plural(facts.lostEvents, 'event', 'events')}: numbers near the losses are uncertain`);
  return details;
}

/** "1 event", "3 events": a count with its noun (and verb) in the number it takes. */
function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Worded for what a scheduler-only recording can see: waits spent switched out, no holding. */
function inferredVerdictText({ kind, facts }: InferredVerdict): VerdictText {
  const details = facts.topWaiters.map(
    (t) =>
      `${t.name || 'thread'} (tid ${t.tid}): off-CPU in take_gil ${formatPercent(t.wait_ns, t.lifetime_ns)} of its life ` +
      `(${formatDuration(t.wait_ns)} in ${plural(t.wait.count, 'wait', 'waits')}, longest ${formatDuration(t.wait.max_ns)})`,
  );
  details.push('Inferred from scheduler call chains: who held the GIL, hand-offs and forced/voluntary drops are not in this recording');
  if (facts.waiters === 0) {
    return { kind, headline: 'No thread was seen switched out inside take_gil (inferred from scheduling; waits spent on-CPU are not visible)', details };
  }
  const what =
    `threads that waited spent ${formatPercent(facts.waitNs, facts.lifetimeNs)} of their time switched out waiting for the GIL ` +
    '(inferred from scheduling)';
  if (kind === 'gil-bound') return { kind, headline: `Likely GIL-bound: ${what}; more threads will not help — use processes, or a free-threaded build`, details };
  if (kind === 'gil-contended') return { kind, headline: `The GIL is contended: ${what}`, details };
  return { kind, headline: `GIL waits look small: ${what}`, details };
}
