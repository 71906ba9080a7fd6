/**
 * Adapter from perf records (perfdata/, which knows nothing of Python) to the model's
 * TimelineEvents. Which events are GIL probes is the probe namings' call (probe-namings.ts:
 * giltrace's own groups, `perf probe`'s and per4m's names); scheduler tracepoints are read here.
 */
import type { MmapRecord, PerfRecord, SampleRecord, TracepointField, EventType } from '../perfdata/index.js';
import { hasPayload, readSampleBytes, readSampleInt, readSamplePayload, readSampleString } from '../perfdata/index.js';
import { FrameField, MARK_MAGIC, MARK_SEPARATOR, MAX_FRAMES, ProbeField, probeGroupOwner } from '../contract/probe-names.js';
import { gilRoleOf, type GilRole } from './probe-namings.js';
import { AddressSpaces } from './address-spaces.js';
import { NO_FRAME_FUNCTION, NO_FRAME_STACK, PythonStacks, UNKNOWN_STACK } from './python-stacks.js';
import type { CodeNames } from './code-names.js';
import { decodePyStrBytes } from '../contract/python-str.js';
import { StackCache } from './stack-cache.js';
import type { CpuAtAttach, GilAtAttach, NameBytesLayout, NamedThread } from '../contract/recording-manifest.js';
import type { CodeClassifier } from '../contract/mapped-code.js';
import { WaitInference } from './wait-inference.js';
import { TakePlacement } from './take-placement.js';
import type { DropReason, SwitchOutState, TimelineEvent, TimelineSink } from './timeline-events.js';

/** Classifies a GIL drop from where drop_gil was called: file + offset of its return address. */
export type DropClassifier = (file: string, fileOffset: number) => DropReason;

export interface AdapterOptions {
  readonly classifyDrop?: DropClassifier;
  /**
   * Keep GIL events only of this process and its descendants. Uprobes fire in every process that
   * maps the probed library, so a system-wide recording also catches Pythons that giltrace did not
   * start (another giltrace run's, a server's): giltrace records the traced command's pid (older
   * recordings: the recorder's) here.
   */
  readonly descendantsOf?: number;
  /** Keep GIL events of these processes and their descendants too (processes giltrace attached to). */
  readonly tracedPids?: readonly number[];
  /**
   * Scheduler-only recordings: infer GIL waits from sched_switch samples that carry a user stack copy
   * (`--call-graph dwarf`), see gil-wait-scan.ts. Give it only for recordings without GIL probes:
   * inferred waits are a coarser view than the probes' exact ones.
   */
  readonly inferWaits?: CodeClassifier;
  /** Where the Python stacks read at take/drop events are interned (give the timeline the same one). */
  readonly stacks?: PythonStacks;
  /** How to read the leaf frame's raw name bytes (the recording manifest says; 3.12's when unknown). */
  readonly nameBytes?: NameBytesLayout;
  /** What the code addresses a drop probe read are (the holder samples' O lines), for recordings whose probe read addresses. */
  readonly codes?: CodeNames;
  /**
   * take_gil's return was not probed: each take's end is placed from the drops and the scheduler
   * (take-placement.ts). take_ret events, if any, are then ignored (tests compare the two).
   */
  readonly placeTakes?: boolean;
  /** Python names for threads that tell none (attached processes' threads, named by giltrace: the manifest's threadNames). */
  readonly threadNames?: readonly NamedThread[];
  /**
   * Threads that were waiting for a GIL (its key), or holding it, when giltrace attached (the
   * manifest's gilAtAttach): so from `time` (when they were seen so; ns on the records' clock).
   */
  readonly gilAtStart?: readonly {
    readonly pid: number;
    readonly tid: number;
    readonly gil: string;
    readonly holding?: boolean;
    /** Neither holding nor waiting: only its stack is of use (where it let the GIL go). */
    readonly idle?: boolean;
    readonly time: number;
    /** The Python function it was seen running (a waiter: asking for the GIL in). */
    readonly stack?: GilAtAttach['stack'];
    /** Its CPU state then. */
    readonly cpu?: CpuAtAttach;
  }[];
}

const NAME_BYTES_312: NameBytesLayout = { asciiData: 8, compactData: 24 };
/**
 * An attach's first events are held back this long (ns), looks or not: a thread whose first GIL
 * event within it is a drop held or waited for the GIL since the start (droppedFirst). The looks
 * span 130 ms; a thread busy with the GIL drops it within a few ms.
 */
const ATTACH_WINDOW_NS = 150e6;

/** The recorder's pid from giltrace's probe group name (`giltrace_<pid>_<n>:take`). */
export function recorderPidOf(eventNames: readonly string[]): number | undefined {
  for (const name of eventNames) {
    const colon = name.indexOf(':');
    const owner = colon > 0 ? probeGroupOwner(name.slice(0, colon)) : undefined;
    if (owner !== undefined) return owner;
  }
  return undefined;
}

/** What the adapter learnt on the way: how much input it understood, which Python files ran. */
export interface AdapterFacts {
  gilEvents: number;
  schedEvents: number;
  ignoredSamples: number;
  /** Scheduler-only recordings: sleeps (S/D switch-outs) whose user stack was scanned, how many were in take_gil, how many waits they started. */
  stackScans: number;
  sleepsInTakeGil: number;
  inferredWaits: number;
  /** Scheduler-only recordings: inferred waits whose wakeup was not recorded (ended when the thread was next seen running). */
  inferredWaitsEndUnseen: number;
  /** Per pid: the python executable and libpython it mapped, as perf's mmap records name them. */
  readonly pythonFiles: Map<number, { executable?: string; library?: string }>;
  /** Per pid: what the Python inside said about itself through giltrace's marker probe. */
  readonly pythonProcesses: Map<number, PythonSelfReport>;
  /** Pids from which at least one Python thread name came through the marker probe. */
  readonly pythonNamedPids: Set<number>;
  /** The processes whose GIL events count: the recorder's descendants and attached processes (and theirs). */
  readonly tracedPids: Set<number>;
  /** Recordings without take_gil's return probe: takes placed (take-placement.ts), and how many of them by a guess. */
  takesPlaced?: { placed: number; guessed: number };
  /**
   * Drops whose probe read code addresses (since 12-07): how many, and how many of them named a
   * code object giltrace could not read while its process ran (its stack is then not known).
   */
  codeDrops: number;
  unnamedCodeDrops: number;
}

