/**
 * Records one traced command: probes on, perf running and acknowledged, then the target; when
 * the target ends, perf is stopped and every probe removed — on every path, errors and signals
 * included.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { deflateRawSync } from 'node:zlib';
import type { Readable, Writable } from 'node:stream';
import { GiltraceError } from '../base/errors.js';
import { retrySync } from '../base/sleep.js';
import type { PythonTarget } from '../probe/python-target.js';
import { ensureTracefs } from '../probe/tracefs.js';
import { registerGilProbes, removeStaleProbeGroups, type GilProbeGroup, type ProbeOptions } from '../probe/uprobes.js';
import { MANIFEST_REST_FEATURE, RECORDING_MANIFEST_FEATURE, type AttachedProcess, type GilAtAttach, type NamedThread, type RecordingManifest } from '../contract/recording-manifest.js';
import { MAX_PIPE_RECORD, PIPE_HEADER_BYTES, pipeFeatureRecord, pipeFeatureRecords } from '../perfdata/pipe-feature-record.js';
import { isRunning } from '../probe/running-process.js';
import { ownersBeingCleanedUp, startCleanupWatcher, type CleanupWatcher } from './cleanup-watcher.js';
import { killOrphanRecorders } from './orphan-recorders.js';
import { LateInterpreters } from './late-interpreters.js';
import { probeCostPerCycle } from './probe-cost.js';
import { watchTracingCost, type TracingCostReading } from './tracing-cost-watch.js';
import { perfRecordArgs } from './perf-args.js';
import { collectLines, letFinishAlone, PerfLines, saysFileComplete, stopUntilWritten } from './perf-finish.js';
import { makeRecordingManifest, withLateInterpreters, writeRecordingManifest } from './recording-manifest.js';
import { withPythonHook } from './python-hook.js';
import { AttachedThreadNames } from './attached-thread-names.js';
import { HolderSampling } from './holder-sampling.js';
import { removeTempFilesOfDeadRuns } from './temp-files.js';
import { HOLDER_SAMPLES_FEATURE } from '../contract/sampled-recording.js';
import { appendFeatureSection } from '../perfdata/append-feature.js';
import { dropCodeEvents, PING_MS, QUIET_AFTER_MS, QUIET_PING_MS, type DropCodeSource } from './drop-codes.js';

export interface RecordRequest {
  /** The command to run, or when attaching the attached processes' command lines (for the manifest). */
  readonly command: readonly string[];
  /** The interpreters to probe: the command's, or each attached process's (several when they run different files). */
  readonly targets: readonly PythonTarget[];
  /** Attach to these running processes instead of running `command`. */
  readonly attach?: AttachRequest;
  readonly output: string;
  readonly bufferSize?: string;
  readonly compress?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** Python frames read at each GIL probe hit (0: no function context). */
  readonly frameDepth?: number;
  /** Probe take_gil's return too (`--exact-takes`); else takes are placed when read (uprobes.ts). */
  readonly takeReturns?: boolean;
  /**
   * A live view: perf's output (pipe form) is handed over chunk by chunk as perf writes it, and
   * also kept in `output` (with giltrace's manifest as its first record).
   */
  readonly onData?: (chunk: Buffer) => void;
  /**
   * A live view (top) reads the drops as they come: the holder sampler says how far into the
   * recording it has named their code addresses (D lines), and the view reads no further.
   */
  readonly live?: boolean;
  /** Ends the recording early: an attached recording stops, a command gets SIGINT (as from Ctrl-C). */
  readonly stop?: AbortSignal;
  /** Called once perf records (before the command starts): a live view's clock starts here. */
  readonly onRecording?: () => void;
  /** Attached: names given to the processes' threads (attached-thread-names.ts), as they are found (a live view's rows). */
  readonly onThreadNames?: (names: readonly NamedThread[]) => void;
  /** The file the holder samples are appended to while recording (a live view reads them as they come). */
  readonly onHolderSamples?: (file: string) => void;
  /** Attached: the threads found holding or waiting for a GIL in the first looks, as they are found (a live view's model). */
  readonly onGilAtAttach?: (users: readonly GilAtAttach[]) => void;
  /**
   * About every second while the command runs (or the attach lasts): what the probes cost it in
   * that second (tracing-cost-watch.ts). Returns whether to be called again.
   */
  readonly onTracingCost?: (reading: TracingCostReading) => boolean;
}

