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
  const known = filesOf(probed);
  // a process that mapped a probed library is traced, whatever its executable is called
  return pythonProcesses(facts).filter(({ file, executable }) => !known.has(file) && !known.has(executable)).map(({ pid, file }) => ({ pid, file }));
}

/** A process on an interpreter probed late that left no GIL event. */
export interface MissedByLateProbes extends UntracedPython {
  /** The interpreter as giltrace probed it (what --python takes). */
  readonly executable: string;
}

/**
 * The interpreters giltrace found only while recording (their probes came about half a second
 * after such a process started), split: those with a process in the numbers (`withGil`: traced
 * from when the probes came) or none seen, and the processes that left no GIL event (a short
 * child that ended before its probes were there), each to be named since the numbers do not
 * have it.
 */
export function lateInterpreterProcesses(facts: AdapterFacts, late: readonly RecordedInterpreter[], withGil: ReadonlySet<number>): { tracedLate: string[]; missed: MissedByLateProbes[] } {
  const tracedLate: string[] = [];
  const missed: MissedByLateProbes[] = [];
  const processes = pythonProcesses(facts);
  for (const interpreter of late) {
    const files = filesOf([interpreter]);
    const ran = processes.filter((p) => files.has(p.file) || files.has(p.executable));
    const gone = ran.filter((p) => !withGil.has(p.pid));
    if (ran.length === 0 || gone.length < ran.length) tracedLate.push(interpreter.executable);
    missed.push(...gone.map((p) => ({ pid: p.pid, file: p.file, executable: interpreter.executable })));
  }
  return { tracedLate, missed: missed.sort((a, b) => a.pid - b.pid) };
}

function filesOf(interpreters: readonly RecordedInterpreter[]): Set<string> {
  const files = new Set<string>();
  for (const i of interpreters) {
    files.add(i.gilLibrary);
    files.add(i.executable);
    if (i.mappedAs) files.add(i.mappedAs);
  }
  return files;
}

/** The traced tree's Python programs, each with the interpreter file it ran (its libpython when it mapped one). */
function pythonProcesses(facts: AdapterFacts): { pid: number; file: string; executable: string }[] {
  const out: { pid: number; file: string; executable: string }[] = [];
  for (const pid of facts.tracedPids) {
    const files = facts.pythonFiles.get(pid);
    // a Python program, not a program that merely links libpython (perf itself does, for its scripts)
    if (!files?.executable) continue;
    out.push({ pid, file: files.library ?? files.executable, executable: files.executable });
  }
  return out.sort((a, b) => a.pid - b.pid);
}