/** The `process` marker that giltrace's sitecustomize emits at interpreter start. */
export interface PythonSelfReport {
  readonly executable: string;
  readonly version: string;
  readonly gil: 'enabled' | 'disabled';
  readonly command: string;
}

export function newAdapterFacts(): AdapterFacts {
  return {
    gilEvents: 0,
    schedEvents: 0,
    ignoredSamples: 0,
    stackScans: 0,
    sleepsInTakeGil: 0,
    inferredWaits: 0,
    inferredWaitsEndUnseen: 0,
    codeDrops: 0,
    unnamedCodeDrops: 0,
    pythonFiles: new Map(),
    pythonProcesses: new Map(),
    pythonNamedPids: new Set(),
    tracedPids: new Set(),
  };
}

const PYTHON_EXECUTABLE = /\/python[\d.]*[a-z]*$/;
const PYTHON_LIBRARY = /\/libpython\d+\.\d+[a-z]*\.so/;

function notePythonFile(facts: AdapterFacts, mmap: MmapRecord): void {
  const isExecutable = PYTHON_EXECUTABLE.test(mmap.filename);
  if (!isExecutable && !PYTHON_LIBRARY.test(mmap.filename)) return;
  let files = facts.pythonFiles.get(mmap.pid);
  if (!files) facts.pythonFiles.set(mmap.pid, (files = {}));
  if (isExecutable) files.executable = mmap.filename;
  else files.library = mmap.filename;
}

/** sched_switch prev_state bits (kernel's TASK_REPORT order, as the format's print fmt shows). */
export function switchOutStateOf(prevState: number): SwitchOutState {
  const state = prevState & 0xff;
  if (state === 0) return 'runnable'; // TASK_RUNNING: preempted, still wants the CPU
  if (state & 0x30) return 'dead'; // EXIT_DEAD | EXIT_ZOMBIE
  if (state & 0x02) return 'blocked'; // TASK_UNINTERRUPTIBLE (D)
  return 'sleeping'; // S, stopped, traced, parked, idle
}

interface EventDecoder {
  readonly kind: 'gil' | 'mark' | 'switch' | 'waking' | 'ignore';
  readonly text?: TracepointField;
  readonly magic?: TracepointField;
  readonly role?: GilRole;
  readonly interp?: TracepointField;
  readonly ret?: TracepointField;
  readonly prevPid?: TracepointField;
  readonly prevState?: TracepointField;
  readonly nextPid?: TracepointField;
  readonly wakingPid?: TracepointField;
  /** Python stack fields of a take/drop probe (none when recorded without function context). */
  readonly frameNames?: readonly TracepointField[];
  readonly frameFile?: TracepointField;
  readonly frameLine?: TracepointField;
  readonly frameInstruction?: TracepointField;
  /** Code object addresses of the innermost frames (FrameField.code), when the probe read those instead of names. */
  readonly frameCodes?: readonly TracepointField[];
  /** Each of those code objects' file pointer and name bytes (FrameField.codeFile, codeName), where read. */
  readonly frameCodeFiles?: readonly (TracepointField | undefined)[];
  readonly frameCodeNames?: readonly (TracepointField | undefined)[];
}

function decoderFor(event: EventType): EventDecoder {
  const role = gilRoleOf(event.name);
  if (role === 'mark') {
    const text = event.field(ProbeField.markText);
    const magic = event.field(ProbeField.markMagic);
    return text && magic ? decoder('mark', { text, magic }) : decoder('ignore');
  }
  if (role) {
    const frameNames: TracepointField[] = [];
    for (let k = 0; k < MAX_FRAMES; k++) {
      const field = event.field(FrameField.name(k));
      if (!field) break;
      frameNames.push(field);
    }
    const frameCodes: TracepointField[] = [];
    for (let k = 0; k < MAX_FRAMES; k++) {
      const field = event.field(FrameField.code(k));
      if (!field) break;
      frameCodes.push(field);
    }
    return decoder('gil', {
      frameCodes,
      frameCodeFiles: frameCodes.map((_, k) => event.field(FrameField.codeFile(k))),
      frameCodeNames: frameCodes.map((_, k) => event.field(FrameField.codeName(k))),
      role,
      interp: event.field(ProbeField.interp),
      ret: event.field(ProbeField.returnAddress),
      frameNames,
      frameFile: event.field(FrameField.file),
      frameLine: event.field(FrameField.line),
      frameInstruction: event.field(FrameField.instruction),
    });
  }
  if (event.name === 'sched:sched_switch') {
    const prevPid = event.field('prev_pid');
    const prevState = event.field('prev_state');
    const nextPid = event.field('next_pid');
    if (prevPid && prevState && nextPid) return decoder('switch', { prevPid, prevState, nextPid });
  }
  if (event.name === 'sched:sched_waking') {
    const wakingPid = event.field('pid');
    if (wakingPid) return decoder('waking', { wakingPid });
  }
  return decoder('ignore');
}

/** Every decoder has every field (undefined where unused): one object shape for the per-sample code. */
function decoder(kind: EventDecoder['kind'], fields: Omit<EventDecoder, 'kind'> = {}): EventDecoder {
  return {
    kind, text: fields.text, magic: fields.magic, role: fields.role, interp: fields.interp, ret: fields.ret,
    prevPid: fields.prevPid, prevState: fields.prevState, nextPid: fields.nextPid, wakingPid: fields.wakingPid,
    frameNames: fields.frameNames ?? [], frameFile: fields.frameFile, frameLine: fields.frameLine, frameInstruction: fields.frameInstruction,
    frameCodes: fields.frameCodes ?? [], frameCodeFiles: fields.frameCodeFiles ?? [], frameCodeNames: fields.frameCodeNames ?? [],
  };
}

