import { statSync } from 'node:fs';
import { GiltraceError } from '../../base/errors.js';
import { resolvePythonExecutable, resolvePythonTarget, type PythonTarget } from '../../probe/python-target.js';
import { recordTarget, type RecordResult } from '../../record/record-target.js';

export interface RecordCliOptions {
  readonly python?: string;
  readonly buffer: string;
  readonly compress: boolean;
  /** Python frames read at each GIL event (0: no function context). */
  readonly stackDepth: number;
}

export interface Recorded {
  readonly target: PythonTarget;
  readonly result: RecordResult;
}

/** Shared by `record` and `run`: checks, finds the interpreter, records into `data`. */
export async function recordToFile(command: readonly string[], options: RecordCliOptions & { data: string }): Promise<Recorded> {
  requireRoot();
  const target = options.python ? resolvePythonExecutable(options.python) : resolvePythonTarget(command);
  if (target.freeThreaded) {
    throw new GiltraceError(
      `${target.executable} is a free-threaded build (Python ${target.version}): it runs without a GIL, so there is nothing to trace`,
    );
  }
  const result = await recordTarget({
    command,
    target,
    output: options.data,
    bufferSize: options.buffer,
    compress: options.compress,
    frameDepth: options.stackDepth,
  });
  for (const message of result.perfMessages) console.error(`giltrace: perf: ${message}`);
  for (const warning of result.warnings) console.error(`giltrace: warning: ${warning}`);
  return { target, result };
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
