/**
 * recording file → timeline → stats + verdict: the one composition of the pipeline stages that
 * every command shares (perfdata → model → analysis, with probe/'s ELF lookups for what the
 * recording does not carry itself), worded by verdict-text.ts and recording-warnings.ts.
 */
import { accumulateWhole, computeVerdict, statsOf, type RecordingMeta, type TimelineFacts } from '../analysis/index.js';
import { StatsAccumulator } from '../analysis/stats-accumulator.js';
import { TimelineWindows, WINDOW_EVENTS, type WindowSink } from '../model/timeline-windows.js';
import { gatherReport, ReportAccumulator, type GatheredReport } from '../export/index.js';
import type { PythonInfo, StatsJson } from '../contract/stats.js';
import type { Timeline } from '../model/timeline.js';
import type { RecordingKind } from '../model/recording-kind.js';
import { TimelineBuilder } from '../model/build-timeline.js';
import { newAdapterFacts, recorderPidOf, TimelineEventAdapter, type AdapterFacts } from '../model/perf-to-timeline-events.js';
import { hasGilProbes, isPerTaskRecording, recordingKindOf, takesNeedPlacing } from '../model/recording-kind.js';
import { MANIFEST_REST_FEATURE, RECORDING_MANIFEST_FEATURE, type ExtraRecording, type RecordingManifest } from '../contract/recording-manifest.js';
import { gilAtStartOf, manifestDropClassifier, parseRecordingManifest, type ManifestReading } from '../model/recording-manifest.js';
import { PythonStacks } from '../model/python-stacks.js';
import { findUntracedPythons, lateInterpreterProcesses } from '../model/untraced-pythons.js';
import { recordedInterpreterOf } from '../model/recorded-interpreter.js';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HOLDER_SAMPLES_FEATURE, SAMPLED_MAGIC } from '../contract/sampled-recording.js';
import { readHolderSamples, type HolderSamples } from '../model/holder-samples.js';
import { inflateRawSync } from 'node:zlib';
import { isSampledRecording } from '../model/sampled-recording.js';
import { analyzeSampledRecording } from './analyze-sampled-recording.js';
import { mergedRecords, openPerfData, type PerfData } from '../perfdata/index.js';
import { pipeFeatureContent } from '../perfdata/pipe-feature-record.js';
import { makeDropClassifier } from '../probe/drop-classifier.js';
import { makeGilWaitClassifier } from '../probe/gil-wait-classifier.js';
import type { PythonTarget } from '../probe/python-target.js';
import { pythonVersionFromPaths } from '../probe/python-version-from-path.js';
import { recordingWarnings, unnamedAttachedThreadsWarnings } from './recording-warnings.js';
import { toVerdictText } from './verdict-text.js';
import type { Analysis } from './analysis.js';
import { collectGarbage } from '../base/collect-garbage.js';
import { assert, GiltraceError } from '../base/errors.js';

export type { Analysis } from './analysis.js';

export interface AnalyzeOptions {
  /** What giltrace knew when it recorded (run/record): exact executable, version, command. */
  readonly target?: PythonTarget;
  readonly command?: readonly string[];
  /** Events per window of analyzeRecordingStats and analyzeRecordingReport (tests cut small recordings into many). */
  readonly windowEvents?: number;
  /** The HTML report's steps drawn exactly, at most (ReportInput.maxSteps). */
  readonly maxSteps?: number;
  /** Only this part of the recording: ns after its first event, `to` excluded (stats and the HTML report, read window by window). */
  readonly range?: { readonly from: number; readonly to: number };
  /** Place each take from the other events even where take_gil's return was probed (tests compare the two). */
  readonly placeTakes?: boolean;
  /** Charge every hold where it ended, as if the recording had no holder samples (tests compare the two). */
  readonly ignoreHolderSamples?: boolean;
}

/** The stats, verdict and the HTML report's tracks (gathered window by window). */
export interface ReportAnalysis extends Omit<Analysis, 'timeline'> {
  readonly report: GatheredReport;
}

export function analyzeRecording(path: string, options: AnalyzeOptions = {}): Analysis {
  if (isSampledFile(path)) return analyzeSampledRecording(path);
  // Nothing keeps the reader (its blocks) once the records are read, nor the builder once the
  // timeline is frozen: a collection on the way can give their memory to what comes next, and
  // the analysis's memory comes on top of the timeline's alone.
  const { timeline, ...read } = frozen(readRecording(path, undefined, options));
  const meta = recordingMeta(read, timeline.processes.map((p) => p.pid), options);
  // one pass of the analysis serves the stats and the verdict's facts
  const accumulator = accumulateWhole(timeline, { cpus: read.cpus, holderSamples: read.holderSamples });
  return concluded(statsOf(accumulator, meta.meta), accumulator.facts(), meta.kind, timeline, read.manifest);
}

