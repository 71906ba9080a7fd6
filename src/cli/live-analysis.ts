/**
 * The pipeline run live (`giltrace top`): perf's pipe-form bytes are pushed in as perf writes
 * them (perfdata's feed), the adapter and timeline builder grow with them, and every tick takes
 * a snapshot of the window since the last tick (model), computes its stats (analysis) and adds
 * them to the totals since the start. After a tick the builder forgets what is before the
 * window, so memory and work per tick follow the window, not the whole run.
 *
 * With function context the drop probe reads code addresses, which the holder sampler names from
 * the processes' memory as perf writes them (record/drop-code-names.ts): its D lines say how far
 * into the recording it has named them, and perf's bytes past that wait (a drop adapted before
 * its address was read would stay unnamed). The view's bytes are the recording file's.
 */
import { computeStats, type ProcessMeta } from '../analysis/index.js';
import type { GilAtAttach, NamedThread, RecordingManifest } from '../contract/recording-manifest.js';
import { TimelineBuilder } from '../model/build-timeline.js';
import { CodeNames } from '../model/code-names.js';
import { TimelineEventAdapter, newAdapterFacts } from '../model/perf-to-timeline-events.js';
import { PythonStacks } from '../model/python-stacks.js';
import { gilAtStartOf, manifestDropClassifier } from '../model/recording-manifest.js';
import { recordedInterpreterOf } from '../model/recorded-interpreter.js';
import { createPerfFeed, type PerfFeed } from '../perfdata/index.js';
import { LiveHolderSamples } from './live-holder-samples.js';

import { holdersAtEnd, LiveTotals, type LiveTick } from './live-totals.js';

export type { FunctionTotals, HolderNow, LiveTick, ThreadTotals } from './live-totals.js';

/**
 * perf's bytes wait this long at most for the holder sampler to say their drops are named (it
 * says so every 200 ms; its thread failed to start, or is starved): a view that never stalls.
 */
const NAMING_PATIENCE_MS = 2000;

export class LiveAnalysis {
  private readonly feed: PerfFeed;
  private readonly adapter: TimelineEventAdapter;
  private readonly builder = new TimelineBuilder();
  private readonly stacks = new PythonStacks();
  private readonly totals = new LiveTotals();
  private windowStart = NaN;
  private firstTime = NaN;
  private lostEvents = 0;
  private readonly gilUsersDue: GilAtAttach[] = [];
  private holderSamples: LiveHolderSamples | undefined;
  private readonly codes = new CodeNames({ growing: true });
  /** perf's bytes not yet given to the feed (they wait for their drops' names), and how many came before them. */
  private waiting: Buffer[] = [];
  private fed = 0;
  /** The naming's last D line, and when it came (Date.now()). */
  private lastNamedThrough: number | undefined;
  private namedAt = Date.now();

  constructor(private readonly manifest: RecordingManifest) {
    this.feed = createPerfFeed({ name: '<perf>' });
    const nameBytes = manifest.interpreters.find((i) => i.nameBytes)?.nameBytes;
    this.adapter = new TimelineEventAdapter(
      {
        classifyDrop: manifestDropClassifier(manifest),
        descendantsOf: manifest.recorderPid,
        tracedPids: manifest.attached?.map((a) => a.pid),
        stacks: this.stacks,
        nameBytes,
        codes: this.codes,
        placeTakes: manifest.takesPlaced === true,
      },
      newAdapterFacts(),
    );
  }

  /** Names found for attached processes' threads (attached-thread-names.ts): their rows from the next tick on. */
  nameThreads(names: readonly NamedThread[]): void {
    for (const named of names) this.adapter.nameThread(named);
  }

  /**
   * Threads found holding or waiting for a GIL as giltrace attached (attached-thread-names.ts):
   * given to the adapter once the feed knows its events and clock.
   */
  gilAtAttach(users: readonly GilAtAttach[]): void {
    this.gilUsersDue.push(...users);
  }

  /** Reads the holder samples appended to `file` as they come (live-holder-samples.ts). */
  holderSamplesFrom(file: string): void {
    this.holderSamples?.close();
    this.holderSamples = new LiveHolderSamples(file, this.stacks, this.codes);
  }

  /** Lets go of the holder samples' file. */
  close(): void {
    this.holderSamples?.close();
  }

  /** perf's next bytes (as the recording file has them). */
  push(chunk: Buffer): void {
    this.waiting.push(chunk);
  }