export interface AttachRequest {
  readonly processes: readonly AttachedProcess[];
  /** Stop after this long (default: until a signal or until every attached process has exited). */
  readonly durationMs?: number;
}

export interface RecordResult {
  /** The traced command's exit code, 128+N if it died of signal N; 0 when attached. */
  readonly exitCode: number;
  readonly wallNs: number;
  /** What perf said on stderr that is worth passing on (warnings, lost chunks). */
  readonly perfMessages: readonly string[];
  /** giltrace's own problems that did not stop the recording. */
  readonly warnings: readonly string[];
}

const PERF_READY_TIMEOUT_MS = 30_000;
const PERF_STOP_TIMEOUT_MS = 120_000;
const PROBE_REMOVAL_TIMEOUT_MS = 5_000;
/** How long a recording that names its drops' code addresses waits for the holder sampler to tick before it starts the command. */
const SAMPLER_READY_MS = 3_000;
/** A live view's freshness: how often perf is asked to hand over what its buffers hold. */
const FLUSH_MS = 250;
/**
 * Room left in a streamed recording's manifest for what it points at once recorded: where its
 * holder samples and its manifest's rest (an attach's thread names and GIL users) are.
 */
const POINTERS_ROOM = 160;
/** How often attached processes are checked for having exited. */
const ATTACHED_POLL_MS = 200;
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export async function recordTarget(request: RecordRequest): Promise<RecordResult> {
  const tracefs = ensureTracefs();
  const signals = new SignalRelay();
  const watcher = startCleanupWatcher(tracefs);
  // measured once per machine and interpreter (cached), with no probe of ours in place yet
  const probeCosts = recordingProbeCosts(request);
  const probes = registerAllProbes(request, watcher);
  let perfLines: PerfLines | undefined;
  let perf: ChildProcess | undefined;
  /** Recorders whose files are complete and that are still closing their events (perf-finish.ts). */
  let finishing: ChildProcess[] = [];
  const warnings: string[] = [];
  let stream: StreamedRecording | undefined;
  let late: LateInterpreters | undefined;
  let names: AttachedThreadNames | undefined;
  let holders: HolderSampling | undefined;
  let stopCostWatch: (() => void) | undefined;
  try {
    ({ perf, lines: perfLines } = startPerf(request, probes.flatMap((group) => group.eventNames)));
    // the sampler's thread starts while perf does (a recording's fixed cost is felt)
    if (wantsHolderSamples(request)) {
      const codes = dropCodeSource(tracefs, request.output, probes, warnings, request.live === true);
      holders = HolderSampling.start(request.attach?.processes.map((p) => p.pid) ?? [], request.command, warnings, watcher.watchFile, codes);
    }
    if (holders) request.onHolderSamples?.(holders.file);
    const perfMessages = perfLines.all;
    if (perf.pid !== undefined) watcher.watchPerf(perf.pid);
    // while perf starts (0.15-0.2 s, most of it reading /proc/kallsyms): what killed runs left
    // behind, and the manifest
    cleanUpAfterKilledRuns();
    const manifest = makeRecordingManifest(request.command, request.targets, process.pid, {
      attached: request.attach?.processes,
      probeCosts,
      takeReturns: request.takeReturns,
    });
    if (request.onData) stream = new StreamedRecording(perf, request.output, manifest, request.onData, warnings, POINTERS_ROOM);
    if (request.attach) {
      names = new AttachedThreadNames(request.attach.processes.map((p) => p.pid), request.onThreadNames, request.onGilAtAttach);
      names.prepare();
    }
    await waitUntilRecording(perf, perfMessages);
    // (perf's start takes longer than the sampler's, mostly: this rarely waits)
    if (holders) await holders.whenTicking(SAMPLER_READY_MS);
    if (stream) stream.keepFlowing(perf, wantsHolderSamples(request) ? PING_MS : FLUSH_MS);
    else if (wantsHolderSamples(request)) pingPerf(perf, holders ? pingsAsCodesCome(holders) : () => PING_MS);
    names?.start();
    signals.throwIfInterrupted();
    request.onRecording?.();
    if (request.onTracingCost) {
      const owners = targetPerGroup(request.targets);
      const costs = probes.map((group, k) => ({ group: group.group, nsPerCycle: probeCosts[owners[k]] }));
      stopCostWatch = watchTracingCost(tracefs, costs, request.onTracingCost);
    }
    const started = process.hrtime.bigint();
    // a file recording of a command: interpreters its tree starts later get recorders of their own
    late = request.attach || request.onData ? undefined : new LateInterpreters(request.targets, request.output, lateOptions(request), watcher);
    let targetPid: number | undefined;
    const exitCode = request.attach
      ? await whileAttached(request.attach, signals, request.stop)
      : await runTarget(request, signals, (pid) => {
        targetPid = pid;
        if (pid !== undefined) holders?.setRoot(pid);
      });
    const wallNs = Number(process.hrtime.bigint() - started);
    stopCostWatch?.();
    const atAttach = names?.gilAtAttach ?? [];
    const threadNames = names?.stop() ?? [];
    const holderSamples = await holders?.stop(warnings);
    holders = undefined;
    finishing = await late?.stopRecording() ?? [];
    if ((await stopPerf(perf, perfLines)) === 'written') finishing.push(perf);
    perf = undefined;
    if (stream) {
      await stream.finished;
      stream.throwIfFailed();
      const samplesAt = holderSamples ? stream.append(pipeFeatureRecords(HOLDER_SAMPLES_FEATURE, holderSamples)) : undefined;
      // what the attach found, however much: after perf's last record too (the manifest's room is small)
      const rest = { ...(threadNames.length > 0 ? { threadNames } : {}), ...(atAttach.length > 0 ? { gilAtAttach: atAttach } : {}) };
      const restAt = Object.keys(rest).length > 0 ? stream.append(pipeFeatureRecords(MANIFEST_REST_FEATURE, deflateRawSync(JSON.stringify(rest)))) : undefined;
      if ((samplesAt || restAt) && !stream.rewriteManifest({ ...manifest, ...(samplesAt ? { holderSamples: samplesAt } : {}), ...(restAt ? { manifestRest: restAt } : {}) })) {
        warnings.push('the end of giltrace\'s manifest did not fit in the recording: its holder samples and the names and GIL users its attach found are left out');
      }
    } else {
      try {
        const complete = {
          ...(late ? withLateInterpreters(manifest, late.targets, late.files) : manifest),
          ...(targetPid ? { targetPid } : {}),
          ...(threadNames.length > 0 ? { threadNames } : {}),
          ...(atAttach.length > 0 ? { gilAtAttach: atAttach } : {}),
        };
        writeRecordingManifest(request.output, complete);
      } catch (e) {
        // The recording is still good; only reading it elsewhere loses the drop reasons.
        warnings.push(`could not write giltrace's manifest into ${request.output} (${(e as Error).message}): reading it needs this machine's interpreter`);
      }
      if (holderSamples) writeHolderSamples(request.output, holderSamples, warnings);
    }
    for (const why of late?.untraceable ?? []) warnings.push(`not traced: ${why}`);
    return { exitCode, wallNs, perfMessages: perfLines.all.filter(isWorthShowing), warnings };
  } catch (e) {
    // a recording that failed (disk full, perf refused) is no recording: leave nothing half-written
    stream?.close();
    rmSync(request.output, { force: true });
    throw e;
  } finally {
    stopCostWatch?.();
    names?.stop();
    holders?.discard();
    stream?.close();
    if (perf && perf.exitCode === null && perf.signalCode === null) {
      perf.kill('SIGINT');
      await waitForExit(perf, PERF_STOP_TIMEOUT_MS).catch(() => perf?.kill('SIGKILL'));
    }
    const stillFinishing = finishing.filter((p) => p.exitCode === null && p.signalCode === null);
    if (stillFinishing.length > 0 && watcher.canFinish) {
      // the files are complete: the watcher removes the probes once these perfs have exited
      late?.stopPolling();
      for (const p of stillFinishing) letFinishAlone(p);
      watcher.finish();
    } else {
      await late?.stop();
      for (const p of stillFinishing) await waitForExit(p, PERF_STOP_TIMEOUT_MS).catch(() => p.kill('SIGKILL'));
      // perf has exited, but the kernel may release its events a moment later (EBUSY).
      retrySync(() => probes.every((group) => group.remove().length === 0), PROBE_REMOVAL_TIMEOUT_MS);
      watcher.done();
    }
    signals.dispose();
  }
}

