import { statSync } from 'node:fs';
import { GiltraceError } from '../../base/errors.js';
import type { AttachedProcess } from '../../contract/recording-manifest.js';
import { findPythonsOnPath } from '../../probe/path-pythons.js';
import { NotPythonError, resolvePythonExecutable, resolvePythonTarget, resolveRunningPython, type PythonTarget } from '../../probe/python-target.js';
import { readRunningProcess } from '../../probe/running-process.js';
import { recordTarget, type AttachRequest, type RecordRequest, type RecordResult } from '../../record/record-target.js';
import { tracingCostNotice } from '../tracing-cost-notice.js';

export interface RecordCliOptions {
  /** Interpreters to trace instead of finding them from the command or process. */
  readonly python?: readonly string[];
  readonly buffer: string;
  readonly compress: boolean;
  /** Python frames read at each GIL event (0: no function context). */
  readonly stackDepth: number;
  /** Probe take_gil's return too, instead of placing each take when the recording is read. */
  readonly exactTakes?: boolean;
  /** Attach to these running processes instead of running a command. */
  readonly pid?: readonly number[];
  /** Attached: stop after this many seconds. */
  readonly duration?: number;
  /** With --sample: the most of one CPU the sampler's thread may use, percent. */
  readonly sampleCpu?: number;
}

export interface Recorded {
  readonly targets: readonly PythonTarget[];
  /** What was traced, for the summary: the command, or the attached processes' command lines. */
  readonly command: readonly string[];
  readonly result: RecordResult;
}

/** What a record / run / top request traces: the interpreters to probe, and the processes when attaching. */
export interface TracedRequest {
  readonly targets: readonly PythonTarget[];
  /** Attached processes (empty when running a command). */
  readonly processes: readonly AttachedProcess[];
  /** The command, or the first attached process's command line. */
  readonly command: readonly string[];
}

/** Checks the request and finds the interpreter(s): of the command, or of each attached process. */
export function resolveTraced(command: readonly string[], options: RecordCliOptions): TracedRequest {
  const attaching = (options.pid ?? []).length > 0;
  if (attaching && command.length > 0) throw new GiltraceError('give either a command to run or -p PID to attach to, not both');
  if (!attaching && command.length === 0) throw new GiltraceError('nothing to trace: give a command (giltrace record -- python3 app.py) or -p PID');
  if (!attaching && options.duration !== undefined) throw new GiltraceError('--duration is for attaching (-p PID): a command is traced until it ends');
  requireRoot();
  const attached = attaching ? options.pid!.map(readRunningProcess) : [];
  const processes: AttachedProcess[] = attached.map((p) => ({
    pid: p.pid,
    command: p.argv,
    ...(p.container && p.container.pid !== p.pid ? { namespacePid: p.container.pid } : {}),
  }));
  const given = (options.python ?? []).map((file) => resolvePythonExecutable(file));
  const targets = given.length > 0 ? given : attaching ? attached.map(resolveRunningPython) : commandPythons(command);
  for (const target of targets) {
    if (target.freeThreaded) {
      throw new GiltraceError(
        `${target.executable} is a free-threaded build (Python ${target.version}): it runs without a GIL, so there is nothing to trace`,
      );
    }
  }
  return { targets, processes, command: attaching ? processes[0].command : command };
}

/**
 * The command's interpreter; for a command that is not Python (a shell, make, npm), the Pythons
 * on its PATH, which are what such commands start (a venv's python shares its base's library).
 */
function commandPythons(command: readonly string[]): PythonTarget[] {
  try {
    return [resolvePythonTarget(command)];
  } catch (e) {
    if (!(e instanceof NotPythonError)) throw e;
    const found = findPythonsOnPath(process.env);
    if (found.targets.length === 0) throw new GiltraceError(`${e.message.replace(/; pass --python PATH$/, '')}, and no traceable Python is on PATH; pass --python PATH`);
    const names = found.targets.map((t) => `${t.executable} (${t.version})`).join(', ');
    console.error(`giltrace: '${command[0]}' is not Python: tracing the Pythons on its PATH that it may start: ${names}`);
    for (const { name, why } of found.skipped) console.error(`giltrace: not traced: ${name}: ${why}`);
    return [...found.targets];
  }
}

/** Tells the user what giltrace attached to (stderr). */
export function sayAttached(traced: TracedRequest, options: RecordCliOptions): void {
  if (traced.processes.length === 0) return;
  const what = traced.processes.map((p) => `${p.pid} (${p.command.join(' ').slice(0, 60)})`).join(', ');
  const until = options.duration !== undefined ? `for ${options.duration} s` : 'until Ctrl-C or until it exits';
  console.error(`giltrace: attached to ${what}; recording ${until}`);
}

/** What record, run and top ask of the recorder alike. */
export function recordRequest(traced: TracedRequest, options: RecordCliOptions, output: string): RecordRequest {
  const attach: AttachRequest | undefined = traced.processes.length === 0
    ? undefined
    : { processes: traced.processes, durationMs: options.duration !== undefined ? options.duration * 1000 : undefined };
  return {
    command: traced.command,
    targets: traced.targets,
    attach,
    output,
    bufferSize: options.buffer,
    compress: options.compress,
    frameDepth: options.stackDepth,
    takeReturns: options.exactTakes === true,
  };
}

/** Shared by `record` and `run`: checks, finds the interpreter(s), records into `data`. */
export async function recordToFile(command: readonly string[], options: RecordCliOptions & { data: string }): Promise<Recorded> {
  const traced = resolveTraced(command, options);
  sayAttached(traced, options);
  const result = await recordTarget({
    ...recordRequest(traced, options, options.data),
    // attached to a service that may be busy: its GIL's pace in the first second, and what the probes cost it
    onTracingCost: tracingCostNotice(traced.processes.length > 0),
  });
  for (const message of result.perfMessages) console.error(`giltrace: perf: ${message}`);
  for (const warning of result.warnings) console.error(`giltrace: warning: ${warning}`);
  return { targets: traced.targets, command: traced.command, result };
}

export async function recordCommand(command: readonly string[], options: RecordCliOptions & { data: string }): Promise<number> {
  const { result } = await recordToFile(command, options);
  const size = (statSync(options.data).size / 1e6).toFixed(1);
  console.error(`giltrace: wrote ${options.data} (${size} MB); see it with: giltrace stats ${options.data}`);
  return result.exitCode;
}

export function requireRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new GiltraceError('must run as root (uprobes and system-wide perf need it): try sudo giltrace ...');
  }
}
