/**
 * The Pythons a command that is not Python itself (a shell script, `bash -c`, make, npm) may
 * start: every `python`, `python3` and `python3.N` on its PATH, each followed to its ELF (pyenv
 * shims, symlinks, venvs) and described like a command's interpreter. What cannot be traced
 * (Python 2, a free-threaded build without a GIL, an unknown layout) is named, not dropped.
 */
import { GiltraceError } from '../base/errors.js';
import { resolvePythonExecutable, type PythonTarget } from './python-target.js';

const NAMES = ['python3', 'python', ...Array.from({ length: 9 }, (_, i) => `python3.${i + 6}`)];

export interface PathPythons {
  /** One per GIL library (a venv's python and its base share one). */
  readonly targets: readonly PythonTarget[];
  /** Pythons found but not traceable, with why. */
  readonly skipped: readonly { readonly name: string; readonly why: string }[];
}

export function findPythonsOnPath(env: NodeJS.ProcessEnv): PathPythons {
  const targets: PythonTarget[] = [];
  const skipped: { name: string; why: string }[] = [];
  for (const name of NAMES) {
    let target: PythonTarget;
    try {
      target = resolvePythonExecutable(name, env);
    } catch (e) {
      if (!(e instanceof GiltraceError)) throw e;
      // not on PATH at all: nothing to say
      if (!/not on PATH|does not resolve/.test(e.message)) skipped.push({ name, why: e.message });
      continue;
    }
    if (target.freeThreaded) skipped.push({ name, why: `${target.executable} is a free-threaded build: no GIL to trace` });
    else if (!targets.some((t) => t.gilLibrary === target.gilLibrary)) targets.push(target);
  }
  return { targets, skipped };
}