/**
 * Turns time-ordered perf records into time-ordered TimelineEvents. Records are consumed one at a
 * time (perfdata may reuse record objects), events are fresh objects. The timeline of a whole
 * recording is faster built without them: TimelineEventAdapter.feed into a TimelineBuilder.
 */
export function* toTimelineEvents(
  records: Iterable<PerfRecord>,
  options: AdapterOptions = {},
  facts: AdapterFacts = newAdapterFacts(),
): Generator<TimelineEvent> {
  const adapter = new TimelineEventAdapter(options, facts);
  yield* adapter.events(records);
  yield* adapter.finish();
}

/**
 * The adapter's state between batches of records: a live view feeds it what perf has written so
 * far, again and again (`feed` or `events`), and ends it once (`end` or `finish`); a file is one
 * batch.
 */
export class TimelineEventAdapter {
  // by EventType.index: a Map lookup per sample showed in profiles
  private readonly decoders: Array<EventDecoder | undefined> = [];
  /** The event type each of `decoders` was made for. */
  private readonly decoderTypes: Array<EventType | undefined> = [];
  /** Decoders of event types whose index another type took first (records of several recordings merged). */
  private readonly otherDecoders = new Map<EventType, EventDecoder>();
  private readonly spaces = new AddressSpaces();
  private readonly classify: DropClassifier | undefined;
  private readonly stacks: StackReading;
  private readonly root: number | undefined;
  private readonly traced: Set<number>;
  private readonly inferWaits: WaitInference | undefined;
  /** Every pid's GIL events count (the recording does not name its processes). */
  private readonly tracesAll: boolean;
  /**
   * perf writes comm/fork/mmap records for the threads that already exist before it starts
   * sampling: they say a thread exists when the recording starts, not when it began. They are
   * held back until the first sample and given its time.
   */
  private pending: TimelineEvent[] | undefined = [];
  /** AdapterOptions.gilAtStart, those not yet due. */
  private gilAtStart: AdapterOptions['gilAtStart'];
  /**
   * Known before the first record: the events up to the last of their times, held back (what came
   * before a look decides whether what it saw stands from the start).
   */
  private deferred: DeferredSink | undefined;
  private sawRecords = false;
  /** The recording attached to running processes (it names them): its first moments are held back (droppedFirst). */
  private readonly attached: boolean;
  /** While some are: the threads that had GIL probe events (theirs say what they did; an early look's sighting does not count then). */
  private readonly gilEventTids = new Set<number>();
  /**
   * Drop reasons by pid and drop_gil return address: a process drops the GIL from a handful of call
   * sites, and resolving the address (an object per drop) then classifying it showed in profiles.
   * A process's entries are forgotten when its mappings change (an address may then mean other code).
   */
  private readonly dropReasons = new Map<number, Map<number, DropReason>>();
  /**
   * Names giltrace gave threads (AdapterOptions.threadNames, and a live view's nameThread), by
   * tid: each goes out as the thread's Python name right after perf says the thread exists (its
   * comm or fork record), so that a name alone never makes a thread.
   */
  private readonly givenNames = new Map<number, NamedThread>();
  /** Threads perf said exist and not yet ended (comm, fork and exit records are few): a name given later goes out with the next sample. */
  private readonly knownTids = new Set<number>();
  private namesDue: NamedThread[] = [];
  /** GIL keys by pid, for take_gil entries that do not tell interpreters apart (one string, not one per event). */
  private readonly processGilKeys = new Map<number, string>();
  /**
   * Places each take's end when take_gil's return was not probed, and the ends of an attach's
   * waits begun before the probes when it was (it sits between the adapter and the sink).
   */
  readonly placement: TakePlacement | undefined;

  constructor(options: AdapterOptions, readonly facts: AdapterFacts = newAdapterFacts()) {
    this.classify = options.classifyDrop;
    this.stacks = { stacks: options.stacks ?? new PythonStacks(), nameBytes: options.nameBytes ?? NAME_BYTES_312, cache: new StackCache(), codes: options.codes, facts };
    this.root = options.descendantsOf;
    this.traced = facts.tracedPids;
    for (const pid of options.tracedPids ?? []) this.traced.add(pid);
    // the root is the traced command itself, or the recorder that started it (not a Python)
    if (options.descendantsOf !== undefined) this.traced.add(options.descendantsOf);
    this.tracesAll = this.root === undefined && this.traced.size === 0;
    this.inferWaits = options.inferWaits
      ? new WaitInference(options.inferWaits, (pid, address) => this.spaces.resolve(pid, address), facts)
      : undefined;
    // with take_gil's return probed, an attach's waits begun before the probes still end unprobed
    const attached = (options.tracedPids?.length ?? 0) > 0;
    this.attached = attached;
    this.placement = options.placeTakes ? new TakePlacement() : attached ? new TakePlacement(true) : undefined;
    for (const named of options.threadNames ?? []) this.givenNames.set(named.tid, named);
    this.addGilAtStart(options.gilAtStart ?? []);
  }

  /**
   * A name for a thread found after its records went by (a live view's attached threads): it goes
   * out with the next sample if perf said the thread exists, else with its comm or fork record.
   */
  nameThread(named: NamedThread): void {
    this.givenNames.set(named.tid, named);
    if (this.knownTids.has(named.tid)) this.namesDue.push(named);
  }

  /** Threads found holding or waiting for a GIL as giltrace attached, known after the adapter was made (a live view's): as AdapterOptions.gilAtStart. */
  addGilAtStart(users: NonNullable<AdapterOptions['gilAtStart']>): void {
    if (users.length > 0) this.gilAtStart = [...(this.gilAtStart ?? []), ...users].sort((a, b) => a.time - b.time);
  }

