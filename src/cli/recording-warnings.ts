/**
 * The warnings a recording's stats carry (`recording.warnings`), worded from what the stages
 * found out: the manifest could not be read, the kind of recording (model/recording-kind.ts)
 * limits what can be said, perf recorded only the command's tasks, a Python hook stayed silent,
 * perf lost events. Each says what a number cannot be trusted for, and how to record better.
 */
import type { NamedThread } from '../contract/recording-manifest.js';
import type { ProcessStats } from '../contract/stats.js';
import type { AdapterFacts } from '../model/perf-to-timeline-events.js';
import type { RecordingKind } from '../model/recording-kind.js';
import type { MissedByLateProbes, UntracedPython } from '../model/untraced-pythons.js';
import type { GilWaitLookup } from '../probe/gil-wait-classifier.js';
import { unnamedPythonWarnings } from './python-hook-warning.js';

export const INFERRED_WAITS_WARNING =
  'no GIL probes in this recording: GIL waits are INFERRED from scheduling (a thread that goes to sleep with take_gil on its ' +
  'user stack waits until it is woken), not measured. Time in take_gil on-CPU or runnable is missed; holding is not observed: ' +
  'held_ns, acquisitions, hand-offs and drops read 0 and held-off-CPU is unknown. Record with giltrace record for exact numbers';

export const PER_TASK_WARNING =
  'perf recorded only the command\'s tasks (no -a): switch-ins onto idle CPUs are not in the recording, so time running ' +
  'after a wakeup counts as runnable (CPU state columns are approximate)';

/**
 * Drops in code not named are said when more than 1 in this many are: every Python started with
 * a `.pth` file that runs code (setuptools') drops the GIL in code exec'd and freed within a
 * millisecond (17 of 1 811 drops of examples/two_threads.py), and a process's last moments too.
 */
const UNNAMED_CODE_DROPS_SAID = 50;

export interface RecordingFindings {
  /** Why giltrace's manifest in the recording could not be used, when it could not. */
  readonly manifestProblem: string | undefined;
  readonly kind: RecordingKind;
  readonly facts: AdapterFacts;
  /** The code lookup that inferred waits (scheduler-only recordings). */
  readonly waitLookup: GilWaitLookup | undefined;
  /** perf's command line had no -a (undefined: the recording does not say). */
  readonly perTask: boolean | undefined;
  readonly eventNames: readonly string[];
  readonly pids: readonly number[];
  readonly lostEvents: number;
  /**
   * giltrace attached to running processes (no hook in them reports Python thread names): and
   * named their threads by what each was started to run, or (older recordings) did not.
   */
  readonly attached?: 'named' | 'unnamed';
  /** Attached: the threads giltrace saw holding or waiting for a GIL as it attached (the manifest's gilAtAttach). */
  readonly gilUsersAtAttach?: number;
  /** Traced processes that ran a Python without probes. */
  readonly untraced?: readonly UntracedPython[];
  /** Extra recordings (interpreters found while recording) the manifest lists but that could not be read. */
  readonly missingExtras?: readonly string[];
  /** Interpreters found while recording (their processes are traced from when their probes were placed). */
  /** Interpreters probed only once found running (lateInterpreterProcesses: those with a process traced late). */
  readonly lateInterpreters?: readonly string[];
  /** Processes on such an interpreter that ended before its probes came (no GIL event of theirs). */
  readonly missedByLateProbes?: readonly MissedByLateProbes[];
  /** Bytes of events at the end of zstd data that were no whole record (PerfReadStats.zstdTailBytes). */
  readonly zstdTailBytes?: number;
}