/**
 * Holder samples go with function context: they refine it, and the holder sampler names the code
 * addresses the drop probe reads while the processes run, reading the recording as it grows
 * (record/drop-codes.ts).
 */
function wantsHolderSamples(request: RecordRequest): boolean {
  return (request.frameDepth ?? 0) > 0;
}

/** Where the holder sampler finds the drops' code addresses; undefined (with a warning) when the probes' formats cannot be read. */
function dropCodeSource(tracefs: string, output: string, groups: readonly GilProbeGroup[], warnings: string[], tellsProgress: boolean): DropCodeSource | undefined {
  const drops: DropCodeSource['drops'][number][] = [];
  for (const group of groups) {
    const found = dropCodeEvents(tracefs, group.group, group.eventNames);
    if (!found) {
      warnings.push(`the drop probes' formats in ${tracefs} could not be read: no function names for the places threads let the GIL go`);
      return undefined;
    }
    drops.push(...found);
  }
  return { recording: output, drops, tellsProgress };
}

/**
 * Has perf hand over what its buffers hold every `ms` (a `ping` on its control channel wakes
 * its loop, which reads every buffer): a live view's records, or the drops for the holder
 * sampler while their code objects still exist; `ms` is asked again after each ping. Stops by
 * itself once perf has.
 */