  /** After a comm or fork record: the name giltrace gave the thread, if any. */
  private threadKnown(pid: number, tid: number, time: number, sink: TimelineSink): void {
    this.knownTids.add(tid);
    if (this.givenNames.size === 0) return;
    const named = this.givenNames.get(tid);
    if (named !== undefined && named.pid === pid) this.emit({ kind: 'thread_name', time, pid, tid, name: named.name, source: 'python' }, sink);
  }

  private tellDueNames(time: number, sink: TimelineSink): void {
    const due = this.namesDue;
    this.namesDue = [];
    for (const { pid, tid, name } of due) this.emit({ kind: 'thread_name', time, pid, tid, name, source: 'python' }, sink);
  }

  /** Where this batch's events go: through the take placement to `sink` when takes are placed. */
  private into(sink: TimelineSink): TimelineSink {
    return this.placement ? this.placement.into(sink) : sink;
  }

  /** Whether GIL events of `pid` count: every pid unless the recording names its processes. */
  private isTraced(pid: number): boolean {
    return this.tracesAll || this.traced.has(pid);
  }

  /** The events of `records`, as objects (a live view's batches; tests). */
  *events(records: Iterable<PerfRecord>): Generator<TimelineEvent> {
    const collector = new EventCollector();
    const sink = this.into(collector);
    for (const record of records) {
      this.push(record, sink);
      if (collector.events.length > 0) yield* collector.take();
    }
  }

  /**
   * The events of `records`, put into `sink` in order.
   * @param done asked after each record when given: true ends the feed there (the rest is not needed)
   */
  feed(records: Iterable<PerfRecord>, to: TimelineSink, done?: () => boolean): void {
    const sink = this.into(to);
    if (!done) {
      for (const record of records) this.push(record, sink);
      return;
    }
    for (const record of records) {
      this.push(record, sink);
      if (done()) return;
    }
  }

  /**
   * The threads seen holding or waiting for a GIL by `time`, so from then on, and where the
   * others were; unless a probe event of their own came before: that says what they did (users
   * known only once records went by: a live view's late ones).
   */
  private gilFromStart(time: number, sink: TimelineSink): void {
    const due = this.gilAtStart!.filter((u) => u.time <= time && !this.gilEventTids.has(u.tid));
    const later = this.gilAtStart!.filter((u) => u.time > time);
    this.gilAtStart = later.length > 0 ? later : undefined;
    this.injectAtAttach(time, sink, due);
  }

  /**
   * `users` hold or wait for their GIL from `time` on (holders first), in the function the look
   * saw, and the idle ones' first waits ask for it where they were; their CPU state too, for
   * those in `cpuStands` (all when not given: no scheduler event of theirs before the look).
   */
  private injectAtAttach(time: number, sink: TimelineSink, users: NonNullable<AdapterOptions['gilAtStart']>, cpuStands?: ReadonlySet<number>): void {
    for (const { pid, tid, gil, holding, idle, stack, cpu } of [...users].sort((a, b) => Number(b.holding ?? false) - Number(a.holding ?? false))) {
      const stackId = stack ? this.stacks.stacks.intern(stack.name, stack.file, stack.line, stack.callers) : UNKNOWN_STACK;
      if (idle) {
        // where its first wait once recorded asks for the GIL (no drop of its own said it yet)
        if (stack) sink.add({ kind: 'stack_at_attach', time, pid, tid, stack: stackId });
        continue;
      }
      // first: it tells the timeline that the GIL events at this time are no probe hits (which run on a CPU)
      if (cpu && (!cpuStands || cpuStands.has(tid))) sink.add({ kind: 'cpu_at_attach', time, pid, tid, state: cpu });
      if (this.placement) {
        // a holder placed there, even behind a thread that asked for the GIL since the recording
        // began; a waiter's take placed, its take_gil call being older than the probes
        if (holding) this.placement.holdsAt(time, pid, tid, gil, stackId);
        else this.placement.waitsSinceAttach(time, pid, tid, gil, stackId);
        continue;
      }
      sink.takeEnter(time, pid, tid, gil, stackId);
      if (holding) sink.takeReturn(time, pid, tid);
    }
  }

  private push(record: PerfRecord, sink: TimelineSink): void {
    if (this.deferred === undefined && (this.gilAtStart || this.attached) && !this.sawRecords) this.deferred = new DeferredSink();
    this.sawRecords = true;
    if (this.deferred) {
      if (record.type === 'sample' && record.time < this.deferred.start) this.deferred.start = record.time;
      if (record.type !== 'sample' || record.time < this.deferredUntil(this.deferred)) return this.pushRecord(record, this.deferred);
      this.releaseDeferred(sink);
    }
    this.pushRecord(record, sink);
  }

  /** Until when the first events are held back: the last look's time, and an attach's first ATTACH_WINDOW_NS. */
  private deferredUntil(deferred: DeferredSink): number {
    return Math.max(this.gilAtStart?.at(-1)?.time ?? -Infinity, this.attached ? deferred.start + ATTACH_WINDOW_NS : -Infinity);
  }

  /**
   * The events up to the last look at the attach, held back, go on: after what the looks saw, put
   * at the recording's start for each thread no event of its own said otherwise before its look
   * (a thread in take_gil since before the probes gives no event until it has the GIL; one that
   * sat in the same state since the start gives none: see gilFromStart).
   */
  private releaseDeferred(sink: TimelineSink): void {
    const deferred = this.deferred!;
    this.deferred = undefined;
    const users = this.gilAtStart ?? [];
    this.gilAtStart = undefined;
    const start = deferred.start;
    if (Number.isFinite(start)) {
      const timely = users.filter((u) => (deferred.firstGil.get(u.tid) ?? Infinity) > u.time);
      const cpuStands = new Set(timely.filter((u) => (deferred.firstSched.get(u.tid) ?? Infinity) > u.time).map((u) => u.tid));
      const dropped = this.droppedFirst(deferred, users, timely);
      for (const u of dropped) if (u.cpu) cpuStands.add(u.tid);
      this.injectAtAttach(start, sink, [...timely, ...dropped], cpuStands);
    }
    for (const call of deferred.calls) call(sink);
  }