/**
 * The stats and verdict alone (`giltrace stats`, `diff`): the recording is read window by
 * window (model/timeline-windows.ts), so its memory follows a window, however long it is.
 */
export function analyzeRecordingStats(path: string, options: AnalyzeOptions = {}): Omit<Analysis, 'timeline'> {
  if (isSampledFile(path)) return analyzeSampledRecording(path, options.range !== undefined);
  let stats!: StatsAccumulator;
  const read = readRecording(
    path,
    { events: options.windowEvents ?? WINDOW_EVENTS, range: options.range, sinks: (cpus, _, holderSamples) => [(stats = new StatsAccumulator({ cpus, holderSamples }))] },
    options,
  );
  return concludedFrom(stats, read, options);
}

/**
 * The stats, verdict and the HTML report's tracks, window by window too: the report's tracks
 * are kept exactly while they fit its budget (REPORT_MAX_STEPS); past it they are coarsened as
 * they come to a few resolutions around the one the whole recording is expected to need (from
 * the share of its bytes read), and in the rare case none of them is the one it needs, the
 * recording is read a second time, coarsened to it (export/report-accumulator.ts). Memory: the
 * stats' plus the report's drawn steps.
 */
export function analyzeRecordingReport(path: string, options: AnalyzeOptions = {}): ReportAnalysis {
  if (isSampledFile(path)) {
    const { timeline, ...analysis } = analyzeSampledRecording(path, options.range !== undefined);
    return { ...analysis, report: gatherReport(timeline, options.maxSteps) };
  }
  const events = options.windowEvents ?? WINDOW_EVENTS;
  const range = options.range;
  let stats!: StatsAccumulator;
  let report!: ReportAccumulator;
  const read = readRecording(path, {
    events,
    range,
    // a range's share of the recording is not known ahead: no guess from the share read
    sinks: (cpus, progress, holderSamples) => [(stats = new StatsAccumulator({ cpus, holderSamples })), (report = new ReportAccumulator({ maxSteps: options.maxSteps, ...(range ? {} : { progress }) }))],
  }, options);
  const analysis = concludedFrom(stats, read, options);
  if (!report.needsSecondReading) return { ...analysis, report: report.finish() };
  const coarse = new ReportAccumulator({ resolution: report.resolution() });
  readRecording(path, { events, range, sinks: () => [coarse] }, options);
  return { ...analysis, report: coarse.finish() };
}

/**
 * A part of a recording as one timeline, with its stats and verdict: the exports of a range
 * (Chrome, Perfetto), which draw a timeline step for step. The recording before the range is
 * read window by window and forgotten, so memory follows the part, not the recording.
 */
export function analyzeRecordingRange(path: string, options: AnalyzeOptions & { range: NonNullable<AnalyzeOptions['range']> }): Analysis {
  if (isSampledFile(path)) throw new GiltraceError('--from/--to with a .json or .pftrace export take an exact recording; a sampled one is exported whole');
  let stats!: StatsAccumulator;
  let timeline: Timeline | undefined;
  const read = readRecording(path, {
    events: options.windowEvents ?? WINDOW_EVENTS,
    range: options.range,
    wholeRange: true,
    sinks: (cpus, _, holderSamples) => [(stats = new StatsAccumulator({ cpus, holderSamples })), {
      add: (window) => {
        assert(timeline === undefined, 'a range read whole comes as one window');
        timeline = window;
      },
    }],
  }, options);
  assert(timeline !== undefined, 'a range with events has its window');
  return { ...concludedFrom(stats, read, options), timeline };
}

function concludedFrom(stats: StatsAccumulator, read: ReturnType<typeof readRecording>, options: AnalyzeOptions): Omit<Analysis, 'timeline'> {
  const meta = recordingMeta(read, stats.pids(), options);
  const analysis = concluded(statsOf(stats, meta.meta), stats.facts(), meta.kind, undefined, read.manifest);
  return read.inputs ? { ...analysis, inputs: read.inputs } : analysis;
}

type Read = Omit<ReturnType<typeof readRecording>, 'builder' | 'timeBaseNs' | 'stacks' | 'inputs'>;

