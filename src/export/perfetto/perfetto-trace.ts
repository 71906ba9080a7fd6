/**
 * Timeline → Perfetto protobuf trace (.pftrace): TrackEvent slices and counters, which the
 * Perfetto UI and trace_processor read natively, several times smaller than the JSON.
 *
 * Tracks: per process a process track; per thread its thread track holding the GIL slices
 * ("holding" / "waiting", hand-off flows from one holding slice to the next thread's) and a
 * child track "CPU" (running / runnable / sleeping / blocked); per interpreter a "GIL holder"
 * track and a "GIL waiters" counter. Names and categories are interned once.
 *
 * With function context, GIL slices carry their Python function as debug annotations
 * (`function`, `file`, `line`, `stack`: innermost first, "a <- b <- c"; charged as the stats
 * charge it, see slice-functions.ts), the strings interned once per trace
 * (InternedData.debug_annotation_string_values), so a slice adds a few bytes, not its texts.
 *
 * Clock: timestamps are absolute CLOCK_MONOTONIC ns (perf records with -k CLOCK_MONOTONIC), and
 * the trace says so, as Perfetto's "synchronization of multiple clock domains" guide asks: the
 * sequence's TracePacketDefaults set timestamp_clock_id = MONOTONIC, and a ClockSnapshot opens
 * the trace. A packet without a clock id would be read as the trace clock, BOOTTIME, which runs
 * ahead of MONOTONIC by the time the machine slept since boot: merged with a system trace, our
 * slices would land that far off. When the caller knows BOOTTIME at the recording (options), the
 * snapshot pairs both clocks and the trace stays on BOOTTIME like a system trace. perf.data does
 * not say it (its CLOCK_DATA feature pairs the sampling clock with wall-clock time only), so by
 * default the snapshot holds MONOTONIC alone and names it the primary trace clock: without that,
 * trace_processor has no path from MONOTONIC to BOOTTIME and drops every event of a trace opened
 * on its own. Concatenated with a system trace of the same boot (`cat system.pftrace
 * ours.pftrace`), the system trace's snapshots relate MONOTONIC to BOOTTIME and ours land where
 * they happened. Opened as two files, newer trace_processors keep the clocks of a file that
 * brings its own snapshot apart from the first file's, so ours, opened second, finds no path to
 * the system trace's BOOTTIME: only the BOOTTIME reading makes that case work. (All this is read from trace_processor's clock code,
 * google/perfetto src/trace_processor/importers/{common/clock_tracker,proto/proto_trace_reader}.cc;
 * no trace_processor or Perfetto UI was at hand to try it.)
 * Native scheduler thread states (ftrace sched_switch) are not emitted: the timeline does not
 * keep which CPU a thread ran on, which those events need; CPU states are slices instead.
 */
import { CPU_STATE_NAMES, GilState, type ProcessTimeline, type ThreadTimeline } from '../../model/timeline.js';
import { forEachInterval } from '../intervals.js';
import type { ReportInput } from '../report-input.js';
import { SliceFunctions } from '../slice-functions.js';
import { F64List, I32List } from '../../model/step-builder.js';
import * as F from './perfetto-fields.js';
import { ProtoWriter } from './proto-writer.js';

/**
 * Our one packet sequence. Not 1: traced writes its own packets (clock snapshots, trace config,
 * stats) on sequence 1 and numbers its writers from 2 up, so in a trace concatenated with a
 * system trace a small id would share their incremental state and our packet defaults (CLOCK_MONOTONIC)
 * would apply to their packets. 16383 is the largest id that still fits a two-byte varint.
 */
const SEQUENCE_ID = 16_383;
const CATEGORIES = ['gil', 'cpu', 'gil_holder'] as const;
const CAT_GIL = 1;
const CAT_CPU = 2;
const CAT_HOLDER = 3;
/** Debug annotation names, interned in this order (iid = index + 1). */
const ANNOTATION_NAMES = ['drop', 'function', 'file', 'line', 'stack', 'drop_line'] as const;
const ANNOTATION_DROP = 1;
const ANNOTATION_FUNCTION = 2;
const ANNOTATION_FILE = 3;
const ANNOTATION_LINE = 4;
const ANNOTATION_STACK = 5;
const ANNOTATION_DROP_LINE = 6;

/** Interned-string ids of one stack's annotations (0: not shown). */
interface StackAnnotation {
  readonly function: number;
  readonly file: number;
  readonly line: number;
  readonly stack: number;
  /** The line of the drop the stack was read at (SliceFunction.dropLine); 0: not known. */
  readonly dropLine: number;
}