  /**
   * The threads whose first GIL event in the attach's first moments was a drop (or a probed
   * take_gil return), no look having seen them holding or waiting: they held the GIL, or waited
   * for it, since before the probes (the looks come a few ms apart, and one that finds a thread
   * on a CPU cannot tell take_gil from other code; on a busy server a thread in take_gil as perf
   * began took the GIL and let it go 1.4 ms later: 6 such threads in a 3 s attach, each a
   * `drop_while_not_holding`, its hold and wait lost). Of a GIL's such threads, the one whose drop was the GIL's first in the recording
   * held it from the start (one holder at a time: any other would have let go first), unless a
   * look saw another holding it; the others waited from the start, their takes placed as any
   * waiter's. Only where the process's GIL is known (one key among its threads' takes and the
   * looks: a drop does not say which GIL).
   */
  private droppedFirst(deferred: DeferredSink, users: NonNullable<AdapterOptions['gilAtStart']>, timely: NonNullable<AdapterOptions['gilAtStart']>): NonNullable<AdapterOptions['gilAtStart']> {
    // (a look that saw a thread on a CPU without the GIL, `idle`, may have come as it was woken in take_gil)
    const seen = new Set(timely.filter((u) => !u.idle).map((u) => u.tid));
    const gilsOf = new Map(deferred.gilsOf);
    for (const u of users) if (!u.idle) gilsOf.set(u.pid, new Set([...(gilsOf.get(u.pid) ?? []), u.gil]));
    const heldByLook = new Set(timely.filter((u) => u.holding).map((u) => u.gil));
    const gilOf = (pid: number): string | undefined => {
      const gils = gilsOf.get(pid);
      return gils?.size === 1 ? gils.values().next().value : undefined;
    };
    const out: NonNullable<AdapterOptions['gilAtStart']>[number][] = [];
    for (const [tid, { pid, time }] of deferred.firstDrops) {
      const gil = gilOf(pid);
      if (seen.has(tid) || gil === undefined) continue;
      const holding = !heldByLook.has(gil) && deferred.firstDropOf.get(pid) === time;
      out.push({ pid, tid, gil, time: deferred.start, ...(holding ? { holding } : {}), ...cpuAtStart(deferred, tid) });
    }
    // (with the return probed, one whose take_gil call began before perf recorded: it waited until then)
    for (const [tid, pid] of deferred.firstReturns) {
      const gil = gilOf(pid);
      if (!seen.has(tid) && gil !== undefined) out.push({ pid, tid, gil, time: deferred.start, ...cpuAtStart(deferred, tid) });
    }
    return out;
  }

  // hot path: runs once per record, and puts the frequent events into the sink without an object
  private pushRecord(record: PerfRecord, sink: TimelineSink): void {
    if (this.pending && record.type === 'sample') this.flushPending(record.time, sink);
    if (this.gilAtStart && !this.deferred && record.type === 'sample' && record.time >= this.gilAtStart[0].time) this.gilFromStart(record.time, sink);
    if (this.namesDue.length > 0 && record.type === 'sample') this.tellDueNames(record.time, sink);
    switch (record.type) {
      case 'sample': {
        const type = record.event;
        let decoder = this.decoders[type.index];
        // one recording's event types, unless records of several are merged (their indexes overlap)
        if (decoder === undefined || this.decoderTypes[type.index] !== type) decoder = this.decoderOf(type);
        const kind = decoder.kind;
        if ((kind === 'gil' || kind === 'mark') && !this.isTraced(record.pid)) {
          this.facts.ignoredSamples++; // a Python that giltrace did not start
          return;
        }
        if (this.gilAtStart && kind === 'gil') this.gilEventTids.add(record.tid);
        if (kind === 'mark') {
          const event = markToEvent(record, decoder.text!, decoder.magic!, this.facts);
          if (event) sink.add(event);
          return;
        }
        if (this.inferWaits) {
          this.inferAround(record, decoder, sink);
          return;
        }
        if (sampleToSink(record, decoder, this, sink)) {
          if (kind === 'gil') this.facts.gilEvents++;
          else this.facts.schedEvents++;
        } else this.facts.ignoredSamples++;
        return;
      }
      case 'comm':
        this.emit({ kind: 'thread_name', time: record.time, pid: record.pid, tid: record.tid, name: record.comm, source: 'os', ...(record.exec ? { exec: true } : {}) }, sink);
        return this.threadKnown(record.pid, record.tid, record.time, sink);
      case 'fork':
        if (record.pid !== record.ppid) {
          this.spaces.inherit(record.pid, record.ppid);
          this.dropReasons.delete(record.pid);
          if (record.ppid === this.root || this.traced.has(record.ppid)) this.traced.add(record.pid);
        }
        this.emit({ kind: 'thread_start', time: record.time, pid: record.pid, tid: record.tid, parentPid: record.ppid, ...(record.pid !== record.ppid ? { parentTid: record.ptid } : {}) }, sink);
        return this.threadKnown(record.pid, record.tid, record.time, sink);
      case 'exit':
        this.inferWaits?.threadExit(record.tid);
        this.knownTids.delete(record.tid);
        return this.emit({ kind: 'thread_exit', time: record.time, pid: record.pid, tid: record.tid }, sink);
      case 'mmap':
        this.spaces.add(record);
        if (record.executable) {
          this.dropReasons.delete(record.pid);
          notePythonFile(this.facts, record);
        }
        return;
      case 'lost':
        return this.emit({ kind: 'lost', time: record.time, count: record.count }, sink);
      default: {
        const unreachable: never = record;
        void unreachable;
      }
    }
  }

