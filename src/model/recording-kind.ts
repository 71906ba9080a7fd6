/**
 * What kind of recording this is, as far as the GIL goes, and how perf made it. Told from the
 * event names before reading (should waits be inferred at all?) and from what the adapter found
 * after reading (did anything say where threads waited?).
 */
import type { AdapterFacts } from './perf-to-timeline-events.js';
import { gilRoleOf } from './probe-namings.js';

export type RecordingKind =
  /** GIL probe events (giltrace's, `perf probe`'s or per4m's names): waits and holds measured. */
  | 'gil-probes'
  /**
   * No GIL probe, but scheduler samples with user-stack copies (`perf record -e sched:* --call-graph
   * dwarf`, the python-gil-tracer way): GIL waits inferred from where threads went to sleep
   * (model/wait-inference.ts), holding never seen.
   */
  | 'scheduler-only'
  /** Neither: nothing in it says where a thread waited for or held the GIL. */
  | 'no-gil-events';

/** Whether the recording has a GIL probe (or marker) event at all: without one, waits can only be inferred. */
export function hasGilProbes(eventNames: readonly string[]): boolean {
  return eventNames.some((name) => gilRoleOf(name) !== undefined);
}

/**
 * GIL probes on take_gil's entry but none on its return (giltrace's default since 12-05): each
 * take's end is placed from the drops and the scheduler (take-placement.ts).
 */
export function takesNeedPlacing(eventNames: readonly string[]): boolean {
  const roles = new Set(eventNames.map(gilRoleOf));
  return roles.has('take') && !roles.has('take_ret');
}

/** The kind, once the adapter has read the recording (and, without GIL probes, scanned its stacks). */
export function recordingKindOf(facts: Pick<AdapterFacts, 'gilEvents' | 'stackScans'>): RecordingKind {
  if (facts.gilEvents > 0) return 'gil-probes';
  return facts.stackScans > 0 ? 'scheduler-only' : 'no-gil-events';
}

/**
 * perf's command line says whether it recorded system-wide (-a) or only the command's tasks. A
 * per-task recording gets sched_switch only in the context of the task leaving the CPU, so
 * switch-ins from an idle or untraced CPU are missing: running and runnable cannot be told apart.
 * undefined when the recording does not carry its command line.
 */
export function isPerTaskRecording(cmdline: readonly string[] | undefined): boolean | undefined {
  if (!cmdline || cmdline.length === 0) return undefined;
  const end = cmdline.indexOf('--');
  const options = (end < 0 ? cmdline : cmdline.slice(0, end)).join(' ').split(/\s+/);
  return !options.some((arg) => arg === '-a' || arg === '--all-cpus' || /^-[A-Za-z]*a$/.test(arg) || arg === '-C' || arg.startsWith('--cpu'));
}