class Interner {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();
  iid(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      this.names.push(name);
      this.ids.set(name, (id = this.names.length));
    }
    return id;
  }
}

/** The trace is handed on in pieces of about this many bytes: a long recording's trace is larger than memory should hold at once. */
const CHUNK_BYTES = 8 << 20;

class PerfettoWriter {
  private readonly out = new ProtoWriter(1 << 16);
  private readonly packet = new ProtoWriter();
  private readonly event = new ProtoWriter();
  private readonly inner = new ProtoWriter();
  private readonly baseNumber: number | undefined;

  constructor(
    private readonly baseNs: bigint,
    private readonly sink: (chunk: Uint8Array) => void,
  ) {
    this.baseNumber = baseNs <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(baseNs) : undefined;
  }

  /** One packet (a Trace.packet field: packets concatenate, so the trace can be cut between any two). */
  private packetOf(write: (p: ProtoWriter) => void): void {
    this.out.message(F.Trace.packet, this.packet, write);
    if (this.out.length >= CHUNK_BYTES) this.flush();
  }

  /** Hands on what is written so far. */
  flush(): void {
    if (this.out.length > 0) this.sink(this.out.finish());
    this.out.reset();
  }

  absolute(rel: number): number | bigint {
    const r = Math.round(rel);
    if (this.baseNumber !== undefined && Number.isSafeInteger(this.baseNumber + r)) return this.baseNumber + r;
    return this.baseNs + BigInt(r);
  }

  descriptor(write: (d: ProtoWriter, inner: ProtoWriter) => void): void {
    this.packetOf((p) => {
      p.message(F.TracePacket.trackDescriptor, this.event, (d) => write(d, this.inner));
    });
  }

  /**
   * The trace's first packet, before any timestamp is read (trace_processor fixes its trace clock
   * at the first conversion). See the file comment for why MONOTONIC alone is the primary clock.
   */
  clockSnapshot(boottimeMinusMonotonicNs: bigint | undefined): void {
    this.packetOf((p) => {
      p.uint(F.TracePacket.trustedPacketSequenceId, SEQUENCE_ID);
      p.message(F.TracePacket.clockSnapshot, this.event, (s) => {
        s.message(F.ClockSnapshot.clocks, this.inner, (c) => c.uint(F.Clock.clockId, F.BUILTIN_CLOCK_MONOTONIC).uint(F.Clock.timestamp, this.baseNs));
        if (boottimeMinusMonotonicNs === undefined) {
          s.uint(F.ClockSnapshot.primaryTraceClock, F.BUILTIN_CLOCK_MONOTONIC);
        } else {
          const boottime = this.baseNs + boottimeMinusMonotonicNs;
          s.message(F.ClockSnapshot.clocks, this.inner, (c) => c.uint(F.Clock.clockId, F.BUILTIN_CLOCK_BOOTTIME).uint(F.Clock.timestamp, boottime));
        }
      });
    });
  }

  /**
   * Opens the sequence's incremental state: both flags, as Perfetto's synthetic TrackEvent guide
   * asks of the packet that first defines interned data, and the packet defaults (which are
   * incremental state too) that put every later packet of the sequence on CLOCK_MONOTONIC.
   */
  internedData(names: readonly string[], annotationValues: readonly string[]): void {
    this.packetOf((p) => {
      p.uint(F.TracePacket.trustedPacketSequenceId, SEQUENCE_ID);
      p.uint(F.TracePacket.sequenceFlags, F.SEQ_INCREMENTAL_STATE_CLEARED | F.SEQ_NEEDS_INCREMENTAL_STATE);
      p.message(F.TracePacket.tracePacketDefaults, this.event, (d) => d.uint(F.TracePacketDefaults.timestampClockId, F.BUILTIN_CLOCK_MONOTONIC));
      p.message(F.TracePacket.internedData, this.event, (d) => {
        CATEGORIES.forEach((name, i) => d.message(F.InternedData.eventCategories, this.inner, (c) => c.uint(F.Interned.iid, i + 1).string(F.Interned.name, name)));
        names.forEach((name, i) => d.message(F.InternedData.eventNames, this.inner, (n) => n.uint(F.Interned.iid, i + 1).string(F.Interned.name, name)));
        ANNOTATION_NAMES.forEach((name, i) => d.message(F.InternedData.debugAnnotationNames, this.inner, (n) => n.uint(F.Interned.iid, i + 1).string(F.Interned.name, name)));
        annotationValues.forEach((value, i) =>
          d.message(F.InternedData.debugAnnotationStringValues, this.inner, (v) => v.uint(F.InternedString.iid, i + 1).string(F.InternedString.str, value)),
        );
      });
    });
  }

