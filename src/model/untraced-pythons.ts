/**
 * Processes of the traced tree that ran a Python giltrace put no probes on (a child on another
 * pyenv version, Debian's python3.11, a Python 2): their GIL is not in the recording, and the
 * output must say so rather than leave them out silently. Known from the recording alone: perf's
 * mmap records name each process's interpreter files, the manifest the probed ones.
 */
import type { RecordedInterpreter } from '../contract/recording-manifest.js';
import type { AdapterFacts } from './perf-to-timeline-events.js';

export interface UntracedPython {
  readonly pid: number;
  /** The interpreter file it ran (its libpython when it mapped one, else its executable). */
  readonly file: string;
}

export function findUntracedPythons(facts: AdapterFacts, probed: readonly RecordedInterpreter[]): UntracedPython[] {
  const known = new Set<string>();
  for (const i of probed) {
    known.add(i.gilLibrary);
    known.add(i.executable);
    if (i.mappedAs) known.add(i.mappedAs);
  }
  const out: UntracedPython[] = [];
  for (const pid of facts.tracedPids) {
    const files = facts.pythonFiles.get(pid);
    // a Python program, not a program that merely links libpython (perf itself does, for its scripts)
    if (!files?.executable) continue;
    const file = files.library ?? files.executable;
    // a process that mapped a probed library is traced, whatever its executable is called
    if (file === undefined || known.has(file) || known.has(files.executable)) continue;
    out.push({ pid, file });
  }
  return out.sort((a, b) => a.pid - b.pid);
}