/** What the stats say of the recording beside the timeline: its warnings, and each process's command and Python. */
function recordingMeta(read: Read, pids: readonly number[], options: AnalyzeOptions): { meta: RecordingMeta; kind: RecordingKind } {
  const { facts, manifest, reading, eventNames, waitLookup, lostEvents, events, perTask, cpus, missingExtras, zstdTailBytes } = read;
  const kind = recordingKindOf(facts);
  const late = lateInterpreterProcesses(facts, (manifest?.extraRecordings ?? []).map((e) => manifest!.interpreters[e.interpreter]).filter((i) => i !== undefined), new Set(pids));
  const warnings = recordingWarnings({
    manifestProblem: reading && 'problem' in reading ? reading.problem : undefined,
    kind,
    facts,
    waitLookup,
    perTask,
    eventNames,
    pids,
    lostEvents,
    attached: manifest?.attached === undefined ? undefined : manifest.threadNames !== undefined && manifest.threadNames.length > 0 ? 'named' : 'unnamed',
    gilUsersAtAttach: manifest?.gilAtAttach?.length,
    missingExtras,
    zstdTailBytes,
    lateInterpreters: late.tracedLate,
    missedByLateProbes: late.missed,
    untraced: manifest ? findUntracedPythons(facts, manifest.interpreters) : undefined,
  });
  const meta: RecordingMeta = {
    events,
    lostEvents,
    warnings,
    cpus,
    ...(options.range ? { range: options.range } : {}),
    ...(facts.takesPlaced ? { takesPlaced: facts.takesPlaced } : {}),
    processes: new Map(pids.map((pid) => {
      const namespacePid = manifest?.attached?.find((a) => a.pid === pid)?.namespacePid;
      const nsPerGilCycle = manifest ? recordedInterpreterOf(pid, facts, manifest.interpreters)?.probeCostNs : undefined;
      return [pid, {
        ...describeProcess(pid, facts, manifest, options),
        ...(namespacePid !== undefined ? { namespacePid } : {}),
        ...(nsPerGilCycle !== undefined ? { nsPerGilCycle } : {}),
      }];
    })),
  };
  return { meta, kind };
}

function concluded(numbers: StatsJson, facts: TimelineFacts, kind: RecordingKind, timeline: Timeline, manifest: RecordingManifest | undefined): Analysis;
function concluded(numbers: StatsJson, facts: TimelineFacts, kind: RecordingKind, timeline: undefined, manifest: RecordingManifest | undefined): Omit<Analysis, 'timeline'>;
function concluded(numbers: StatsJson, facts: TimelineFacts, kind: RecordingKind, timeline: Timeline | undefined, manifest: RecordingManifest | undefined): Omit<Analysis, 'timeline'> & { timeline?: Timeline } {
  const verdict = toVerdictText(computeVerdict(numbers, facts, kind));
  const boottime = manifest?.boottimeMinusMonotonicNs;
  const unnamed = manifest?.attached ? unnamedAttachedThreadsWarnings(numbers.processes, manifest.attached, manifest.threadNames ?? []) : [];
  const recording = unnamed.length ? { ...numbers.recording, warnings: [...numbers.recording.warnings, ...unnamed] } : numbers.recording;
  return {
    ...(timeline ? { timeline } : {}),
    stats: { ...numbers, recording, verdict },
    verdict,
    ...(boottime !== undefined ? { boottimeMinusMonotonicNs: BigInt(boottime) } : {}),
  };
}

/** The timeline of a recording read (the builder is left behind). */
function frozen({ builder, timeBaseNs, stacks, ...read }: ReturnType<typeof readRecording>) {
  // the reader's blocks are garbage by now, and each copied track of the builder as it goes
  return { timeline: builder.consume({ timeBaseNs, stacks, collect: collectGarbage }), ...read };
}

/**
 * The recording (and its extra recordings) read into a timeline builder, with what the reading
 * learnt on the way; with `windows`: cut into windows of as many events as it is read (the
 * builder keeps one window), each handed to the sinks made for it (given the recording's CPU count,
 * the share of its bytes read so far, and its holder samples).
 */
