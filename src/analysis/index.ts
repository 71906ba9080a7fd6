/** analysis/: pure, Timeline → numbers. The stage's public API. */
export { computeStats, statsOf, DROP_REASON_UNKNOWN, shareError } from './compute-stats.js';
export { accumulateWhole, type TimelineFacts } from './stats-accumulator.js';
export type { RecordingMeta, ProcessMeta } from './recording-meta.js';
export { UNKNOWN_PYTHON } from './recording-meta.js';
export { computeVerdict } from './verdict.js';
export type { HeldBy, InferredVerdict, MeasuredVerdict, Verdict, VerdictKind, VerdictReason } from './verdict.js';
export { GIL_BOUND_WAIT_FRACTION, CONTENDED_WAIT_FRACTION, HELD_OFF_CPU_MIN_NS, HELD_OFF_CPU_MIN_FRACTION, LONG_CONTENDED_RUN_NS } from './verdict-facts.js';
export type { Culprit, ProcessNotes, VerdictFacts, Waiter } from './verdict-facts.js';
export type { InferredWaitFacts } from './inferred-wait-facts.js';
export { computeWaitHistogram, WaitBins, WAIT_HISTOGRAM_EDGES_NS } from './wait-histogram.js';
export { computeHandoffLatencies } from './handoffs.js';
export { computeOffCpuHolds } from './stats-accumulator.js';
export type { OffCpuHold } from './off-cpu-holds.js';
export { summarizeDurations } from './summary.js';
export { compareRuns } from './compare-runs.js';
export type { RunLabels } from './compare-runs.js';
export { hasFunctionContext, holdStack } from './function-stats.js';
export { gilStepStacks } from './gil-step-stacks.js';