  /** One TrackEvent packet on our sequence. */
  trackEvent(rel: number, write: (e: ProtoWriter, inner: ProtoWriter) => void): void {
    this.packetOf((p) => {
      p.uint(F.TracePacket.timestamp, this.absolute(rel));
      p.uint(F.TracePacket.trustedPacketSequenceId, SEQUENCE_ID);
      p.uint(F.TracePacket.sequenceFlags, F.SEQ_NEEDS_INCREMENTAL_STATE);
      p.message(F.TracePacket.trackEvent, this.event, (e) => write(e, this.inner));
    });
  }

  sliceEnd(rel: number, track: number): void {
    this.trackEvent(rel, (e) => e.uint(F.TrackEvent.type, F.TYPE_SLICE_END).uint(F.TrackEvent.trackUuid, track));
  }
}

interface Tracks {
  readonly thread: Map<ThreadTimeline, { gil: number; cpu: number }>;
  readonly holder: number[];
  readonly waiters: number[];
}

/** What the recording says of its clocks beyond the CLOCK_MONOTONIC times of its events. */
export interface PerfettoOptions {
  /**
   * CLOCK_BOOTTIME minus CLOCK_MONOTONIC during the recording (ns: how long the machine had been
   * suspended since boot), when the recording knows it. A suspend during the recording itself
   * would move it; one reading is the best a single snapshot can say.
   */
  readonly boottimeMinusMonotonicNs?: bigint;
}