function readRecording(
  path: string,
  windows?: {
    events: number;
    range?: AnalyzeOptions['range'];
    wholeRange?: boolean;
    sinks: (cpus: number | undefined, progress: () => number, holderSamples: HolderSamples | undefined) => WindowSink[];
  },
  { placeTakes, ignoreHolderSamples }: Pick<AnalyzeOptions, 'placeTakes' | 'ignoreHolderSamples'> = {},
) {
  const data = openPerfData(path);
  // (perf names the events in the sections it writes last: without them, no event is the GIL's or the scheduler's)
  if (data.features.unfinished) {
    throw new GiltraceError(`${path} was not finished: perf stopped before it wrote the end of the file, where it names the events (perf or giltrace was killed?); nothing in it can be read: record again`);
  }
  const facts = newAdapterFacts();
  const manifestBytes = data.features.otherSections?.get(RECORDING_MANIFEST_FEATURE);
  const reading = manifestBytes === undefined ? undefined : withManifestRest(parseRecordingManifest(manifestBytes), data.path);
  const manifest = reading && 'manifest' in reading ? reading.manifest : undefined;
  const eventNames = data.eventTypes.map((type) => type.name);
  // Without GIL probes, waits can only be inferred from the scheduler's stack copies.
  const waitLookup = hasGilProbes(eventNames) ? undefined : makeGilWaitClassifier();
  // giltrace's own recordings carry their drop-caller tables; others need this machine's files.
  const classifyDrop = manifest ? manifestDropClassifier(manifest) : makeDropClassifier();
  const stacks = new PythonStacks();
  // read even when ignored: they also name the drop probe's code addresses (recordings since 12-07)
  const samplesRead = holderSamplesOf(data, manifest, stacks);
  const holderSamples = ignoreHolderSamples ? undefined : samplesRead;
  const adapterOptions = {
    classifyDrop,
    descendantsOf: manifest?.targetPid ?? manifest?.recorderPid ?? recorderPidOf(eventNames),
    tracedPids: manifest?.attached?.map((a) => a.pid),
    threadNames: manifest?.threadNames,
    gilAtStart: gilAtStartOf(manifest?.gilAtAttach, data.eventTypes, data.timeBaseNs),
    inferWaits: waitLookup?.classify,
    stacks,
    nameBytes: manifest?.interpreters.find((i) => i.nameBytes)?.nameBytes,
    codes: samplesRead?.codes,
    placeTakes: placeTakes || takesNeedPlacing(eventNames),
  };
  // interpreters the traced tree started while it was recorded have recordings of their own
  const extras = openExtraRecordings(path, manifest?.extraRecordings ?? []);
  const all = [data, ...extras.found];
  const records = extras.found.length > 0 ? mergedRecords(all) : data.records();
  // records → builder without an object per event (toTimelineEvents would make one each)
  const adapter = new TimelineEventAdapter(adapterOptions, facts);
  const builder = new TimelineBuilder();
  const cuts = windows && new TimelineWindows(builder, windows.sinks(data.features.nrCpus, progressOf(all), holderSamples), { timeBaseNs: data.timeBaseNs, stacks, windowEvents: windows.events, range: windows.range, wholeRange: windows.wholeRange });
  // a range read to its end only
  adapter.feed(records, builder, cuts && windows?.range ? () => cuts.rangeEnded : undefined);
  adapter.end(builder);
  cuts?.finish();
  if (cuts && windows?.range && cuts.handedOn === 0) throw new GiltraceError(nothingInRange(windows.range, cuts.spanNs));
  return {
    builder,
    timeBaseNs: data.timeBaseNs,
    stacks,
    facts,
    manifest,
    reading,
    eventNames,
    waitLookup,
    lostEvents: all.reduce((sum, d) => sum + d.stats.lostEvents, 0),
    events: all.reduce((sum, d) => sum + d.stats.records, 0),
    zstdTailBytes: all.reduce((sum, d) => sum + d.stats.zstdTailBytes, 0),
    perTask: isPerTaskRecording(data.features.cmdline),
    cpus: data.features.nrCpus,
    missingExtras: extras.missing,
    holderSamples,
    // giltrace's own recordings carry what the analysis needs (their drop callers' tables; waits
    // inferred from the scheduler's stack copies would look at this machine's files): no other file is read
    inputs: manifest && !waitLookup ? [path, ...(manifest.extraRecordings ?? []).map((e) => join(dirname(path), e.file))] : undefined,
  };
}

/**
 * The recording's holder samples (exact recordings with function context, since 12-05), their
 * stacks interned in `stacks`: a file-form recording's feature section, or the records at the end
 * of a streamed one that its manifest points at.
 */
function holderSamplesOf(data: PerfData, manifest: RecordingManifest | undefined, stacks: PythonStacks): HolderSamples | undefined {
  let section = data.features.otherSections?.get(HOLDER_SAMPLES_FEATURE);
  const trailing = manifest?.holderSamples;
  if (section === undefined && trailing) section = pipeFeatureContent(readFileRange(data.path, trailing.offset, trailing.bytes, 'holder samples'), HOLDER_SAMPLES_FEATURE, data.path, trailing.offset);
  if (section === undefined) return undefined;
  let text: string;
  try {
    text = inflateRawSync(section).toString('utf8');
  } catch (e) {
    throw new GiltraceError(`its holder samples (feature section ${HOLDER_SAMPLES_FEATURE}) are corrupt: ${(e as Error).message}`, { file: data.path });
  }
  return readHolderSamples(text, stacks, data.timeBaseNs, data.path);
}

