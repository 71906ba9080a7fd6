/**
 * `giltrace combine GIL.json VIZTRACER.json... -o OUT.json`: one Chrome trace holding giltrace's
 * GIL/CPU rows and VizTracer's call stacks of the same run. Both are already in CLOCK_MONOTONIC
 * µs, so events are concatenated unshifted; metadata is merged the way `viztracer --combine`
 * does (overflow is sticky, baseTimeNanoseconds and file_info come from VizTracer's files), so
 * vizviewer and `viztracer --combine` keep working on the result.
 */
import { GiltraceError } from '../base/errors.js';

type JsonObject = Record<string, unknown>;

export function combineChromeTraces(gil: object, others: readonly object[]): object {
  const gilEvents = traceEventsOf(gil, 'the giltrace trace');
  const events: unknown[] = [...gilEvents];
  const metadata: JsonObject = { ...(metadataOf(gil) ?? {}) };
  let fileInfo: { files: JsonObject; functions: JsonObject } | undefined;
  others.forEach((other, i) => {
    events.push(...traceEventsOf(other, `trace ${i + 2}`));
    const otherMetadata = metadataOf(other);
    if (otherMetadata?.overflow === true) metadata.overflow = true;
    if (otherMetadata?.baseTimeNanoseconds !== undefined && otherMetadata.baseTimeNanoseconds !== null) {
      metadata.baseTimeNanoseconds = otherMetadata.baseTimeNanoseconds;
    }
    if (metadata.version === undefined && typeof otherMetadata?.version === 'string') metadata.version = otherMetadata.version;
    const info = (other as JsonObject).file_info as { files?: JsonObject; functions?: JsonObject } | undefined;
    if (info !== undefined && typeof info === 'object') {
      fileInfo ??= { files: {}, functions: {} };
      Object.assign(fileInfo.files, info.files ?? {});
      Object.assign(fileInfo.functions, info.functions ?? {});
    }
  });
  const combined: JsonObject = { traceEvents: events, viztracer_metadata: metadata };
  if (fileInfo !== undefined) combined.file_info = fileInfo;
  return combined;
}

function traceEventsOf(trace: object, what: string): unknown[] {
  const events = (trace as JsonObject | null)?.traceEvents;
  if (trace === null || typeof trace !== 'object' || !Array.isArray(events)) {
    throw new GiltraceError(`${what} is not a Chrome trace: expected an object with a "traceEvents" array`);
  }
  return events;
}

function metadataOf(trace: object): JsonObject | undefined {
  const metadata = (trace as JsonObject).viztracer_metadata;
  return metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata) ? (metadata as JsonObject) : undefined;
}

/**
 * Whether two traces overlap in time at all: traces of the same run must. The CLI can warn
 * when they do not (a VizTracer file from another run, or one written with another clock).
 */
export function timeRangesOverlap(a: object, b: object): boolean {
  const ra = timeRange(traceEventsOf(a, 'the first trace'));
  const rb = timeRange(traceEventsOf(b, 'the second trace'));
  if (ra === undefined || rb === undefined) return true;
  return ra[0] <= rb[1] && rb[0] <= ra[1];
}

function timeRange(events: unknown[]): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const event of events) {
    const e = event as JsonObject;
    if (typeof e?.ts !== 'number') continue;
    const end = e.ts + (typeof e.dur === 'number' ? e.dur : 0);
    if (e.ts < lo) lo = e.ts;
    if (end > hi) hi = end;
  }
  return lo <= hi ? [lo, hi] : undefined;
}
