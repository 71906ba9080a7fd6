/**
 * `giltrace diff`: two recordings' stats side by side (4 vs 16 threads, 3.12 vs 3.13t). Pure: it
 * reads two giltrace.stats/1 objects and says, per process, per thread group and per function,
 * what each run measured and what changed; it never guesses silently: processes that could only
 * be paired by position, and whatever else makes the runs unlike, are listed in `notes`.
 */
import {
  DIFF_SCHEMA,
  type Compared,
  type DiffJson,
  type ProcessDiff,
  type ProcessMatch,
  type ProcessSide,
  type RunSide,
} from '../contract/diff.js';
import type { ProcessStats, StatsJson } from '../contract/stats.js';
import { compared, compareFunctions, compareThreadNumbers, compareThreadRows } from './compare-rows.js';
import { pairUp, type Pair } from './pair-up.js';

export interface RunLabels {
  readonly a: string;
  readonly b: string;
}

export function compareRuns(a: StatsJson, b: StatsJson, labels: RunLabels = { a: 'A', b: 'B' }): DiffJson {
  const pairs = pairProcesses(a.processes, b.processes);
  const notes = [...recordingNotes(a, b, labels), ...pairs.flatMap(({ pair, match }) => processNotes(pair, match, labels))];
  const sampled = { a: a.recording.sampling !== undefined, b: b.recording.sampling !== undefined };
  return {
    schema: DIFF_SCHEMA,
    a: runSide(a, labels.a),
    b: runSide(b, labels.b),
    verdict_kind_changed: a.verdict?.kind !== b.verdict?.kind,
    processes: pairs.map(({ pair, match }) => uncountedWhereSampled(compareProcesses(pair, match), sampled)),
    notes,
  };
}

/**
 * A sampled run counts no GIL takes, waits or forced drops (its ticks see what outlasts a tick:
 * 47 takes against an exact run's 1829 read as -97%): its side of those numbers is left out.
 */
function uncountedWhereSampled(process: ProcessDiff, sampled: { readonly a: boolean; readonly b: boolean }): ProcessDiff {
  if (!sampled.a && !sampled.b) return process;
  const counted = (c: Compared): Compared => compared(sampled.a ? undefined : c.a, sampled.b ? undefined : c.b);
  return {
    ...process,
    forced_drops: counted(process.forced_drops),
    all_threads: { ...process.all_threads, acquisitions: counted(process.all_threads.acquisitions) },
    threads: process.threads.map((row) => ({ ...row, acquisitions: counted(row.acquisitions) })),
    functions: process.functions.map((fn) => ({ ...fn, waits: counted(fn.waits), forced_drops: counted(fn.forced_drops) })),
  };
}

function runSide(stats: StatsJson, label: string): RunSide {
  const { duration_ns, cpus, lost_events, warnings } = stats.recording;
  return {
    label,
    duration_ns,
    ...(cpus !== undefined && { cpus }),
    lost_events,
    warnings,
    ...(stats.verdict && { verdict: { kind: stats.verdict.kind, headline: stats.verdict.headline } }),
    ...(stats.recording.sampling && { sampled: true }),
  };
}

/** The arguments after the interpreter: the same program and input, whichever Python ran it. */
function argumentsOf(command: string): string {
  return command.trim().split(/\s+/).slice(1).join(' ');
}

/** The script's file name (the first argument that is not an option), e.g. `pool.py` of `python3 -X dev dir/pool.py 16`. */
function scriptOf(command: string): string | undefined {
  const script = command.trim().split(/\s+/).slice(1).find((word) => !word.startsWith('-'));
  return script?.slice(script.lastIndexOf('/') + 1);
}

const MATCH_BY_PASS: readonly ProcessMatch[] = ['same-command', 'same-script'];

