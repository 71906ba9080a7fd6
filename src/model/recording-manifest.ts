/**
 * Reads giltrace's recording manifest (contract/recording-manifest.ts) from the bytes of its
 * header feature section, and turns its drop-caller tables into the adapter's DropClassifier.
 * A manifest that cannot be read is reported, never thrown: the recording itself is still good.
 */
import {
  RECORDING_MANIFEST_SCHEMA,
  type AttachedProcess,
  type DropCallerTable,
  type FileRange,
  type GilAtAttach,
  type NamedThread,
  type RecordedInterpreter,
  type RecordingManifest,
} from '../contract/recording-manifest.js';
import { ProbeField } from '../contract/probe-names.js';
import type { EventType } from '../perfdata/index.js';
import type { AdapterOptions, DropClassifier } from './perf-to-timeline-events.js';
import type { DropReason } from './timeline-events.js';

export type ManifestReading = { readonly manifest: RecordingManifest } | { readonly problem: string };

export function parseRecordingManifest(bytes: Uint8Array): ManifestReading {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    return { problem: `giltrace's manifest in this recording is not readable JSON (${(e as Error).message})` };
  }
  const m = value as Partial<RecordingManifest> | null;
  if (!m || typeof m !== 'object' || m.schema !== RECORDING_MANIFEST_SCHEMA) {
    const schema = m && typeof m === 'object' ? String(m.schema) : typeof m;
    return { problem: `giltrace's manifest in this recording has schema '${schema}', not ${RECORDING_MANIFEST_SCHEMA} (made by another giltrace version?)` };
  }
  if (!Array.isArray(m.interpreters) || !m.interpreters.every(isInterpreter) || !Number.isInteger(m.recorderPid) || !Array.isArray(m.command) ||
    (m.attached !== undefined && !(Array.isArray(m.attached) && m.attached.every(isAttachedProcess))) ||
    (m.threadNames !== undefined && !(Array.isArray(m.threadNames) && m.threadNames.every(isNamedThread))) ||
    (m.boottimeMinusMonotonicNs !== undefined && !/^\d+$/.test(String(m.boottimeMinusMonotonicNs))) ||
    (m.targetPid !== undefined && !Number.isInteger(m.targetPid)) ||
    (m.holderSamples !== undefined && !(Number.isInteger(m.holderSamples?.offset) && Number.isInteger(m.holderSamples?.bytes))) ||
    (m.manifestRest !== undefined && !(Number.isInteger(m.manifestRest?.offset) && Number.isInteger(m.manifestRest?.bytes))) ||
    (m.gilAtAttach !== undefined && !(Array.isArray(m.gilAtAttach) && m.gilAtAttach.every((w) =>
      typeof w === 'object' && w !== null && Number.isInteger(w.pid) && Number.isInteger(w.tid) &&
      (w.interp === undefined || /^[0-9a-f]+$/.test(w.interp)) && (w.holding === undefined || w.holding === true) && (w.idle === undefined || w.idle === true) && /^\d+$/.test(String(w.atNs)) &&
      (w.cpu === undefined || ['running', 'runnable', 'sleeping', 'blocked'].includes(w.cpu)) &&
      (w.stack === undefined || (typeof w.stack?.name === 'string' && typeof w.stack.file === 'string' && Number.isInteger(w.stack.line) &&
        Array.isArray(w.stack.callers) && w.stack.callers.every((c: unknown) => typeof c === 'string')))))) ||
    (m.takesPlaced !== undefined && m.takesPlaced !== true) ||
    (m.extraRecordings !== undefined && !(Array.isArray(m.extraRecordings) && m.extraRecordings.every((e) =>
      typeof e === 'object' && e !== null && typeof e.file === 'string' && !e.file.includes('/') && Number.isInteger(e.interpreter))))) {
    return { problem: "giltrace's manifest in this recording is incomplete; its facts are not used" };
  }
  return { manifest: m as RecordingManifest };
}

function isAttachedProcess(value: unknown): value is AttachedProcess {
  const a = value as AttachedProcess;
  return (
    typeof a === 'object' && a !== null && Number.isInteger(a.pid) && Array.isArray(a.command) && a.command.every((c) => typeof c === 'string') &&
    (a.namespacePid === undefined || Number.isInteger(a.namespacePid))
  );
}

