/**
 * Which verdict a recording earns, from the facts of verdict-facts.ts. Rules, first match wins:
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
 *
 * A scheduler-only recording (waits inferred, holding never seen: inferred-wait-facts.ts) gets
 * rules 4 to 6 alone, on the share of their lives the threads seen waiting spent switched out in
 * take_gil.
 *
 * This decides and keeps the numbers; cli/verdict-text.ts words them, for the terminal and the
 * stats JSON alike.
 */
import { isProgramCode } from '../contract/python-frames.js';
import type { FunctionRef, ProcessStats, StatsJson, ThreadStats } from '../contract/stats.js';
import type { RecordingKind } from '../model/recording-kind.js';
import type { Timeline } from '../model/timeline.js';
import type { TimelineFacts } from './stats-accumulator.js';
import { computeInferredWaitFacts, type InferredWaitFacts } from './inferred-wait-facts.js';
import type { OffCpuHold } from './off-cpu-holds.js';
import {
  computeVerdictFacts,
  CONTENDED_WAIT_FRACTION,
  GIL_BOUND_WAIT_FRACTION,
  type Culprit,
  type VerdictFacts,
  type Waiter,
} from './verdict-facts.js';

export type VerdictKind = 'gil-bound' | 'gil-contended' | 'not-gil-bound' | 'no-threads' | 'gil-held-off-cpu' | 'gil-held-long';
type WaitShareKind = 'gil-bound' | 'gil-contended' | 'not-gil-bound';

/** What the headline states: the rule that decided, with the facts it decided on. */
export type VerdictReason =
  | { readonly rule: 'no-gil-process' }
  | { readonly rule: 'one-gil-thread' }
  /**
   * With the timeline: a hold while asleep; `holderFunction` is where holder samples saw the
   * thread asleep holding (with the line), else where it held the GIL most.
   */
  | { readonly rule: 'held-asleep'; readonly hold: OffCpuHold; readonly holderFunction: HolderFunction | undefined }
  /** Without the timeline: off-CPU holds, asleep and preempted alike. */
  | { readonly rule: 'held-off-cpu'; readonly process: ProcessStats; readonly thread: ThreadStats }
  | { readonly rule: 'held-long'; readonly culprit: Culprit }
  | {
      readonly rule: 'wait-share';
      /** Who held the GIL while the others waited, when the recording knows. */
      readonly heldBy: HeldBy | undefined;
      /** For gil-bound: the pool or thread that waited more than the average says, worth naming. */
      readonly standout: Waiter | undefined;
    };

/** A module whose functions shared the holding, or the top function. */
export type HeldBy =
  | { readonly by: 'file'; readonly file: string; readonly functions: readonly string[]; readonly shareOfContention: number }
  | { readonly by: 'function'; readonly culprit: Culprit };

/** Waits measured by GIL probes (or no GIL events at all). */
export interface MeasuredVerdict {
  readonly waits: 'measured';
  readonly kind: VerdictKind;
  readonly reason: VerdictReason;
  readonly facts: VerdictFacts;
  /** The run without the GIL, when it would be more than 5 % shorter; `gilBound` when waiting dominated. */
  readonly withoutGil: (NonNullable<VerdictFacts['withoutGil']> & { readonly gilBound: boolean }) | undefined;
}

/** Waits inferred from the scheduler (a scheduler-only recording). */
export interface InferredVerdict {
  readonly waits: 'inferred';
  readonly kind: WaitShareKind;
  readonly facts: InferredWaitFacts;
}

export type Verdict = MeasuredVerdict | InferredVerdict;

/** A long run counts when its function held this share of the contended time. */
const LONG_RUN_MIN_SHARE = 0.1;
/** A file is named over the top function when its functions together held this many times as much. */
const FILE_OVER_FUNCTION = 1.5;
/** The no-GIL estimate is worth telling when it is below this share of the run as measured. */
const ESTIMATE_MAX_RATIO = 0.95;