  /** Scheduler-only recordings (rare, small): the event as an object, with the inferred waits around it. */
  private inferAround(record: SampleRecord, decoder: EventDecoder, sink: TimelineSink): void {
    const collector = new EventCollector();
    if (!sampleToSink(record, decoder, this, collector)) {
      this.facts.ignoredSamples++;
      return;
    }
    if (decoder.kind === 'gil') this.facts.gilEvents++;
    else this.facts.schedEvents++;
    for (const event of this.inferWaits!.around(record, collector.events[0])) sink.add(event);
  }

  private decoderOf(type: EventType): EventDecoder {
    if (this.decoders[type.index] === undefined) {
      this.decoderTypes[type.index] = type;
      return (this.decoders[type.index] = decoderFor(type));
    }
    let decoder = this.otherDecoders.get(type);
    if (decoder === undefined) this.otherDecoders.set(type, (decoder = decoderFor(type)));
    return decoder;
  }

  /** The end of the records: what is still held back goes out. */
  *finish(): Generator<TimelineEvent> {
    const collector = new EventCollector();
    this.end(collector);
    yield* collector.take();
  }

  /** The end of the records, for `feed`: what is still held back goes into `sink`. */
  end(sink: TimelineSink): void {
    // (the placement's last events go to this sink, not to the last batch's)
    const into = this.into(sink);
    if (this.deferred) this.releaseDeferred(into);
    if (this.pending) this.flushPending(-Infinity, into);
    if (!this.placement) return;
    this.placement.end();
    if (this.placesTakes) this.facts.takesPlaced = { placed: this.placement.placed, guessed: this.placement.guesses };
  }

  /** take_gil's returns are placed, not read from the recording (AdapterOptions.placeTakes). */
  get placesTakes(): boolean {
    return this.placement !== undefined && !this.placement.returnsProbed;
  }

  private emit(event: TimelineEvent, sink: TimelineSink): void {
    if (this.pending) this.pending.push(event);
    else sink.add(event);
  }

  private flushPending(at: number, sink: TimelineSink): void {
    const held = this.pending ?? [];
    this.pending = undefined;
    for (const event of held) {
      const moved = event.time < at ? { ...event, time: at } : event;
      sink.add(moved.kind === 'thread_start' ? { ...moved, existing: true } : moved);
    }
  }

  /** `${pid}`, made once per process. */
  gilKeyOf(pid: number): string {
    let key = this.processGilKeys.get(pid);
    if (key === undefined) this.processGilKeys.set(pid, (key = `${pid}`));
    return key;
  }

  dropReasonOf(sample: SampleRecord, decoder: EventDecoder): DropReason {
    const classify = this.classify;
    if (!classify || !decoder.ret || !hasPayload(sample)) return 'unknown';
    const returnAddress = readSampleInt(sample, decoder.ret);
    const pid = sample.pid;
    let reasons = this.dropReasons.get(pid);
    if (reasons === undefined) this.dropReasons.set(pid, (reasons = new Map()));
    let reason = reasons.get(returnAddress);
    if (reason === undefined) {
      const where = this.spaces.resolve(pid, returnAddress);
      reasons.set(returnAddress, (reason = where ? classify(where.file, where.offset) : 'unknown'));
    }
    return reason;
  }

  stackOf(sample: SampleRecord, decoder: EventDecoder): number {
    return stackOf(sample, decoder, this.stacks);
  }
}

/**
 * A thread's CPU state at an attach's start, from its first scheduler event (on a CPU if that
 * takes it off one): GIL events put there are no probe hits, which would say it ran.
 */
function cpuAtStart(deferred: DeferredSink, tid: number): { cpu?: CpuAtAttach } {
  const first = deferred.firstSchedRole.get(tid);
  return first === 'out' ? { cpu: 'running' } : first === 'woken' ? { cpu: 'sleeping' } : first === 'in' ? { cpu: 'runnable' } : {};
}

/**
 * Sink calls kept to be made later (TimelineEventAdapter's first moments of an attach), and when
 * each thread's first GIL event and first scheduler event came.
 */
class DeferredSink implements TimelineSink {
  readonly calls: ((sink: TimelineSink) => void)[] = [];
  readonly firstGil = new Map<number, number>();
  readonly firstSched = new Map<number, number>();
  /** The threads whose first GIL event was a drop; each process's first drop; the GILs its threads' takes named. */
  readonly firstDrops = new Map<number, { readonly pid: number; readonly time: number }>();
  readonly firstDropOf = new Map<number, number>();
  /** The threads whose first GIL event was a probed take_gil return (`--exact-takes`), by pid. */
  readonly firstReturns = new Map<number, number>();
  readonly gilsOf = new Map<number, Set<string>>();
  /** What each thread's first scheduler event did to it: switched it out, in, or woke it. */
  readonly firstSchedRole = new Map<number, 'out' | 'in' | 'woken'>();
  /** The earliest time of any call or sample record (Infinity before one). */
  start = Infinity;