export function toPerfettoTrace(input: ReportInput, options: PerfettoOptions = {}): Uint8Array {
  const chunks: Uint8Array[] = [];
  writePerfettoTrace(input, options, (chunk) => chunks.push(chunk));
  const out = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** The trace in pieces (about CHUNK_BYTES each), in order, to `sink`: a file written as they come holds little in memory. */
export function writePerfettoTrace(input: ReportInput, options: PerfettoOptions, sink: (chunk: Uint8Array) => void): void {
  const { timeline } = input;
  const w = new PerfettoWriter(timeline.timeBaseNs, sink);
  w.clockSnapshot(options.boottimeMinusMonotonicNs);
  const names = new Interner();
  for (const state of ['waiting', 'holding', ...CPU_STATE_NAMES]) names.iid(state);
  let nextUuid = 1;
  const perProcess: Tracks[] = [];
  for (const process of timeline.processes) {
    const processUuid = nextUuid++;
    const command = input.stats.processes.find((p) => p.pid === process.pid)?.command;
    w.descriptor((d, inner) => {
      d.uint(F.TrackDescriptor.uuid, processUuid);
      d.message(F.TrackDescriptor.process, inner, (p) => {
        p.uint(F.ProcessDescriptor.pid, process.pid);
        p.string(F.ProcessDescriptor.processName, command || `pid ${process.pid}`);
      });
    });
    const tracks: Tracks = { thread: new Map(), holder: [], waiters: [] };
    process.gils.forEach((gil) => {
      const suffix = process.gils.length > 1 ? ` ${gil.key}` : '';
      const holder = nextUuid++;
      const waiters = nextUuid++;
      tracks.holder.push(holder);
      tracks.waiters.push(waiters);
      w.descriptor((d) => d.uint(F.TrackDescriptor.uuid, holder).uint(F.TrackDescriptor.parentUuid, processUuid).string(F.TrackDescriptor.name, `GIL holder${suffix}`));
      w.descriptor((d, inner) => {
        d.uint(F.TrackDescriptor.uuid, waiters).uint(F.TrackDescriptor.parentUuid, processUuid).string(F.TrackDescriptor.name, `GIL waiters${suffix}`);
        d.message(F.TrackDescriptor.counter, inner, () => {});
      });
    });
    for (const thread of process.threads) {
      names.iid(thread.name);
      const gil = nextUuid++;
      const cpu = nextUuid++;
      tracks.thread.set(thread, { gil, cpu });
      w.descriptor((d, inner) => {
        d.uint(F.TrackDescriptor.uuid, gil);
        d.message(F.TrackDescriptor.thread, inner, (t) => {
          t.uint(F.ThreadDescriptor.pid, thread.pid).uint(F.ThreadDescriptor.tid, thread.tid).string(F.ThreadDescriptor.threadName, thread.name);
        });
      });
      w.descriptor((d) => d.uint(F.TrackDescriptor.uuid, cpu).uint(F.TrackDescriptor.parentUuid, gil).string(F.TrackDescriptor.name, `${thread.name} CPU`));
    }
    // Holders outside the thread list still need their name interned before the interned-data packet.
    for (const gil of process.gils) for (const tid of gil.holders.tids) if (tid !== 0 && !process.threads.some((t) => t.tid === tid)) names.iid(`tid ${tid}`);
    perProcess.push(tracks);
  }
  const functions = SliceFunctions.of(timeline);
  const annotationValues = new Interner();
  const annotations = functions ? stackAnnotations(functions, timeline.stacks.length, annotationValues) : [];
  w.internedData(names.names, annotationValues.names);
  let nextFlowId = 1;
  timeline.processes.forEach((process, p) => {
    const tracks = perProcess[p];
    const flows = handoffFlows(process, () => nextFlowId++);
    for (const thread of process.threads) {
      const { gil, cpu } = tracks.thread.get(thread)!;
      writeGilSlices(w, thread, gil, names, flows.get(thread.tid), functions && { stepStacks: functions.stepStacks(thread), annotations });
      forEachInterval(thread.cpuTrack, thread.end, (state, start, stop) => {
        const nameIid = names.iid(CPU_STATE_NAMES[state] ?? `state ${state}`);
        w.trackEvent(start, (e) => e.uint(F.TrackEvent.type, F.TYPE_SLICE_BEGIN).uint(F.TrackEvent.trackUuid, cpu).uint(F.TrackEvent.categoryIids, CAT_CPU).uint(F.TrackEvent.nameIid, nameIid));
        w.sliceEnd(stop, cpu);
      });
    }
    process.gils.forEach((gil, g) => {
      const nameOf = new Map(process.threads.map((t) => [t.tid, names.iid(t.name)]));
      const { times, tids } = gil.holders;
      for (let i = 0; i < tids.length; i++) {
        const stop = i + 1 < times.length ? times[i + 1] : process.end;
        if (tids[i] === 0 || !(stop > times[i])) continue;
        const nameIid = nameOf.get(tids[i]) ?? names.iid(`tid ${tids[i]}`);
        w.trackEvent(times[i], (e) => e.uint(F.TrackEvent.type, F.TYPE_SLICE_BEGIN).uint(F.TrackEvent.trackUuid, tracks.holder[g]).uint(F.TrackEvent.categoryIids, CAT_HOLDER).uint(F.TrackEvent.nameIid, nameIid));
        w.sliceEnd(stop, tracks.holder[g]);
      }
      const { times: wt, counts } = gil.waiters;
      for (let i = 0; i < counts.length; i++) {
        w.trackEvent(wt[i], (e) => e.uint(F.TrackEvent.type, F.TYPE_COUNTER).uint(F.TrackEvent.trackUuid, tracks.waiters[g]).uint(F.TrackEvent.counterValue, counts[i]));
      }
    });
  });
  w.flush();
}

/**
 * A thread's holds of a GIL with the hand-off flows at their ends, in time order: when each
 * began, the flow arriving there and the one leaving it (0: none). Columns, not an object per
 * hold: a long recording has millions.
 */
class ThreadFlows {
  readonly times = new F64List();
  readonly ins = new I32List();
  readonly outs = new I32List();
  /** The reading cursor of `at`. */
  private next = 0;

  add(time: number, arriving: number): void {
    this.times.push(time);
    this.ins.push(arriving);
    this.outs.push(0);
  }

  /** In time order (a thread that held two GILs has its holds of each added one GIL after the other). */
  sort(): void {
    const n = this.times.length;
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) sorted = this.times.at(i - 1) <= this.times.at(i);
    if (sorted) return;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.times.at(a) - this.times.at(b) || a - b);
    const [times, ins, outs] = [this.times.copy(), this.ins.copy(), this.outs.copy()];
    order.forEach((from, to) => {
      this.times.set(to, times[from]);
      this.ins.set(to, ins[from]);
      this.outs.set(to, outs[from]);
    });
  }

  /** The flows of the hold that begins at `start` (asked in time order; several GILs' holds at one time: the first). */
  at(start: number): { in: number; out: number } | undefined {
    while (this.next < this.times.length && this.times.at(this.next) < start) this.next++;
    if (this.next >= this.times.length || this.times.at(this.next) !== start) return undefined;
    return { in: this.ins.at(this.next), out: this.outs.at(this.next) };
  }
}