function pingPerf(perf: ChildProcess, ms: () => number): { stop(): void } {
  const control = perf.stdio[3] as Writable;
  const ack = perf.stdio[4] as Readable;
  ack.on('data', () => undefined); // perf answers every ping: read and drop the answers
  let pinger: NodeJS.Timeout | undefined;
  const next = (): void => {
    pinger = setTimeout(() => {
      if (control.writableEnded || control.destroyed || perf.exitCode !== null || perf.signalCode !== null) return;
      control.write('ping\n');
      next();
    }, ms());
    pinger.unref();
  };
  next();
  return { stop: () => clearTimeout(pinger) };
}

/**
 * The pings' period for an exact recording whose drops the holder sampler names: PING_MS while
 * it keeps finding code objects no drop had named, QUIET_PING_MS once it has found none for
 * QUIET_AFTER_MS (record/drop-codes.ts).
 */
function pingsAsCodesCome(holders: HolderSampling): () => number {
  let seen = holders.newCodes();
  let newAt = Date.now();
  return () => {
    const now = Date.now();
    const count = holders.newCodes();
    if (count !== seen) {
      seen = count;
      newAt = now;
    }
    return now - newAt < QUIET_AFTER_MS ? PING_MS : QUIET_PING_MS;
  };
}

function writeHolderSamples(output: string, samples: Uint8Array, warnings: string[]): void {
  try {
    appendFeatureSection(output, HOLDER_SAMPLES_FEATURE, samples);
  } catch (e) {
    warnings.push(`could not write the holder samples into ${output} (${(e as Error).message}): function context from the probes alone`);
  }
}


/**
 * Stops the recorders and removes the probes of giltrace runs that were killed without a watcher
 * to do it. A run that just ended may still be finishing (perf-finish.ts): its watcher cleans up
 * after it, and nobody waits for that.
 */
function cleanUpAfterKilledRuns(): void {
  const beingCleanedUp = ownersBeingCleanedUp();
  killOrphanRecorders(beingCleanedUp);
  removeStaleProbeGroups({ waitMs: PROBE_REMOVAL_TIMEOUT_MS, leave: beingCleanedUp });
  removeTempFilesOfDeadRuns();
}

function lateOptions(request: RecordRequest): { bufferSize: string; probes: ProbeOptions } {
  // a late interpreter's recording is a file of its own, which the holder sampler does not read: names in the probe
  return { bufferSize: request.bufferSize ?? '16M', probes: { ...probeOptions(request), codePointers: false } };
}

/**
 * What a GIL cycle costs, per target, under the probes this request places (probe-cost.ts): a live
 * view's manifest needs it before recording. Measured again, when due, only for a command: an
 * attach would start recording that much later.
 */
export function recordingProbeCosts(request: RecordRequest): (number | undefined)[] {
  return request.targets.map((target) => probeCostPerCycle(target, probeOptions(request), !request.attach));
}