/** The verdict on the stats (with the timeline, or what it asks of it, when at hand) of a recording of that kind. */
export function computeVerdict(stats: StatsJson, timeline?: Timeline | TimelineFacts, recording: RecordingKind = 'gil-probes'): Verdict {
  if (recording === 'scheduler-only') {
    const facts = computeInferredWaitFacts(stats);
    return { waits: 'inferred', kind: facts.waiters === 0 ? 'not-gil-bound' : waitShareKind(facts.waitShare), facts };
  }
  const facts = computeVerdictFacts(stats, timeline);
  const e = facts.withoutGil;
  const withoutGil = e && e.estimatedNs < ESTIMATE_MAX_RATIO * e.measuredNs ? { ...e, gilBound: facts.waitShare >= GIL_BOUND_WAIT_FRACTION } : undefined;
  const [kind, reason] = decide(stats, facts);
  return { waits: 'measured', kind, reason, facts, withoutGil };
}

/** The one place the wait-share thresholds apply, to measured and inferred waits alike. */
function waitShareKind(share: number): WaitShareKind {
  if (share >= GIL_BOUND_WAIT_FRACTION) return 'gil-bound';
  return share >= CONTENDED_WAIT_FRACTION ? 'gil-contended' : 'not-gil-bound';
}

function decide(stats: StatsJson, facts: VerdictFacts): [VerdictKind, VerdictReason] {
  if (stats.processes.length === 0) return ['no-threads', { rule: 'no-gil-process' }];
  if (facts.contendable.length === 0) return ['no-threads', { rule: 'one-gil-thread' }];
  const asleep = facts.asleepHolds[0];
  if (asleep) {
    // where the samples saw it asleep holding; else where it held the GIL most
    const holderFunction = asleep.asleepIn ? asleepInFunction(asleep.asleepIn) : functionOfThread(stats, asleep.pid, asleep.tid);
    return ['gil-held-off-cpu', { rule: 'held-asleep', hold: asleep, holderFunction }];
  }
  const offCpu = facts.offCpuThreads[0];
  if (offCpu) return ['gil-held-off-cpu', { rule: 'held-off-cpu', ...offCpu }];
  const long = facts.longRuns.find((c) => c.shareOfContention >= LONG_RUN_MIN_SHARE);
  if (long) return ['gil-held-long', { rule: 'held-long', culprit: long }];
  const kind = waitShareKind(facts.waitShare);
  return [kind, { rule: 'wait-share', heldBy: heldBy(facts), standout: kind === 'gil-bound' ? standout(facts) : undefined }];
}

function heldBy(facts: VerdictFacts): HeldBy | undefined {
  const top = facts.culprits[0];
  const file = facts.culpritFile;
  if (file && (!top || file.shareOfContention >= FILE_OVER_FUNCTION * top.shareOfContention)) return { by: 'file', ...file };
  return top ? { by: 'function', culprit: top } : undefined;
}

/** The average is over every thread: the pool, or the thread, that waited most, when that adds something. */
function standout(facts: VerdictFacts): Waiter | undefined {
  const worst = facts.waiters[0];
  const tells = worst && worst.activeNs > 0 && (worst.tid === undefined || worst.waitNs / worst.activeNs > facts.waitShare);
  return tells ? worst : undefined;
}

/** Where a thread held the GIL asleep: a function, and the line it ran there when holder samples read it. */
export interface HolderFunction extends FunctionRef {
  /** The line (0: not known) and its text. */
  readonly at?: { readonly line: number; readonly text?: string };
}

/** The function and line samples saw a thread asleep in, with the line's text when the recording has it. */
function asleepInFunction({ fn, line }: NonNullable<OffCpuHold['asleepIn']>): HolderFunction {
  const ref = { name: fn.name, file: fn.file, line: fn.line };
  if (line <= 0) return ref;
  const text = fn.source?.get(line);
  return { ...ref, at: { line, ...(text !== undefined ? { text } : {}) } };
}

/** The function a thread held the GIL in most, when the recording knows. */
function functionOfThread(stats: StatsJson, pid: number, tid: number): FunctionRef | undefined {
  const top = stats.processes.find((p) => p.pid === pid)?.threads.find((t) => t.tid === tid)?.top_functions?.find((f) => f.held_ns > 0);
  return top && isProgramCode(top) ? top : undefined;
}