export function recordingWarnings(found: RecordingFindings): string[] {
  const { facts } = found;
  const warnings: string[] = [];
  if (found.manifestProblem) warnings.push(`${found.manifestProblem}: drop reasons are read from this machine's interpreter files instead`);
  if (found.kind === 'scheduler-only' && found.waitLookup) {
    warnings.push(...inferredWaitWarnings(facts, found.waitLookup));
  } else if (found.kind === 'no-gil-events' && found.attached !== undefined) {
    warnings.push(found.gilUsersAtAttach
      ? `no thread took or let go of a GIL while giltrace recorded: who held it and who waited (${found.gilUsersAtAttach} threads) is as giltrace saw them when it attached, unchanged to the end`
      : 'no thread took or let go of a GIL while giltrace recorded, and none held or waited for one when it attached: the attached threads stayed away from Python');
  } else if (found.kind === 'no-gil-events') {
    warnings.push('no GIL probe events in this recording: was it made with giltrace record (or perf probes on take_gil/drop_gil)?');
  }
  if (found.attached === 'unnamed') {
    warnings.push('thread names of attached processes are their OS names: Python thread names are known only for programs giltrace starts');
  } else if (found.attached === 'named') {
    warnings.push("threads of attached processes are named by the function each was started to run (the main thread MainThread), read from their stacks: their Python names are known only for programs giltrace starts");
  }
  for (const executable of found.lateInterpreters ?? []) {
    warnings.push(`${executable} was started while recording and got its probes then: its processes are traced from about half a second after they began (before that they count as without the GIL); pass --python ${executable} to trace them from the start`);
  }
  for (const { pid, executable } of found.missedByLateProbes ?? []) {
    warnings.push(`process ${pid} ran ${executable}, which giltrace probed only once it was running (about half a second after the process began), and ended before: it is not in these numbers; pass --python ${executable} to trace it from the start`);
  }
  for (const missing of found.missingExtras ?? []) {
    warnings.push(`the extra recording ${missing} cannot be read: the GIL of the interpreter it holds is not in these numbers`);
  }
  for (const { pid, file } of found.untraced ?? []) {
    warnings.push(`process ${pid} ran ${file}, which giltrace put no probes on: its GIL is not in this recording (add --python with that interpreter to trace it too)`);
  }
  if (found.zstdTailBytes) {
    warnings.push(`perf left the end of its compressed (-z) data unfinished: the last ${found.zstdTailBytes} bytes of events were no whole record and were dropped, as perf script drops them`);
  }
  if (facts.schedEvents > 0 && found.perTask) warnings.push(PER_TASK_WARNING);
  const takes = facts.takesPlaced;
  // one guess at the recording's end is one take among thousands: only more is worth a word
  if (takes && takes.guessed * 1000 > takes.placed && takes.guessed > 1) {
    warnings.push(
      `${takes.guessed} of the ${takes.placed} GIL takes were placed by a guess (events lost, or a thread held the GIL through ` +
        '100,000 events while others waited): waits and holds around them are less exact; record with --exact-takes to probe take_gil\'s return',
    );
  }
  if (facts.unnamedCodeDrops * UNNAMED_CODE_DROPS_SAID > facts.codeDrops) {
    warnings.push(
      `${facts.unnamedCodeDrops} of ${facts.codeDrops} GIL drops were in code giltrace could not read while its process ran (gone or freed ` +
        'before giltrace saw the drop): where they let the GIL go, and the waits after, are <unknown>',
    );
  }
  warnings.push(...unnamedPythonWarnings(found.eventNames, found.pids, facts));
  if (found.lostEvents > 0) {
    warnings.push(`perf lost ${found.lostEvents} events (ring buffer overrun): use a larger --buffer; numbers near the gaps are uncertain`);
  }
  return warnings;
}

/** What a scheduler-only recording cannot show, and why some waits may be missing. */
function inferredWaitWarnings(facts: AdapterFacts, lookup: GilWaitLookup): string[] {
  const warnings = [
    `${INFERRED_WAITS_WARNING} (${facts.sleepsInTakeGil} of ${facts.stackScans} sleeps were in take_gil: ${facts.inferredWaits} waits)`,
  ];
  if (facts.inferredWaitsEndUnseen > 0) {
    warnings.push(
      `${facts.inferredWaitsEndUnseen} inferred GIL waits had no recorded wakeup: they end where the thread was next seen running ` +
        '(record with -a to see every wakeup and switch-in)',
    );
  }
  for (const [file, why] of lookup.unusable) {
    warnings.push(`cannot tell GIL waits in ${file}: ${why}; waits there are not counted`);
  }
  if (lookup.symbolized.size === 0 && lookup.unusable.size === 0) {
    warnings.push('no user stack pointed into a Python library with a take_gil symbol: no GIL wait could be inferred');
  }
  return warnings;
}

/**
 * Threads of an attached process that keep their OS name: the names come from reading what each
 * thread was started to run while giltrace records (attached-thread-names.ts), and a thread that
 * lives a few ms (a thread per request) is often gone before its turn; a thread not started by
 * `threading` has no such function. Said per process, so that a group named like the program
 * beside the named one is explained (an attached ThreadingHTTPServer: 2 592 `python3` threads
 * beside 883 `python3 (ThreadingMixIn.process_request_thread)`, 12-07).
 */
export function unnamedAttachedThreadsWarnings(processes: readonly ProcessStats[], attached: readonly { readonly pid: number }[], named: readonly NamedThread[]): string[] {
  const attachedPids = new Set(attached.map((a) => a.pid));
  const namedTids = new Set(named.map((n) => `${n.pid}:${n.tid}`));
  const out: string[] = [];
  for (const process of processes) {
    if (!attachedPids.has(process.pid)) continue;
    const unnamed = process.threads.filter((t) => t.tid !== process.pid && !namedTids.has(`${process.pid}:${t.tid}`));
    if (unnamed.length === 0) continue;
    const osNames = [...new Set(unnamed.map((t) => t.name))].slice(0, 3).join(', ');
    out.push(
      `${unnamed.length === 1 ? '1 thread' : `${unnamed.length} threads`} of attached process ${process.pid} keep${unnamed.length === 1 ? 's' : ''} ${unnamed.length === 1 ? 'its' : 'their'} OS name (${osNames}): ` +
        'what they were started to run could not be read while they lived (a thread of a few ms, or one not started by threading)',
    );
  }
  return out;
}