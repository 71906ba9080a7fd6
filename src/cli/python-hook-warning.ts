/**
 * Python thread names come from giltrace's hook inside the traced Python (python/giltrace_site,
 * through the marker probe). A Python that never ran it — `python -I`, `-E` or `-S` skip
 * sitecustomize, and the hook gives up silently when something inside it fails — is traced all
 * the same, only its threads keep their OS names: the output says so instead of leaving the
 * reader to wonder why every thread is called "python3".
 */
import type { AdapterFacts } from '../model/perf-to-timeline-events.js';
import { gilRoleOf } from '../model/probe-namings.js';

export function unnamedPythonWarnings(eventNames: readonly string[], pids: readonly number[], facts: AdapterFacts): string[] {
  // Without the marker probe (other tools' recordings, a static or musl libc) no name was ever to come.
  if (!eventNames.some((name) => gilRoleOf(name) === 'mark')) return [];
  return pids
    .filter((pid) => !facts.pythonNamedPids.has(pid))
    .map((pid) => unnamedPythonWarning(pid));
}

export function unnamedPythonWarning(pid: number): string {
  return `process ${pid}: threads show OS names, not Python's: giltrace's Python hook did not report from it (python -I, -E and -S skip it; it also stays silent when it fails)`;
}
