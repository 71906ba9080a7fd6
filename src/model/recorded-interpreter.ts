/**
 * Which of the recorded interpreters a process ran, from the files perf saw it map: its GIL
 * library (or that file as perf names it in a container), or its executable. A process that
 * mapped none giltrace knows of is taken to run the only (first) one, unless it mapped another
 * Python executable.
 */
import type { AdapterFacts } from './perf-to-timeline-events.js';

export interface InterpreterFiles {
  readonly gilLibrary: string;
  readonly executable: string;
  readonly mappedAs?: string;
}

export function recordedInterpreterOf<T extends InterpreterFiles>(pid: number, facts: Pick<AdapterFacts, 'pythonFiles'>, recorded: readonly T[]): T | undefined {
  const files = facts.pythonFiles.get(pid) ?? {};
  const matches = (i: T) => files.library === i.gilLibrary || (i.mappedAs !== undefined && files.library === i.mappedAs) || files.executable === i.executable;
  return recorded.find(matches) ?? (files.executable ? undefined : recorded[0]);
}
