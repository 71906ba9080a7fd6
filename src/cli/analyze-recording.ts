/**
 * recording file → timeline → stats + verdict: the one composition of the pipeline stages that
 * every command shares (perfdata → model → analysis, with probe/'s ELF reader to tell forced
 * from voluntary GIL drops).
 */
import { computeStats, computeVerdict, type RecordingMeta, type Verdict } from '../analysis/index.js';
import type { PythonInfo, StatsJson } from '../contract/stats.js';
import { buildTimeline } from '../model/build-timeline.js';
import { gilRoleOf, newAdapterFacts, recorderPidOf, toTraceEvents, type AdapterFacts } from '../model/perf-to-trace-events.js';
import type { Timeline } from '../model/timeline.js';
import { RECORDING_MANIFEST_FEATURE, type RecordingManifest } from '../contract/recording-manifest.js';
import { manifestDropClassifier, parseRecordingManifest } from '../model/recording-manifest.js';
import { PythonStacks } from '../model/python-stacks.js';
import { openPerfData } from '../perfdata/index.js';
import type { PythonTarget } from '../probe/python-target.js';
import { makeDropClassifier } from './drop-classifier.js';
import { makeGilWaitClassifier } from './gil-wait-classifier.js';
import { unnamedPythonWarnings } from './python-hook-warning.js';
import { isPerTaskRecording, PER_TASK_WARNING, seedModeVerdict, seedModeWarnings } from './seed-mode.js';

export interface Analysis {
  readonly timeline: Timeline;
  readonly stats: StatsJson;
  readonly verdict: Verdict;
}

export interface AnalyzeOptions {
  /** What giltrace knew when it recorded (run/record): exact executable, version, command. */
  readonly target?: PythonTarget;
  readonly command?: readonly string[];
}

export function analyzeRecording(path: string, options: AnalyzeOptions = {}): Analysis {
  const data = openPerfData(path);
  const facts = newAdapterFacts();
  const warnings: string[] = [];
  const manifest = readManifest(data.features.otherSections?.get(RECORDING_MANIFEST_FEATURE), warnings);
  const eventNames = data.eventTypes.map((type) => type.name);
  const descendantsOf = manifest?.recorderPid ?? recorderPidOf(eventNames);
  // Seed mode: no GIL probes at all, so waits can only be inferred from scheduler call chains.
  const seedMode = !eventNames.some((name) => gilRoleOf(name) !== undefined);
  const waitLookup = seedMode ? makeGilWaitClassifier() : undefined;
  // giltrace's own recordings carry their drop-caller tables; others need this machine's files.
  const classifyDrop = manifest ? manifestDropClassifier(manifest) : makeDropClassifier();
  const stacks = new PythonStacks();
  const nameBytes = manifest?.interpreters.find((i) => i.nameBytes)?.nameBytes;
  const adapterOptions = { classifyDrop, descendantsOf, tracedPids: manifest?.attached?.map((a) => a.pid), inferWaits: waitLookup?.classify, stacks, nameBytes };
  const events = toTraceEvents(data.records(), adapterOptions, facts);
  const timeline = buildTimeline(events, { timeBaseNs: data.timeBaseNs, stacks });
  if (waitLookup && facts.stackScans > 0) {
    warnings.push(...seedModeWarnings(facts, waitLookup));
  } else if (facts.gilEvents === 0) {
    warnings.push('no GIL probe events in this recording: was it made with giltrace record (or perf probes on take_gil/drop_gil)?');
  }
  if (manifest?.attached) {
    warnings.push('thread names of attached processes are their OS names: Python thread names are known only for programs giltrace starts');
  }
  if (facts.schedEvents > 0 && isPerTaskRecording(data.features.cmdline)) warnings.push(PER_TASK_WARNING);
  warnings.push(...unnamedPythonWarnings(eventNames, timeline.processes.map((p) => p.pid), facts));
  if (data.stats.lostEvents > 0) {
    warnings.push(`perf lost ${data.stats.lostEvents} events (ring buffer overrun): use a larger --buffer; numbers near the gaps are uncertain`);
  }
  const meta: RecordingMeta = {
    events: data.stats.records,
    lostEvents: data.stats.lostEvents,
    warnings,
    cpus: data.features.nrCpus,
    processes: new Map(timeline.processes.map((p) => {
      const namespacePid = manifest?.attached?.find((a) => a.pid === p.pid)?.namespacePid;
      return [p.pid, { ...describeProcess(p.pid, facts, manifest, options), ...(namespacePid !== undefined ? { namespacePid } : {}) }];
    })),
  };
  const numbers = computeStats(timeline, meta);
  const verdict = waitLookup && facts.stackScans > 0 ? seedModeVerdict(numbers) : computeVerdict(numbers, timeline);
  return { timeline, stats: { ...numbers, verdict }, verdict };
}

function readManifest(bytes: Uint8Array | undefined, warnings: string[]): RecordingManifest | undefined {
  if (bytes === undefined) return undefined;
  const reading = parseRecordingManifest(bytes);
  if ('manifest' in reading) return reading.manifest;
  warnings.push(`${reading.problem}: drop reasons are read from this machine's interpreter files instead`);
  return undefined;
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
  const known = recorded.find((i) => files.library === i.gilLibrary || (i.mappedAs !== undefined && files.library === i.mappedAs) || files.executable === i.executable) ?? (files.executable ? undefined : recorded[0]);
  if (known) {
    return {
      command: command?.join(' ') ?? known.executable,
      python: { executable: known.executable, version: known.version, gil: 'enabled' },
    };
  }
  const executable = files.executable ?? files.library ?? 'unknown';
  return { command: executable, python: { executable, version: versionFromPaths(files), gil: 'enabled' } };
}

/** Best effort for recordings read later: pyenv paths carry the full version, sonames the minor. */
function versionFromPaths(files: { executable?: string; library?: string }): string {
  for (const path of [files.executable, files.library]) {
    const full = path && /(?:^|\/)(?:python-?|versions\/)(\d+\.\d+\.\d+[a-z0-9]*)\//.exec(path);
    if (full) return full[1];
  }
  for (const path of [files.library, files.executable]) {
    const minor = path && /python(\d+\.\d+)/.exec(path);
    if (minor) return minor[1];
  }
  return 'unknown';
}