  takeEnter(time: number, pid: number, tid: number, gil: string, stack: number): void {
    this.noted(this.firstGil, tid, time);
    let gils = this.gilsOf.get(pid);
    if (!gils) this.gilsOf.set(pid, (gils = new Set()));
    gils.add(gil);
    this.calls.push((sink) => sink.takeEnter(time, pid, tid, gil, stack));
  }
  takeReturn(time: number, pid: number, tid: number): void {
    if (!this.firstGil.has(tid)) this.firstReturns.set(tid, pid);
    this.noted(this.firstGil, tid, time);
    this.calls.push((sink) => sink.takeReturn(time, pid, tid));
  }
  drop(time: number, pid: number, tid: number, reason: DropReason, stack: number): void {
    if (!this.firstGil.has(tid)) this.firstDrops.set(tid, { pid, time });
    if (!this.firstDropOf.has(pid)) this.firstDropOf.set(pid, time);
    this.noted(this.firstGil, tid, time);
    this.calls.push((sink) => sink.drop(time, pid, tid, reason, stack));
  }
  schedSwitch(time: number, cpu: number, prevTid: number, prevState: SwitchOutState, nextTid: number): void {
    if (!this.firstSchedRole.has(prevTid)) this.firstSchedRole.set(prevTid, 'out');
    if (!this.firstSchedRole.has(nextTid)) this.firstSchedRole.set(nextTid, 'in');
    this.noted(this.firstSched, prevTid, time);
    this.noted(this.firstSched, nextTid, time);
    this.calls.push((sink) => sink.schedSwitch(time, cpu, prevTid, prevState, nextTid));
  }
  waking(time: number, tid: number, by?: number): void {
    if (!this.firstSchedRole.has(tid)) this.firstSchedRole.set(tid, 'woken');
    this.noted(this.firstSched, tid, time);
    this.calls.push((sink) => sink.waking(time, tid, by));
  }
  add(event: TimelineEvent): void {
    if (event.kind !== 'thread_name' && event.time < this.start) this.start = event.time;
    this.calls.push((sink) => sink.add(event));
  }

  private noted(first: Map<number, number>, tid: number, time: number): void {
    if (time < this.start) this.start = time;
    if (!first.has(tid)) first.set(tid, time);
  }
}

/** A sink that keeps the events as objects, in order. */
class EventCollector implements TimelineSink {
  events: TimelineEvent[] = [];
  takeEnter(time: number, pid: number, tid: number, gil: string, stack: number): void {
    this.events.push({ kind: 'take_enter', time, pid, tid, gil, stack });
  }
  takeReturn(time: number, pid: number, tid: number): void {
    this.events.push({ kind: 'take_return', time, pid, tid });
  }
  drop(time: number, pid: number, tid: number, reason: DropReason, stack: number): void {
    this.events.push({ kind: 'drop', time, pid, tid, reason, stack });
  }
  schedSwitch(time: number, cpu: number, prevTid: number, prevState: SwitchOutState, nextTid: number): void {
    this.events.push({ kind: 'switch', time, cpu, prevTid, prevState, nextTid });
  }
  waking(time: number, tid: number, by?: number): void {
    this.events.push(by ? { kind: 'waking', time, tid, by } : { kind: 'waking', time, tid });
  }
  add(event: TimelineEvent): void {
    this.events.push(event);
  }
  /** The events so far; the collector starts empty again. */
  take(): TimelineEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }
}

/** The sample's event into `sink`; false when it is none (counted as ignored by the caller). */
function sampleToSink(sample: SampleRecord, decoder: EventDecoder, adapter: TimelineEventAdapter, sink: TimelineSink): boolean {
  const time = sample.time;
  switch (decoder.kind) {
    case 'gil': {
      const pid = sample.pid;
      switch (decoder.role) {
        case 'take': {
          const interp = decoder.interp && hasPayload(sample) ? readSampleInt(sample, decoder.interp) : 0;
          // One GIL per process unless the probe tells interpreters apart (3.12+ subinterpreters).
          const gil = interp ? `${pid}/${interp.toString(16)}` : adapter.gilKeyOf(pid);
          sink.takeEnter(time, pid, sample.tid, gil, adapter.stackOf(sample, decoder));
          return true;
        }
        case 'take_ret':
          if (adapter.placesTakes) return false; // placed instead (AdapterOptions.placeTakes)
          sink.takeReturn(time, pid, sample.tid);
          return true;
        case 'drop':
          sink.drop(time, pid, sample.tid, adapter.dropReasonOf(sample, decoder), adapter.stackOf(sample, decoder));
          return true;
        default:
          return false; // drop_gil return (per4m's 4th probe) adds nothing: holding ended at entry
      }
    }
    case 'switch':
      if (!hasPayload(sample)) return false;
      sink.schedSwitch(
        time,
        sample.cpu,
        readSampleInt(sample, decoder.prevPid!),
        switchOutStateOf(readSampleInt(sample, decoder.prevState!)),
        readSampleInt(sample, decoder.nextPid!),
      );
      return true;
    case 'waking':
      if (!hasPayload(sample)) return false;
      sink.waking(time, readSampleInt(sample, decoder.wakingPid!), sample.tid);
      return true;
    case 'mark':
    case 'ignore':
      return false;
  }
}

interface StackReading {
  readonly stacks: PythonStacks;
  readonly nameBytes: NameBytesLayout;
  readonly cache: StackCache;
  readonly codes: CodeNames | undefined;
  readonly facts: AdapterFacts;
}

/** The Python stack a take/drop probe read, interned; UNKNOWN_STACK when it read none. */
function stackOf(sample: SampleRecord, decoder: EventDecoder, reading: StackReading): number {
  if (decoder.frameCodes!.length > 0) return codeStackOf(sample, decoder, reading);
  const names = decoder.frameNames!;
  if (names.length === 0 || !hasPayload(sample)) return UNKNOWN_STACK;
  // the frame fields and their strings are the payload's tail from the first frame field on
  const raw = readSamplePayload(sample).subarray(names[0].offset);
  const known = reading.cache.find(raw);
  if (known !== undefined) return known;
  const id = readStack(sample, decoder, reading);
  reading.cache.remember(raw, id);
  return id;
}