/** Flow ids per thread (by tid): from each holder of a GIL to the next other thread that took it. */
function handoffFlows(process: ProcessTimeline, newId: () => number): Map<number, ThreadFlows> {
  const flows = new Map<number, ThreadFlows>();
  for (const gil of process.gils) {
    const { times, tids } = gil.holders;
    let previous: ThreadFlows | undefined;
    let previousTid = 0;
    for (let i = 0; i < tids.length; i++) {
      const tid = tids[i];
      if (tid === 0) continue;
      let thread = flows.get(tid);
      if (!thread) flows.set(tid, (thread = new ThreadFlows()));
      let arriving = 0;
      if (previous !== undefined && previousTid !== tid) {
        arriving = newId();
        previous.outs.set(previous.outs.length - 1, arriving);
      }
      thread.add(times[i], arriving);
      previous = thread;
      previousTid = tid;
    }
  }
  for (const thread of flows.values()) thread.sort();
  return flows;
}

/** Every stack's annotation values, interned (index = stack id; the unknown stack 0 gets none). */
function stackAnnotations(functions: SliceFunctions, count: number, values: Interner): (StackAnnotation | undefined)[] {
  const out: (StackAnnotation | undefined)[] = [undefined];
  for (let id = 1; id < count; id++) {
    const label = functions.label(id)!;
    out.push({
      function: values.iid(label.function),
      file: label.file ? values.iid(label.file) : 0,
      line: label.line,
      stack: values.iid(label.stack),
      dropLine: label.dropLine ?? 0,
    });
  }
  return out;
}

function writeFunctionAnnotations(e: ProtoWriter, inner: ProtoWriter, fn: StackAnnotation): void {
  const interned = (name: number, iid: number) =>
    e.message(F.TrackEvent.debugAnnotations, inner, (a) => a.uint(F.DebugAnnotation.nameIid, name).uint(F.DebugAnnotation.stringValueIid, iid));
  interned(ANNOTATION_FUNCTION, fn.function);
  if (fn.file) interned(ANNOTATION_FILE, fn.file);
  if (fn.line > 0) e.message(F.TrackEvent.debugAnnotations, inner, (a) => a.uint(F.DebugAnnotation.nameIid, ANNOTATION_LINE).uint(F.DebugAnnotation.intValue, fn.line));
  interned(ANNOTATION_STACK, fn.stack);
  if (fn.dropLine > 0) e.message(F.TrackEvent.debugAnnotations, inner, (a) => a.uint(F.DebugAnnotation.nameIid, ANNOTATION_DROP_LINE).uint(F.DebugAnnotation.intValue, fn.dropLine));
}

function writeGilSlices(
  w: PerfettoWriter,
  thread: ThreadTimeline,
  track: number,
  names: Interner,
  flows: ThreadFlows | undefined,
  functions: { stepStacks: Int32Array; annotations: readonly (StackAnnotation | undefined)[] } | undefined,
): void {
  const { drops } = thread;
  const holding = names.iid('holding');
  const waiting = names.iid('waiting');
  let d = 0;
  forEachInterval(thread.gilTrack, thread.end, (state, start, stop, index) => {
    if (state === GilState.none) return;
    let drop: string | undefined;
    if (state === GilState.holding) {
      while (d < drops.length && drops[d].time < stop) d++;
      if (d < drops.length && drops[d].time === stop) drop = drops[d].known ? (drops[d].forced ? 'forced' : 'voluntary') : 'unknown';
    }
    const flow = state === GilState.holding ? flows?.at(start) : undefined;
    const fn = functions?.annotations[functions.stepStacks[index]];
    w.trackEvent(start, (e, inner) => {
      e.uint(F.TrackEvent.type, F.TYPE_SLICE_BEGIN).uint(F.TrackEvent.trackUuid, track).uint(F.TrackEvent.categoryIids, CAT_GIL);
      e.uint(F.TrackEvent.nameIid, state === GilState.holding ? holding : waiting);
      if (drop !== undefined) e.message(F.TrackEvent.debugAnnotations, inner, (a) => a.uint(F.DebugAnnotation.nameIid, ANNOTATION_DROP).string(F.DebugAnnotation.stringValue, drop!));
      if (fn !== undefined) writeFunctionAnnotations(e, inner, fn);
      if (flow !== undefined && flow.in !== 0) e.fixed64(F.TrackEvent.terminatingFlowIds, flow.in);
      if (flow !== undefined && flow.out !== 0) e.fixed64(F.TrackEvent.flowIds, flow.out);
    });
    w.sliceEnd(stop, track);
  });
}