/**
 * A streamed recording's manifest with its rest (`manifestRest`: what an attach found, written
 * after perf's last record) joined in. A rest that cannot be read is bad input, as corrupt holder
 * samples are.
 */
function withManifestRest(reading: ManifestReading, path: string): ManifestReading {
  if (!('manifest' in reading) || !reading.manifest.manifestRest) return reading;
  const { offset, bytes } = reading.manifest.manifestRest;
  let rest: unknown;
  try {
    const content = pipeFeatureContent(readFileRange(path, offset, bytes, "giltrace's manifest"), MANIFEST_REST_FEATURE, path, offset);
    rest = JSON.parse(inflateRawSync(content).toString('utf8'));
  } catch (e) {
    if (e instanceof GiltraceError) throw e;
    throw new GiltraceError(`the rest of giltrace's manifest (feature records ${MANIFEST_REST_FEATURE}) is corrupt: ${(e as Error).message}`, { file: path, offset });
  }
  const { threadNames, gilAtAttach } = (typeof rest === 'object' && rest !== null ? rest : {}) as Partial<RecordingManifest>;
  // validated as one manifest, the rest with the rest
  return parseRecordingManifest(new TextEncoder().encode(JSON.stringify({ ...reading.manifest, threadNames, gilAtAttach })));
}

/** Why a range of a recording gave nothing: it begins after the recording's end. */
function nothingInRange(range: NonNullable<AnalyzeOptions['range']>, spanNs: number): string {
  return `nothing was recorded from ${range.from / 1e9} s on: the recording lasts ${(spanNs / 1e9).toFixed(3)} s from its first event`;
}

/** The share of these recordings' bytes read so far (their records as read, against their files' sizes). */
function progressOf(recordings: readonly PerfData[]): () => number {
  let size = 0;
  for (const recording of recordings) {
    try {
      size += statSync(recording.path).size;
    } catch {
      return () => NaN;
    }
  }
  return () => recordings.reduce((sum, r) => sum + r.bytesRead, 0) / size;
}

/** `bytes` bytes of a file from `offset` (`what` they are); a GiltraceError when it has fewer. */
function readFileRange(path: string, offset: number, bytes: number, what: string): Uint8Array {
  const out = Buffer.alloc(bytes);
  const fd = openSync(path, 'r');
  try {
    if (readSync(fd, out, 0, bytes, offset) !== bytes) throw new GiltraceError(`expected ${bytes} bytes of ${what}, found fewer (truncated file?)`, { file: path, offset });
  } finally {
    closeSync(fd);
  }
  return out;
}

/** A sampled recording starts with its magic line; anything else is read as perf.data (which says what is wrong). */
function isSampledFile(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(SAMPLED_MAGIC.length + 1);
    return isSampledRecording(head.subarray(0, readSync(fd, head, 0, head.length, 0)));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The extra recordings the manifest lists, beside the main one; those that cannot be read are named. */
function openExtraRecordings(main: string, listed: readonly ExtraRecording[]): { found: PerfData[]; missing: string[] } {
  const found: PerfData[] = [];
  const missing: string[] = [];
  for (const { file } of listed) {
    const path = join(dirname(main), file);
    try {
      found.push(openPerfData(path));
    } catch (e) {
      missing.push(`${path} (${(e as Error).message})`);
    }
  }
  return { found, missing };
}


function describeProcess(
  pid: number,
  facts: AdapterFacts,
  manifest: RecordingManifest | undefined,
  options: AnalyzeOptions,
): { command: string; python: PythonInfo } {
  const told = facts.pythonProcesses.get(pid);
  if (told) {
    return { command: told.command, python: { executable: told.executable, version: told.version, gil: told.gil } };
  }
  const files = facts.pythonFiles.get(pid) ?? {};
  const recorded = manifest?.interpreters ?? (options.target ? [options.target] : []);
  const command = manifest?.attached?.find((a) => a.pid === pid)?.command ?? manifest?.command ?? options.command;
  const known = recordedInterpreterOf(pid, facts, recorded);
  if (known) {
    return {
      command: command?.join(' ') ?? known.executable,
      python: { executable: known.executable, version: known.version, gil: 'enabled' },
    };
  }
  const executable = files.executable ?? files.library ?? 'unknown';
  return { command: executable, python: { executable, version: pythonVersionFromPaths(files), gil: 'enabled' } };
}