function probeOptions(request: RecordRequest): ProbeOptions {
  return { frameDepth: request.frameDepth ?? 0, takeReturns: request.takeReturns === true, codePointers: wantsHolderSamples(request) };
}

/** One probe group per interpreter file; all or none (a refused one removes those already added). */
function registerAllProbes(request: RecordRequest, watcher: CleanupWatcher): GilProbeGroup[] {
  const groups: GilProbeGroup[] = [];
  try {
    for (const k of targetPerGroup(request.targets)) {
      const target = request.targets[k];
      // one marker probe is enough (it sits in libc, whatever the interpreter); an attached
      // process never loaded giltrace's sitecustomize, so it has none to hit
      const group = registerGilProbes(target, { withMarker: !request.attach && groups.length === 0, ...probeOptions(request) });
      watcher.watchGroup(group.group);
      groups.push(group);
    }
  } catch (e) {
    for (const group of groups) group.remove();
    throw e;
  }
  return groups;
}

/** The index of the target each probe group is made for: one group per interpreter file, by its first target. */
function targetPerGroup(targets: readonly PythonTarget[]): number[] {
  return targets.flatMap((target, k) => (targets.findIndex((t) => t.gilLibrary === target.gilLibrary) === k ? [k] : []));
}

/**
 * Owns SIGINT/SIGTERM/SIGHUP for the whole recording so that no signal kills giltrace before
 * the probes are removed: before the target runs, a signal cancels the recording; while it
 * runs, signals are forwarded to it and the recording ends when it does.
 */
export class SignalRelay {
  private interrupted: NodeJS.Signals | undefined;
  private target: ChildProcess | undefined;
  private stop: ((signal: NodeJS.Signals) => void) | undefined;
  private readonly handler = (signal: NodeJS.Signals) => this.onSignal(signal);

  constructor() {
    for (const signal of FORWARDED_SIGNALS) process.on(signal, this.handler);
  }

  forwardTo(child: ChildProcess | undefined): void {
    this.target = child;
  }

  /** Attached: a signal ends the recording and is never passed to the processes, which are not ours. */
  stopOn(stop: ((signal: NodeJS.Signals) => void) | undefined): void {
    this.stop = stop;
  }

  throwIfInterrupted(): void {
    if (this.interrupted) throw new GiltraceError(`interrupted by ${this.interrupted} before the command started`);
  }

  dispose(): void {
    for (const signal of FORWARDED_SIGNALS) process.removeListener(signal, this.handler);
  }

