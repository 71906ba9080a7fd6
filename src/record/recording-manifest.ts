/**
 * Writes giltrace's manifest (contract/recording-manifest.ts) into a finished recording: what
 * was traced and how to classify its GIL drops, so that `giltrace stats` gives the same numbers
 * on a machine without the traced interpreter.
 */
import { readFileSync } from 'node:fs';
import {
  RECORDING_MANIFEST_FEATURE,
  RECORDING_MANIFEST_SCHEMA,
  type AttachedProcess,
  type RecordedInterpreter,
  type RecordingManifest,
} from '../contract/recording-manifest.js';
import { appendFeatureSection } from '../perfdata/append-feature.js';
import { nameBytesLayout } from '../probe/frame-layout.js';
import type { PythonTarget } from '../probe/python-target.js';

export interface ManifestFacts {
  readonly attached?: readonly AttachedProcess[];
  /** What a GIL cycle costs under the probes, per target. */
  readonly probeCosts?: readonly (number | undefined)[];
  /** Whether take_gil's return was probed (`--exact-takes`). */
  readonly takeReturns?: boolean;
}

export function makeRecordingManifest(
  command: readonly string[],
  targets: readonly PythonTarget[],
  recorderPid: number,
  { attached, probeCosts, takeReturns }: ManifestFacts = {},
): RecordingManifest {
  return {
    schema: RECORDING_MANIFEST_SCHEMA,
    giltrace: GILTRACE_VERSION,
    command: [...command],
    recorderPid,
    ...(takeReturns ? {} : { takesPlaced: true as const }),
    ...(attached ? { attached: [...attached] } : {}),
    ...boottimeOffset(),
    interpreters: targets.map((target, i) => toRecordedInterpreter(target, probeCosts?.[i])),
  };
}

/** The manifest with the interpreters found while recording, and the extra recordings holding their probes. */
export function withLateInterpreters(manifest: RecordingManifest, late: readonly PythonTarget[], files: readonly string[]): RecordingManifest {
  if (late.length === 0) return manifest;
  const first = manifest.interpreters.length;
  return {
    ...manifest,
    interpreters: [...manifest.interpreters, ...late.map((target) => toRecordedInterpreter(target, undefined))],
    extraRecordings: files.map((file, i) => ({ file, interpreter: first + i })),
  };
}

export function writeRecordingManifest(recording: string, manifest: RecordingManifest): void {
  appendFeatureSection(recording, RECORDING_MANIFEST_FEATURE, new TextEncoder().encode(JSON.stringify(manifest)));
}

function toRecordedInterpreter(target: PythonTarget, probeCostNs: number | undefined): RecordedInterpreter {
  return {
    ...(probeCostNs !== undefined ? { probeCostNs } : {}),
    executable: target.executable,
    version: target.version,
    freeThreaded: target.freeThreaded,
    gilLibrary: target.gilLibrary,
    ...(target.mappedAs ? { mappedAs: target.mappedAs } : {}),
    dropCallers: target.dropCallers,
    ...(target.frameContext ? { nameBytes: nameBytesLayout(target.frameContext.layout) } : {}),
  };
}

/** dist/src/record/*.js → the package's package.json. */
const GILTRACE_VERSION: string = (() => {
  try {
    return String((JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown }).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
})();

/**
 * CLOCK_BOOTTIME's offset from CLOCK_MONOTONIC (the time the machine spent suspended), exact, from
 * the kernel's timer list (root): its hrtimer base 2 is BOOTTIME. Node has no BOOTTIME clock.
 */
export function boottimeOffset(): { boottimeMinusMonotonicNs?: string } {
  try {
    const text = readFileSync('/proc/timer_list', 'latin1');
    const base = text.indexOf(' clock 2:');
    const offset = base < 0 ? null : /\.offset:\s+(\d+) nsecs/.exec(text.slice(base, base + 400));
    return offset ? { boottimeMinusMonotonicNs: offset[1] } : {};
  } catch {
    return {};
  }
}