/** By command, then by script, then the n-th left of A with the n-th left of B. */
function pairProcesses(as: readonly ProcessStats[], bs: readonly ProcessStats[]): { pair: Pair<ProcessStats>; match: ProcessMatch }[] {
  const pairs = pairUp(as, bs, [{ key: (p) => argumentsOf(p.command) }, { key: (p) => scriptOf(p.command) }]);
  const onlyB = pairs.filter((p) => !p.a);
  let next = 0;
  const result: { pair: Pair<ProcessStats>; match: ProcessMatch }[] = [];
  for (const pair of pairs) {
    if (!pair.a) continue;
    if (pair.b) result.push({ pair, match: MATCH_BY_PASS[pair.pass!] });
    else if (next < onlyB.length) result.push({ pair: { a: pair.a, b: onlyB[next++].b }, match: 'position' });
    else result.push({ pair, match: 'only-a' });
  }
  for (const pair of onlyB.slice(next)) result.push({ pair, match: 'only-b' });
  return result;
}

function processSide(process: ProcessStats): ProcessSide {
  const { pid, command, python, threads, functions } = process;
  return {
    pid,
    command,
    python: { version: python.version, executable: python.executable, gil: python.gil },
    threads: threads.length,
    function_context: functions !== undefined,
  };
}

function compareProcesses(pair: Pair<ProcessStats>, match: ProcessMatch): ProcessDiff {
  const { a, b } = pair;
  return {
    match,
    ...(a && { a: processSide(a) }),
    ...(b && { b: processSide(b) }),
    duration_ns: compared(a?.duration_ns, b?.duration_ns),
    gil_held_ns: compared(a?.gil.held_ns, b?.gil.held_ns),
    gil_contended_ns: compared(a?.gil.contended_ns, b?.gil.contended_ns),
    forced_drops: compared(a?.gil.drops.forced, b?.gil.drops.forced),
    c_without_gil_ns: compared(a?.time_split?.free_ns, b?.time_split?.free_ns),
    all_asleep_ns: compared(a?.time_split?.idle_ns, b?.time_split?.idle_ns),
    handover_ns: compared(a?.time_split?.handover_ns, b?.time_split?.handover_ns),
    all_threads: compareThreadNumbers(a?.threads, b?.threads),
    threads: compareThreadRows(a, b),
    functions: compareFunctions(a?.functions ?? [], b?.functions ?? []),
  };
}

function recordingNotes(a: StatsJson, b: StatsJson, labels: RunLabels): string[] {
  const notes: string[] = [];
  const cpusA = a.recording.cpus;
  const cpusB = b.recording.cpus;
  if (cpusA !== undefined && cpusB !== undefined && cpusA !== cpusB) {
    notes.push(`${labels.a} was recorded on ${cpusA} CPUs, ${labels.b} on ${cpusB}: waiting depends on how many threads can run at once`);
  }
  for (const [stats, label] of [[a, labels.a], [b, labels.b]] as const) {
    const sampling = stats.recording.sampling;
    if (sampling) {
      notes.push(`${label} was sampled (${Math.round(sampling.effective_hz)} ticks a second): its times are estimates (shares ±${(sampling.share_error_95 * 100).toFixed(1)} points for a thread that lived throughout) and it counts no GIL takes, waits or forced drops`);
    }
    if (stats.recording.lost_events > 0) notes.push(`${label} lost ${stats.recording.lost_events} events: its numbers near the gaps are uncertain`);
    if (stats.processes.length === 0) notes.push(`${label} has no Python process with GIL activity`);
  }
  return notes;
}

function processNotes(pair: Pair<ProcessStats>, match: ProcessMatch, labels: RunLabels): string[] {
  const { a, b } = pair;
  const describe = (p: ProcessStats, label: string) => `process ${p.pid} of ${label} (${p.command})`;
  const notes: string[] = [];
  if (match === 'position') notes.push(`${describe(a!, labels.a)} is compared with ${describe(b!, labels.b)} by position: they ran different commands`);
  if (match === 'only-a') notes.push(`${describe(a!, labels.a)} has no counterpart in ${labels.b}`);
  if (match === 'only-b') notes.push(`${describe(b!, labels.b)} has no counterpart in ${labels.a}`);
  if (a && b && (a.functions === undefined) !== (b.functions === undefined)) {
    const [without, other] = a.functions === undefined ? [describe(a, labels.a), labels.b] : [describe(b, labels.b), labels.a];
    notes.push(`${without} has no function context (recorded with --stack-depth 0 or by another tool): its functions show as only in ${other}`);
  }
  return notes;
}