  private onSignal(signal: NodeJS.Signals): void {
    if (this.stop) return this.stop(signal);
    const child = this.target;
    if (!child) {
      this.interrupted ??= signal;
      return;
    }
    // Ctrl-C in a terminal already reached the target (same process group); forward only what
    // was sent to giltrace alone, so the target does not get SIGINT twice.
    if (signal === 'SIGINT' && process.stdin.isTTY) return;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
}

function startPerf(request: RecordRequest, probeEvents: readonly string[]): { perf: ChildProcess; lines: PerfLines } {
  // perf would keep a previous recording as FILE.old; the user asked for FILE, so overwrite it.
  rmSync(request.output, { force: true });
  const args = perfRecordArgs({
    output: request.onData ? '-' : request.output,
    probeEvents,
    bufferSize: request.bufferSize ?? '16M',
    compress: request.compress ?? false,
    controlFd: 3,
    ackFd: 4,
  });
  // Own process group: a Ctrl-C in the terminal must reach the target, not stop the recording
  // before the target has finished.
  const perf = spawn('perf', args, { detached: true, stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'] });
  const lines = new PerfLines(perf.stderr!);
  // streamed, stdout is the recording itself (StreamedRecording reads it)
  if (!request.onData) collectLines(perf.stdout!, lines.all);
  return { perf, lines };
}

/**
 * perf's pipe-form output as it comes: handed to the live view and written to the recording
 * file, giltrace's manifest going in as a feature record right after the 16-byte pipe header.
 */
class StreamedRecording {
  readonly finished: Promise<void>;
  private fd: number | undefined;
  private head: Buffer | undefined = Buffer.alloc(0);
  /** Bytes written to the file so far. */
  private written = 0;

  /** The manifest record as written (its size is the room a later one has: rewriteManifest), once it is. */
  private manifestRecord: Uint8Array | undefined;

  /** `room`: bytes kept free after the manifest, for what is added to it at the end (rewriteManifest). */
  constructor(perf: ChildProcess, private readonly path: string, manifest: RecordingManifest, onData: (chunk: Buffer) => void, warnings: string[], room = 0) {
    rmSync(path, { force: true });
    this.fd = openSync(path, 'w', 0o600);
    const content = manifestBytes(manifest);
    const record = pipeFeatureRecord(RECORDING_MANIFEST_FEATURE, content, undefined, Math.min(MAX_PIPE_RECORD, (16 + content.length + room + 7) & ~7));
    if (!record) warnings.push(`giltrace's manifest is too big for a streamed recording: reading ${path} needs this machine's interpreter`);
    this.finished = new Promise<void>((resolve) => {
      perf.stdout!.on('end', () => resolve());
      perf.stdout!.on('error', () => resolve());
    });
    perf.stdout!.on('data', (chunk: Buffer) => {
      if (this.head) {
        // hold bytes back until the pipe header is complete, then put the manifest after it
        this.head = Buffer.concat([this.head, chunk]);
        if (this.head.length < PIPE_HEADER_BYTES) return;
        chunk = this.head;
        this.head = undefined;
        // the live view gets the file's bytes, manifest and all: an offset in one is one in the
        // other (the holder sampler's D lines say how far into the file drops are named)
        const head = chunk.subarray(0, PIPE_HEADER_BYTES);
        this.write(head);
        onData(head);
        if (record) {
          this.write(record);
          this.manifestRecord = record;
          onData(Buffer.from(record.buffer, record.byteOffset, record.length));
        }
        chunk = chunk.subarray(PIPE_HEADER_BYTES);
      }
      this.write(chunk);
      onData(chunk);
    });
  }

  private failure: string | undefined;
  private pinger: { stop(): void } | undefined;

  /**
   * The kernel wakes perf only when a CPU's buffer is half full (8 MiB of the 16 MiB default):
   * at a few thousand events a second, records would wait minutes before a live view saw them.
   * A command on perf's control channel wakes its loop, which then reads every buffer whatever
   * their fill and closes a round: a `ping` every `ms` (FLUSH_MS; PING_MS where the holder
   * sampler names the drops' code addresses) keeps the view that fresh, at the cost of one read
   * pass (measured against --no-buffering, which wakes perf at every event).
   */
  keepFlowing(perf: ChildProcess, ms: number): void {
    this.pinger = pingPerf(perf, () => ms);
  }

  /**
   * Records after perf's last (its output has ended): where they begin in the file and how many
   * bytes they take; undefined when the file was given up.
   */
  append(records: readonly Uint8Array[]): { offset: number; bytes: number } | undefined {
    const offset = this.written;
    for (const record of records) this.write(record);
    return this.fd === undefined ? undefined : { offset, bytes: this.written - offset };
  }

  private write(bytes: Uint8Array): void {
    if (this.fd === undefined) return;
    try {
      this.written += writeSync(this.fd, bytes);
    } catch (e) {
      // disk full, say: the live view goes on, the file is given up (and said so at the end)
      this.failure = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      this.close();
      rmSync(this.path, { force: true });
    }
  }

  /**
   * Writes `manifest` over the one written first, in the same room; false when it does not fit
   * (or none was written: perf gave no data).
   */
  rewriteManifest(manifest: RecordingManifest): boolean {
    const written = this.manifestRecord;
    if (this.fd === undefined || !written) return false;
    const record = pipeFeatureRecord(RECORDING_MANIFEST_FEATURE, manifestBytes(manifest), undefined, written.length);
    if (!record) return false;
    try {
      writeSync(this.fd, record, 0, record.length, PIPE_HEADER_BYTES);
      return true;
    } catch {
      return false;
    }
  }

  throwIfFailed(): void {
    if (this.failure) throw new GiltraceError(`cannot write the recording ${this.path} (${this.failure}); nothing was kept`);
  }

  close(): void {
    this.pinger?.stop();
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

function manifestBytes(manifest: RecordingManifest): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(manifest));
}

/** Enables the (initially disabled) events and waits for perf's acknowledgement. */
function waitUntilRecording(perf: ChildProcess, messages: string[]): Promise<void> {
  const control = perf.stdio[3] as Writable;
  const ack = perf.stdio[4] as Readable;
  // A perf that failed to start closes these: its exit or spawn error says why, not EPIPE.
  control.on('error', () => undefined);
  ack.on('error', () => undefined);
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(`perf did not start recording within ${PERF_READY_TIMEOUT_MS / 1000} s`), PERF_READY_TIMEOUT_MS);
    const cleanup = () => {
      clearTimeout(timer);
      ack.removeAllListeners('data');
      perf.removeListener('exit', onExit);
      perf.removeListener('error', onError);
    };
    const fail = (message: string) => {
      cleanup();
      reject(new GiltraceError(message));
    };
    const onExit = () => {
      // Let stderr drain so the message can say what perf complained about.
      setTimeout(() => fail(`perf record failed: ${lastPerfError(messages)}`), 50);
    };
    const onError = (error: NodeJS.ErrnoException) => {
      fail(error.code === 'ENOENT' ? 'perf not found: install it (Debian: apt-get install linux-perf)' : `cannot run perf: ${error.message}`);
    };
    perf.once('exit', onExit);
    perf.once('error', onError);
    ack.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ack')) {
        cleanup();
        resolve();
      }
    });
    control.write('enable\n');
  });
}

