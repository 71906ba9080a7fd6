import { statSync } from 'node:fs';
import { GiltraceError } from '../../base/errors.js';
import type { AttachedProcess } from '../../contract/recording-manifest.js';
import { resolvePythonExecutable, resolvePythonTarget, resolveRunningPython, type PythonTarget } from '../../probe/python-target.js';
import { readRunningProcess } from '../../probe/running-process.js';
import { recordTarget, type RecordResult } from '../../record/record-target.js';

export interface RecordCliOptions {
  readonly python?: string;
  readonly buffer: string;
  readonly compress: boolean;
  /** Python frames read at each GIL event (0: no function context). */
  readonly stackDepth: number;
  /** Attach to these running processes instead of running a command. */
  readonly pid?: readonly number[];
  /** Attached: stop after this many seconds. */
  readonly duration?: number;
}

export interface Recorded {
  readonly targets: readonly PythonTarget[];
  /** What was traced, for the summary: the command, or the attached processes' command lines. */
  readonly command: readonly string[];
  readonly result: RecordResult;
}

/** Shared by `record` and `run`: checks, finds the interpreter(s), records into `data`. */
export async function recordToFile(command: readonly string[], options: RecordCliOptions & { data: string }): Promise<Recorded> {
  const attaching = (options.pid ?? []).length > 0;
  if (attaching && command.length > 0) throw new GiltraceError('give either a command to run or -p PID to attach to, not both');
  if (!attaching && command.length === 0) throw new GiltraceError('nothing to trace: give a command (giltrace record -- python3 app.py) or -p PID');
  if (!attaching && options.duration !== undefined) throw new GiltraceError('--duration is for attaching (-p PID): a command is traced until it ends');
  requireRoot();
  const attached = attaching ? options.pid!.map(readRunningProcess) : [];
  const processes: AttachedProcess[] = attached.map((p) => ({ pid: p.pid, command: p.argv }));
  const targets = attaching
    ? attached.map((running) => (options.python ? resolvePythonExecutable(options.python) : resolveRunningPython(running)))
    : [options.python ? resolvePythonExecutable(options.python) : resolvePythonTarget(command)];
  for (const target of targets) {
    if (target.freeThreaded) {
      throw new GiltraceError(
        `${target.executable} is a free-threaded build (Python ${target.version}): it runs without a GIL, so there is nothing to trace`,
      );
    }
  }
  const traced = attaching ? processes[0].command : command;
  if (attaching) {
    const what = processes.map((p) => `${p.pid} (${p.command.join(' ').slice(0, 60)})`).join(', ');
    const until = options.duration !== undefined ? `for ${options.duration} s` : 'until Ctrl-C or until it exits';
    console.error(`giltrace: attached to ${what}; recording ${until}`);
  }
  const result = await recordTarget({
    command: traced,
    targets,
    attach: attaching ? { processes, durationMs: options.duration !== undefined ? options.duration * 1000 : undefined } : undefined,
    output: options.data,
    bufferSize: options.buffer,
    compress: options.compress,
    frameDepth: options.stackDepth,
  });
  for (const message of result.perfMessages) console.error(`giltrace: perf: ${message}`);
  for (const warning of result.warnings) console.error(`giltrace: warning: ${warning}`);
  return { targets, command: traced, result };
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