function isNamedThread(value: unknown): value is NamedThread {
  const t = value as NamedThread;
  return typeof t === 'object' && t !== null && Number.isInteger(t.pid) && Number.isInteger(t.tid) && typeof t.name === 'string';
}

function isInterpreter(value: unknown): value is RecordedInterpreter {
  const i = value as RecordedInterpreter;
  return (
    typeof i === 'object' && i !== null && typeof i.executable === 'string' && typeof i.version === 'string' &&
    typeof i.gilLibrary === 'string' && (i.probeCostNs === undefined || Number.isFinite(i.probeCostNs)) && (i.mappedAs === undefined || typeof i.mappedAs === 'string') && isDropCallerTable(i.dropCallers) &&
    (i.nameBytes === undefined || (Number.isInteger(i.nameBytes.asciiData) && Number.isInteger(i.nameBytes.compactData)))
  );
}

function isDropCallerTable(value: unknown): value is DropCallerTable {
  const t = value as DropCallerTable;
  return typeof t === 'object' && t !== null && isRanges(t.forced) && isRanges(t.voluntary) && (t.otherwise === 'voluntary' || t.otherwise === 'unknown');
}

function isRanges(value: unknown): value is FileRange[] {
  return Array.isArray(value) && value.every((r) => Array.isArray(r) && r.length === 2 && Number.isFinite(r[0]) && Number.isFinite(r[1]));
}

/**
 * Forced or voluntary from the manifest alone: the caller's file offset in the GIL library's
 * ranges. A caller in another file (an extension module reached by a tail call) takes the
 * interpreters' `otherwise` rule when they agree.
 */
export function manifestDropClassifier(manifest: RecordingManifest): DropClassifier {
  const byFile = new Map<string, DropCallerTable>();
  for (const interpreter of manifest.interpreters) {
    byFile.set(interpreter.gilLibrary, interpreter.dropCallers);
    if (interpreter.mappedAs) byFile.set(interpreter.mappedAs, interpreter.dropCallers);
  }
  const others = new Set(manifest.interpreters.map((i) => i.dropCallers.otherwise));
  const elsewhere: DropReason = others.size === 1 && others.has('voluntary') ? 'voluntary' : 'unknown';
  return (file, fileOffset) => {
    const table = byFile.get(file);
    if (table === undefined) return elsewhere;
    if (inRanges(table.forced, fileOffset)) return 'forced';
    if (table.otherwise === 'voluntary' || inRanges(table.voluntary, fileOffset)) return 'voluntary';
    return 'unknown';
  };
}

/** Binary search over sorted, disjoint ranges. */
function inRanges(ranges: readonly FileRange[], offset: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [start, end] = ranges[mid];
    if (offset < start) hi = mid - 1;
    else if (offset >= end) lo = mid + 1;
    else return true;
  }
  return false;
}

/**
 * The threads found holding or waiting for a GIL when giltrace attached (the manifest's
 * gilAtAttach), as the adapter takes them: with the GIL key their takes would have (the
 * interpreter's address where take_gil's probe reads it, else one GIL per process) and the time
 * on the records' clock.
 */
export function gilAtStartOf(
  users: readonly GilAtAttach[] | undefined,
  eventTypes: readonly EventType[],
  timeBaseNs: bigint,
): AdapterOptions['gilAtStart'] {
  if (!users?.length) return undefined;
  const byInterpreter = eventTypes.some((type) => type.field(ProbeField.interp) !== undefined);
  // where the probe tells interpreters apart, a holder or waiter whose interpreter was not read is left out
  return users.filter((u) => u.idle || !byInterpreter || u.interp !== undefined).map(({ pid, tid, interp, holding, idle, atNs, stack, cpu }) => ({
    pid,
    tid,
    gil: byInterpreter ? `${pid}/${interp}` : `${pid}`,
    holding: holding === true,
    idle: idle === true,
    time: Number(BigInt(atNs) - timeBaseNs),
    stack,
    cpu,
  }));
}