function readStack(sample: SampleRecord, decoder: EventDecoder, { stacks, nameBytes }: StackReading): number {
  const names = decoder.frameNames!;
  const callers: string[] = [];
  for (let k = 1; k < names.length; k++) callers.push(readSampleString(sample, names[k]));
  const file = decoder.frameFile ? readSampleString(sample, decoder.frameFile) : '';
  const line = decoder.frameLine ? readSampleInt(sample, decoder.frameLine) : 0;
  // the leaf's name comes as raw str bytes (any kind of text); older recordings read it as a C string
  const leaf = names[0].arrayLength !== undefined ? decodePyStrBytes(readSampleBytes(sample, names[0]), nameBytes) : readSampleString(sample, names[0]);
  const instruction = decoder.frameInstruction ? readSampleInt(sample, decoder.frameInstruction) : undefined;
  return stacks.intern(leaf, file, line, callers, instruction);
}

/** Scratch for a code-address drop's cache key: its pid, then its fields from the first code address on. */
let codeKey = new Uint8Array(64);

/**
 * The stack a drop probe read as code addresses (FrameField.code), named by the holder samples
 * (CodeNames): the innermost address's function, its callers' names as far as they were named.
 * A drop whose innermost address was never named is UNKNOWN_STACK (counted: facts.unnamedCodeDrops).
 */
function codeStackOf(sample: SampleRecord, decoder: EventDecoder, reading: StackReading): number {
  if (!hasPayload(sample)) return UNKNOWN_STACK;
  const codes = decoder.frameCodes!;
  reading.facts.codeDrops++;
  const first = readSampleInt(sample, codes[0]);
  if (first === 0) return NO_FRAME_STACK; // no Python frame (the kernel read a null frame)
  const named = reading.codes;
  if (!named) {
    reading.facts.unnamedCodeDrops++;
    return UNKNOWN_STACK;
  }
  // the same addresses (and instruction) in the same process are the same stack, unless an address was reused
  const raw = readSamplePayload(sample).subarray(codes[0].offset);
  let key: Uint8Array | undefined;
  if (named.stable) {
    if (codeKey.length < raw.length + 4) codeKey = new Uint8Array(raw.length + 4);
    key = codeKey.subarray(0, raw.length + 4);
    new DataView(key.buffer).setUint32(0, sample.pid, true);
    key.set(raw, 4);
    const known = reading.cache.find(key);
    if (known !== undefined) return known === UNKNOWN_STACK ? unnamed(reading) : known;
  }
  const id = readCodeStack(sample, decoder, reading, named);
  // (a live view's unnamed address may be named by its next look: not remembered unnamed)
  if (key && !(id === UNKNOWN_STACK && named.options.growing)) reading.cache.remember(key, id);
  return id === UNKNOWN_STACK ? unnamed(reading) : id;
}

function unnamed(reading: StackReading): number {
  reading.facts.unnamedCodeDrops++;
  return UNKNOWN_STACK;
}

function readCodeStack(sample: SampleRecord, decoder: EventDecoder, { stacks }: StackReading, named: CodeNames): number {
  const codes = decoder.frameCodes!;
  const leafStack = codeStackAt(sample, decoder, named, 0);
  if (leafStack === undefined) return UNKNOWN_STACK;
  const leafId = stacks.stacks[leafStack].leaf;
  if (leafId === NO_FRAME_FUNCTION) return NO_FRAME_STACK; // an interpreter entry frame (3.13's shims)
  const leaf = stacks.functions[leafId];
  const callers: string[] = [];
  for (let k = 1; k < codes.length; k++) {
    const caller = codeStackAt(sample, decoder, named, k);
    if (caller === undefined) break; // the bottom of the stack, or a caller never named: as deep as known
    const fn = stacks.stacks[caller].leaf;
    if (fn !== NO_FRAME_FUNCTION) callers.push(stacks.functions[fn].name); // (entry frames are no callers)
  }
  const instruction = decoder.frameInstruction ? readSampleInt(sample, decoder.frameInstruction) : undefined;
  return stacks.intern(leaf.name, leaf.file, leaf.line, callers, instruction);
}

/** The stack naming frame k's code address at the drop, as its file pointer and name bytes agree; undefined when none does (or no frame k). */
function codeStackAt(sample: SampleRecord, decoder: EventDecoder, named: CodeNames, k: number): number | undefined {
  const code = readSampleInt(sample, decoder.frameCodes![k]);
  if (code === 0) return undefined;
  const fileField = decoder.frameCodeFiles![k];
  const nameField = decoder.frameCodeNames![k];
  // 0: the kernel could not read it (now and then it reads none of an event's strings): no check then
  const file = fileField ? readSampleInt(sample, fileField) || undefined : undefined;
  const tag = nameField ? hex(readSampleBytes(sample, nameField)) : undefined;
  return named.stackAt(sample.pid, code, sample.time, file, tag === UNREAD_TAG ? undefined : tag);
}

const UNREAD_TAG = '0000000000000000';

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += (b < 16 ? '0' : '') + b.toString(16);
  return out;
}

/** Marker texts: `thread<US>tid<US>name` and `process<US>pid<US>executable<US>version<US>gil<US>command`. */
function markToEvent(sample: SampleRecord, field: TracepointField, magic: TracepointField, facts: AdapterFacts): TimelineEvent | undefined {
  // Anything else on the system may call strverscmp; only our sitecustomize passes the magic.
  if (!hasPayload(sample) || readSampleString(sample, magic) !== MARK_MAGIC) return undefined;
  const parts = readSampleString(sample, field).split(MARK_SEPARATOR);
  if (parts[0] === 'thread' && parts.length >= 3) {
    const tid = Number(parts[1]);
    if (!Number.isInteger(tid) || tid <= 0) return undefined;
    facts.pythonNamedPids.add(sample.pid);
    return { kind: 'thread_name', time: sample.time, pid: sample.pid, tid, name: parts.slice(2).join(MARK_SEPARATOR), source: 'python' };
  }
  if (parts[0] === 'process' && parts.length >= 6) {
    const [, , executable, version, gil] = parts;
    const command = parts.slice(5).join(MARK_SEPARATOR);
    facts.pythonProcesses.set(sample.pid, { executable, version, gil: gil === 'disabled' ? 'disabled' : 'enabled', command });
  }
  return undefined;
}
