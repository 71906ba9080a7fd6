/**
 * End of a build: keeps the processes that used a GIL, closes every thread's life (at its exit
 * or the end of the recording), names threads and freezes the growable tracks into exact-length
 * typed arrays.
 */
import { Anomaly } from './anomalies.js';
import type { BuildTimelineOptions, TimelineBuilder } from './build-timeline.js';
import type { StepBuilder } from './step-builder.js';
import { CPU_UNKNOWN, type GilRecord, type ThreadRecord } from './thread-record.js';
import { PythonStacks, UNKNOWN_STACK } from './python-stacks.js';
import { CpuState, GilState, type GilTimeline, type ProcessTimeline, type ThreadTimeline, type Timeline } from './timeline.js';

export function freezeTimeline(builder: TimelineBuilder, options: BuildTimelineOptions): Timeline {
  const { start, end } = recordingSpan(builder, options);
  const byPid = new Map<number, ThreadRecord[]>();
  for (const thread of [...builder.retired, ...builder.threads.values()]) {
    if (!thread.started || !builder.gilPids.has(thread.pid)) continue;
    let list = byPid.get(thread.pid);
    if (!list) byPid.set(thread.pid, (list = []));
    list.push(thread);
  }
  const gilsByPid = new Map<number, GilRecord[]>();
  for (const gil of builder.gils.values()) {
    let list = gilsByPid.get(gil.pid);
    if (!list) gilsByPid.set(gil.pid, (list = []));
    list.push(gil);
  }

  const processes: ProcessTimeline[] = [];
  for (const [pid, records] of byPid) {
    const anomalies = { ...builder.anomalies.get(pid) };
    const mainName = records.find((t) => t.tid === pid)?.osName;
    const threads: ThreadTimeline[] = [];
    for (const record of records) {
      const thread = freezeThread(record, end, mainName, anomalies);
      if (thread) threads.push(thread);
    }
    if (threads.length === 0) continue;
    threads.sort((a, b) => a.start - b.start || a.tid - b.tid);
    let processStart = Infinity;
    let processEnd = -Infinity;
    for (const thread of threads) {
      if (thread.start < processStart) processStart = thread.start;
      if (thread.end > processEnd) processEnd = thread.end;
    }
    const gils = (gilsByPid.get(pid) ?? []).map((gil) => freezeGil(gil, processEnd));
    processes.push({ pid, start: processStart, end: processEnd, threads, gils, anomalies });
  }
  processes.sort((a, b) => a.start - b.start || a.pid - b.pid);
  const stacks = options.stacks ?? new PythonStacks();
  return {
    timeBaseNs: options.timeBaseNs ?? 0n, start, end, processes, lostEvents: builder.lostEvents,
    functions: [...stacks.functions], stacks: [...stacks.stacks],
  };
}

function recordingSpan(builder: TimelineBuilder, options: BuildTimelineOptions): { start: number; end: number } {
  const first = builder.firstTime;
  const last = builder.lastTime;
  const hasEvents = first === first;
  let start = options.start !== undefined && Number.isFinite(options.start) ? options.start : hasEvents ? first : 0;
  if (hasEvents && first < start) start = first;
  let end = options.end !== undefined && Number.isFinite(options.end) ? options.end : hasEvents ? last : start;
  if (hasEvents && last > end) end = last;
  if (end < start) end = start;
  return { start, end };
}

function freezeThread(
  record: ThreadRecord,
  recordingEnd: number,
  mainName: string | undefined,
  anomalies: Record<string, number>,
): ThreadTimeline | undefined {
  const end = record.alive ? recordingEnd : record.end;
  const waits = record.waits;
  // A wait still open at the end of the recording ran at least until then; so did a hold.
  if (record.alive && record.gilState === GilState.waiting) {
    waits.push(end - record.waitStart);
    record.waitStarts.push(record.waitStart);
    record.waitStacks.push(record.waitStack);
  }
  if (record.alive && record.gilState === GilState.holding) {
    record.holdStarts.push(record.holdStart);
    record.holdEnds.push(end);
    record.holdStacks.push(UNKNOWN_STACK);
    record.holdAcquiredStacks.push(record.holdAcquiredIn);
  }
  const touchedGil = record.gil !== undefined || record.drops.length > 0;
  if (end <= record.start && !touchedGil) return undefined; // only known to have exited: nothing to show
  if (record.cpuState === CPU_UNKNOWN) record.cpuTrack.set(record.start, CpuState.running);
  if (!record.schedSeen) {
    // e.g. a recording of GIL probes only: CPU states are a guess (running), say so.
    anomalies[Anomaly.noSchedulerEvents] = (anomalies[Anomaly.noSchedulerEvents] ?? 0) + 1;
  }
  trimTo(record.gilTrack, end);
  trimTo(record.cpuTrack, end);
  return {
    pid: record.pid,
    tid: record.tid,
    name: record.pythonName ?? record.osName ?? mainName ?? `thread ${record.tid}`,
    start: record.start,
    end,
    gil: record.gil?.key,
    gilTrack: { times: record.gilTrack.freezeTimes(), states: record.gilTrack.freezeU8() },
    cpuTrack: { times: record.cpuTrack.freezeTimes(), states: record.cpuTrack.freezeU8() },
    drops: record.drops,
    acquisitions: record.acquisitions,
    waits: waits.freeze(),
    waitStarts: record.waitStarts.freeze(),
    waitStacks: record.waitStacks.freeze(),
    holds: {
      starts: record.holdStarts.freeze(),
      ends: record.holdEnds.freeze(),
      stacks: record.holdStacks.freeze(),
      acquiredIn: record.holdAcquiredStacks.freeze(),
    },
  };
}

function freezeGil(gil: GilRecord, end: number): GilTimeline {
  trimTo(gil.holders, end);
  trimTo(gil.waiters, end);
  return {
    key: gil.key,
    pid: gil.pid,
    holders: { times: gil.holders.freezeTimes(), tids: gil.holders.freezeI32() },
    waiters: { times: gil.waiters.freezeTimes(), counts: gil.waiters.freezeU16() },
  };
}

/** Entries at or after the owner's end would be empty intervals: dropped (the first one stays). */
function trimTo(track: StepBuilder, end: number): void {
  while (track.length > 1 && track.lastTime() >= end) track.length--;
}
