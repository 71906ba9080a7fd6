/**
 * The pipeline run live (`giltrace top`): perf's pipe-form bytes are pushed in as perf writes
 * them (perfdata's feed), the adapter and timeline builder grow with them, and every tick takes
 * a snapshot of the window since the last tick (model), computes its stats (analysis) and adds
 * them to the totals since the start. After a tick the builder forgets what is before the
 * window, so memory and work per tick follow the window, not the whole run.
 */
import { computeStats, type ProcessMeta } from '../analysis/index.js';
import type { FunctionStats, ProcessStats, StatsJson } from '../contract/stats.js';
import type { RecordingManifest } from '../contract/recording-manifest.js';
import { TimelineBuilder } from '../model/build-timeline.js';
import { TimelineEventAdapter, newAdapterFacts } from '../model/perf-to-timeline-events.js';
import { PythonStacks } from '../model/python-stacks.js';
import { manifestDropClassifier } from '../model/recording-manifest.js';
import { recordedInterpreterOf } from '../model/recorded-interpreter.js';
import type { Timeline } from '../model/timeline.js';
import { createPerfFeed, type PerfFeed } from '../perfdata/index.js';

/** One thread's numbers summed over every tick so far. */
export interface ThreadTotals {
  readonly pid: number;
  readonly tid: number;
  name: string;
  lifetimeNs: number;
  heldNs: number;
  waitNs: number;
  noGilNs: number;
}

export interface FunctionTotals {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  heldNs: number;
  heldWhileOthersWaitNs: number;
  waitNs: number;
}

/** Who holds a GIL at the end of the window, since when. */
export interface HolderNow {
  readonly pid: number;
  readonly tid: number;
  readonly name: string;
  readonly sinceNs: number;
}

export interface LiveTick {
  /** The window's stats: [previous tick, latest event released by perf]. */
  readonly window: StatsJson;
  readonly windowNs: number;
  /** From the first event to the end of this window. */
  readonly elapsedNs: number;
  readonly threads: ReadonlyMap<string, ThreadTotals>;
  readonly functions: ReadonlyMap<number, ReadonlyMap<string, FunctionTotals>>;
  readonly holders: readonly HolderNow[];
  readonly lostEvents: number;
}

export class LiveAnalysis {
  private readonly feed: PerfFeed;
  private readonly adapter: TimelineEventAdapter;
  private readonly builder = new TimelineBuilder();
  private readonly stacks = new PythonStacks();
  private readonly threads = new Map<string, ThreadTotals>();
  private readonly functions = new Map<number, Map<string, FunctionTotals>>();
  private windowStart = NaN;
  private firstTime = NaN;
  private lostEvents = 0;

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
        placeTakes: manifest.takesPlaced === true,
      },
      newAdapterFacts(),
    );
  }

  /** perf's next bytes. */
  push(chunk: Uint8Array): void {
    this.feed.push(chunk);
  }

  /** Reads what perf released, and returns the window since the last tick (undefined before any event). */
  tick(): LiveTick | undefined {
    if (this.feed.ready) for (const event of this.adapter.events(this.feed.available())) this.builder.add(event);
    const end = this.builder.lastTime;
    if (!(end === end) || !Number.isFinite(end) || !(this.builder.firstTime === this.builder.firstTime)) return undefined;
    if (!(this.firstTime === this.firstTime)) this.firstTime = this.builder.firstTime;
    const from = this.windowStart === this.windowStart ? this.windowStart : this.firstTime;
    const timeline = this.builder.snapshot({ from, stacks: this.stacks, timeBaseNs: this.feed.timeBaseNs });
    const window = computeStats(timeline, {
      events: this.feed.stats.records,
      lostEvents: this.feed.stats.lostEvents,
      warnings: [],
      cpus: this.feed.features.nrCpus,
      processes: new Map(timeline.processes.map((p) => [p.pid, this.describe(p.pid)])),
    });
    this.builder.forgetBefore(end);
    this.windowStart = end;
    this.lostEvents = window.recording.lost_events;
    for (const process of window.processes) this.addUp(process);
    return {
      window,
      windowNs: end - from,
      elapsedNs: end - this.firstTime,
      threads: this.threads,
      functions: this.functions,
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

  private addUp(process: ProcessStats): void {
    for (const thread of process.threads) {
      const key = `${process.pid}:${thread.tid}`;
      let totals = this.threads.get(key);
      if (!totals) this.threads.set(key, (totals = { pid: process.pid, tid: thread.tid, name: thread.name, lifetimeNs: 0, heldNs: 0, waitNs: 0, noGilNs: 0 }));
      totals.name = thread.name;
      totals.lifetimeNs += thread.lifetime_ns;
      totals.heldNs += thread.held_ns;
      totals.waitNs += thread.wait_ns;
      totals.noGilNs += thread.no_gil_ns;
    }
    let functions = this.functions.get(process.pid);
    if (!functions) this.functions.set(process.pid, (functions = new Map()));
    for (const f of process.functions ?? []) addFunction(functions, f);
  }
}

function addFunction(into: Map<string, FunctionTotals>, f: FunctionStats): void {
  const key = `${f.name}\0${f.file}\0${f.line}`;
  let totals = into.get(key);
  if (!totals) into.set(key, (totals = { name: f.name, file: f.file, line: f.line, heldNs: 0, heldWhileOthersWaitNs: 0, waitNs: 0 }));
  totals.heldNs += f.held_ns;
  totals.heldWhileOthersWaitNs += f.held_while_others_wait_ns;
  totals.waitNs += f.wait_ns;
}

/** The last entry of each GIL's holders track: who holds it as the window ends. */
function holdersAtEnd(timeline: Timeline): HolderNow[] {
  const out: HolderNow[] = [];
  for (const process of timeline.processes) {
    for (const gil of process.gils) {
      const n = gil.holders.tids.length;
      const tid = n > 0 ? gil.holders.tids[n - 1] : 0;
      if (tid === 0) continue;
      const name = process.threads.find((t) => t.tid === tid)?.name ?? `thread ${tid}`;
      out.push({ pid: process.pid, tid, name, sinceNs: process.end - gil.holders.times[n - 1] });
    }
  }
  return out;
}
