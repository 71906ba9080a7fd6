/**
 * giltrace's sitecustomize (python/giltrace_site/), put first on the PYTHONPATH of the programs
 * giltrace starts: it tells the recording the Python names of threads. Found from this compiled
 * file (dist/src/record/ in the repo and in the installed package, which ships
 * python/giltrace_site/ for it); fileURLToPath, not URL.pathname, which would keep a space in the
 * install path as %20.
 */
import { fileURLToPath } from 'node:url';
import { locateCommand } from '../probe/find-interpreter.js';
import { skipsSite } from '../probe/interpreter-facts.js';

const PYTHON_HOOK_DIR = fileURLToPath(new URL('../../../python/giltrace_site', import.meta.url));

/** The environment with the hook's folder first on PYTHONPATH (once: a giltrace run by another finds it there). */
export function withPythonHook(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const existing = env.PYTHONPATH;
  if (existing?.split(':')[0] === PYTHON_HOOK_DIR) return env;
  return { ...env, PYTHONPATH: existing ? `${PYTHON_HOOK_DIR}:${existing}` : PYTHON_HOOK_DIR };
}

/**
 * Whether the command's Python imports `site` (not `-S`): only then does it run the hook, and
 * only then is the hook's folder put on its PYTHONPATH (else it would stay on sys.path). A
 * command whose interpreter cannot be told (not found, `env` with options) gets no hook.
 */
export function runsPythonHook(command: readonly string[], env: NodeJS.ProcessEnv): boolean {
  try {
    return !skipsSite(locateCommand(command, env).args);
  } catch {
    return false;
  }
}