  /**
   * Gives the feed the bytes whose drops are named (all of them when the recording is complete,
   * without holder samples, once the naming stopped, or when it said nothing new for
   * NAMING_PATIENCE_MS while bytes waited: the view goes on, its drops named as far as they are).
   */
  private feedNamed(final: boolean): void {
    const through = this.holderSamples?.namedThrough;
    const now = Date.now();
    if (through !== this.lastNamedThrough || this.waiting.length === 0) {
      this.lastNamedThrough = through;
      this.namedAt = now;
    }
    const stalled = now - this.namedAt > NAMING_PATIENCE_MS;
    let room = final || !this.holderSamples || through === -1 || stalled ? Infinity : (through ?? 0) - this.fed;
    while (room > 0 && this.waiting.length > 0) {
      const chunk = this.waiting[0];
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.feed.push(part);
      this.fed += part.length;
      room -= part.length;
      if (part === chunk) this.waiting.shift();
      else this.waiting[0] = chunk.subarray(part.length);
    }
  }

  /**
   * Reads what perf released, and returns the window since the last tick (undefined before any
   * event); `final`: the recording is complete, the window goes to its end.
   */
  tick(final = false): LiveTick | undefined {
    // the samples first: their D line says how much of perf's bytes the feed may have, and their
    // O lines name the drops in them (kept until the feed knows its time base)
    const samples = this.holderSamples;
    samples?.read(this.feed.ready ? this.feed.timeBaseNs : undefined);
    this.feedNamed(final);
    if (this.feed.ready) samples?.read(this.feed.timeBaseNs);
    if (this.feed.ready && this.gilUsersDue.length > 0) {
      this.adapter.addGilAtStart(gilAtStartOf(this.gilUsersDue.splice(0), this.feed.eventTypes, this.feed.timeBaseNs) ?? []);
    }
    if (this.feed.ready) for (const event of this.adapter.events(this.feed.available())) this.builder.add(event);
    let end = this.builder.lastTime;
    if (!(end === end) || !Number.isFinite(end) || !(this.builder.firstTime === this.builder.firstTime)) return undefined;
    if (!(this.firstTime === this.firstTime)) this.firstTime = this.builder.firstTime;
    const from = this.windowStart === this.windowStart ? this.windowStart : this.firstTime;
    if (samples && this.feed.ready) {
      // the sampler writes its lines every 200 ms: while they come, the window ends at the last,
      // so that its holds had their chance of a sample (those past it wait for the next window)
      if (!final && samples.latest > from) end = Math.min(end, samples.latest);
    }
    const timeline = this.builder.snapshot({ from, end, stacks: this.stacks, timeBaseNs: this.feed.timeBaseNs });
    const window = computeStats(timeline, {
      events: this.feed.stats.records,
      lostEvents: this.feed.stats.lostEvents,
      warnings: [],
      cpus: this.feed.features.nrCpus,
      processes: new Map(timeline.processes.map((p) => [p.pid, this.describe(p.pid)])),
    }, samples?.take(end));
    this.builder.forgetBefore(end);
    this.windowStart = end;
    this.lostEvents = window.recording.lost_events;
    this.totals.add(window);
    return {
      window,
      windowNs: end - from,
      elapsedNs: end - this.firstTime,
      threads: this.totals.threads,
      functions: this.totals.functions,
      holders: holdersAtEnd(timeline),
      lostEvents: this.lostEvents,
    };
  }

  private describe(pid: number): ProcessMeta {
    // what the Python said of itself (giltrace's hook, in programs giltrace started) comes first
    const interpreter = recordedInterpreterOf(pid, this.adapter.facts, this.manifest.interpreters) ?? this.manifest.interpreters[0];
    const cost = interpreter?.probeCostNs !== undefined ? { nsPerGilCycle: interpreter.probeCostNs } : {};
    const told = this.adapter.facts.pythonProcesses.get(pid);
    if (told) return { command: told.command, python: { executable: told.executable, version: told.version, gil: told.gil }, ...cost };
    const attached = this.manifest.attached?.find((a) => a.pid === pid);
    return {
      command: (attached?.command ?? this.manifest.command).join(' '),
      python: { executable: interpreter?.executable ?? 'unknown', version: interpreter?.version ?? 'unknown', gil: 'enabled' },
      ...cost,
    };
  }
}