function lastPerfError(messages: readonly string[]): string {
  const useful = messages.filter(isWorthShowing);
  // perf repeats a failed write for each buffer: say each thing once
  const distinct = [...new Set(useful)];
  return distinct.length ? distinct.slice(-3).join(' / ') : 'it exited without saying why (run `giltrace doctor`)';
}

function isWorthShowing(line: string): boolean {
  return !/^Events (enabled|disabled)$/.test(line) && !/^\[ perf record: (Woken up|Captured and wrote)/.test(line);
}

/** Runs the traced command in the foreground, forwarding signals; resolves to its exit code. */
function runTarget(request: RecordRequest, signals: SignalRelay, started: (pid: number | undefined) => void): Promise<number> {
  const [file, ...args] = request.command;
  const env = request.env ?? process.env;
  const child = spawn(file, args, { stdio: 'inherit', env: request.targets.some((t) => t.skipsSite) ? env : withPythonHook(env) });
  started(child.pid);
  signals.forwardTo(child);
  const interrupt = () => child.kill('SIGINT');
  request.stop?.addEventListener('abort', interrupt);
  return new Promise<number>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(new GiltraceError(error.code === 'ENOENT' ? `command not found: ${file}` : `cannot run ${file}: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      resolve(code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0));
    });
  }).finally(() => {
    request.stop?.removeEventListener('abort', interrupt);
    signals.forwardTo(undefined);
  });
}

/** Attached: records until the duration ends, a signal comes, or no attached process is left. */
function whileAttached(attach: AttachRequest, signals: SignalRelay, stop: AbortSignal | undefined): Promise<number> {
  return new Promise<number>((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    const finish = () => {
      for (const timer of timers) clearTimeout(timer), clearInterval(timer);
      signals.stopOn(undefined);
      stop?.removeEventListener('abort', finish);
      resolve(0);
    };
    signals.stopOn(finish);
    if (stop?.aborted) return finish();
    stop?.addEventListener('abort', finish);
    if (attach.durationMs !== undefined) timers.push(setTimeout(finish, attach.durationMs));
    timers.push(setInterval(() => {
      if (!attach.processes.some((p) => isRunning(p.pid))) finish();
    }, ATTACHED_POLL_MS));
  });
}

/** 'written': the file is complete and perf is still closing its events (perf-finish.ts). */
async function stopPerf(perf: ChildProcess, lines: PerfLines): Promise<'exited' | 'written'> {
  const how = await stopUntilWritten(perf, lines, PERF_STOP_TIMEOUT_MS);
  // perf record reports the SIGINT that stopped it in its exit code; what counts is that it wrote the file.
  if (how === 'exited' && perf.exitCode !== 0 && !lines.all.some(saysFileComplete)) {
    throw new GiltraceError(`perf record ended with an error: ${lastPerfError(lines.all)}`);
  }
  return how;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new GiltraceError('perf did not stop in time')), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}
