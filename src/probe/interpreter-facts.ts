/**
 * Facts only the interpreter itself knows for sure: its version, whether it is a free-threaded
 * build and whether the GIL is on at run time (PYTHON_GIL, -X gil), and which libpython the
 * loader really mapped under this environment. Run with the user's environment so PYTHONHOME,
 * LD_LIBRARY_PATH and pyenv variables act as they will for the traced run.
 */
import { spawnSync } from 'node:child_process';
import { GiltraceError } from '../base/errors.js';

export interface InterpreterFacts {
  readonly executable: string;
  readonly version: string;
  readonly major: number;
  readonly minor: number;
  readonly freeThreaded: boolean;
  readonly gilEnabled: boolean;
  /** Py_DEBUG or Py_TRACE_REFS build: object layouts differ from release builds. */
  readonly debugBuild: boolean;
  /** Paths of mapped files named libpython*, from /proc/self/maps. */
  readonly mappedLibpython: readonly string[];
}

const MARK = 'GILTRACE-FACTS ';
// Python 2 compatible on purpose, so that 2.7 gets a clear "unsupported version" message.
const SCRIPT = [
  'import sys, json',
  'try:',
  '    import sysconfig; ft = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))',
  'except Exception:',
  '    ft = False',
  'gil = getattr(sys, "_is_gil_enabled", lambda: True)()',
  'dbg = hasattr(sys, "gettotalrefcount") or hasattr(sys, "getobjects")',
  'libs = []',
  'try:',
  '    for line in open("/proc/self/maps"):',
  '        p = line.split(None, 5)',
  '        if len(p) == 6 and "libpython" in p[5].rsplit("/", 1)[-1] and p[5].strip() not in libs: libs.append(p[5].strip())',
  'except Exception:',
  '    pass',
  'v = sys.version_info',
  `sys.stdout.write("${MARK}" + json.dumps({"executable": sys.executable, "version": "%d.%d.%d" % (v[0], v[1], v[2]), "major": v[0], "minor": v[1], "ft": ft, "gil": bool(gil), "dbg": dbg, "libs": libs}) + "\\n")`,
].join('\n');

/**
 * Where to ask a container's interpreter: inside the mount namespace of a process of the
 * container (nsenter), where its libraries are, by its own path there.
 */
export interface AskInside {
  readonly namespaceOf: number;
  readonly executable: string;
}

/** @param options interpreter options that change the facts, e.g. ['-X', 'gil=1'] */
export function readInterpreterFacts(program: string, env: NodeJS.ProcessEnv, options: readonly string[] = [], inside?: AskInside): InterpreterFacts {
  const [file, args] = inside
    ? ['nsenter', ['-t', String(inside.namespaceOf), '-m', '--', inside.executable, ...options, '-c', SCRIPT]]
    : [program, [...options, '-c', SCRIPT]];
  const run = spawnSync(file, args, { env, encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.error) {
    throw new GiltraceError(`could not run '${program}' to ask its version: ${run.error.message}; pass --python PATH`);
  }
  const line = run.stdout.split('\n').find((l) => l.startsWith(MARK));
  if (run.status !== 0 || line === undefined) {
    const why = lastLines(run.stderr || run.stdout) || `exit status ${run.status ?? run.signal}`;
    throw new GiltraceError(`'${program}' did not answer as a Python interpreter (${why}); pass --python PATH`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(line.slice(MARK.length)) as Record<string, unknown>;
  } catch {
    throw new GiltraceError(`'${program}' printed an unreadable answer: ${line.slice(0, 200)}`);
  }
  return {
    executable: String(raw.executable ?? ''),
    version: String(raw.version),
    major: Number(raw.major),
    minor: Number(raw.minor),
    freeThreaded: raw.ft === true,
    gilEnabled: raw.gil !== false,
    debugBuild: raw.dbg === true,
    mappedLibpython: Array.isArray(raw.libs) ? raw.libs.map(String) : [],
  };
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' / ').slice(0, 400);
}

/**
 * `-X gil=N` given to the interpreter on the command line (free-threaded builds): it decides
 * whether the GIL exists at run time as much as PYTHON_GIL does. Scanning stops at the first
 * argument that is not an option (the script) or at -c / -m.
 */
export function gilOptions(interpreterArgs: readonly string[]): string[] {
  for (let i = 0; i < interpreterArgs.length; i++) {
    const a = interpreterArgs[i];
    if (!a.startsWith('-') || a === '-c' || a === '-m' || a === '-' || a === '--') break;
    const value = a === '-X' ? interpreterArgs[++i] : a.startsWith('-X') ? a.slice(2) : undefined;
    if (value !== undefined && /^gil=\d$/.test(value)) return ['-X', value];
  }
  return [];
}

/**
 * Whether the interpreter is told not to import `site` (`-S`, alone or among other one-letter
 * flags such as `-SB`): then it never imports giltrace's sitecustomize either, and putting that
 * on PYTHONPATH would only leave its folder on the program's sys.path. Scanning stops at the
 * script, -c or -m. A script argument mistaken for -S only costs thread names.
 */
export function skipsSite(interpreterArgs: readonly string[]): boolean {
  for (let i = 0; i < interpreterArgs.length; i++) {
    const a = interpreterArgs[i];
    if (!a.startsWith('-') || a === '-' || a === '--') return false;
    if (a.startsWith('--')) {
      if (a === '--check-hash-based-pycs') i++;
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const letter = a[j];
      if (letter === 'S') return true;
      if (letter === 'c' || letter === 'm') return false;
      if (letter === 'W' || letter === 'X') {
        if (j === a.length - 1) i++; // the value is the next argument
        break; // else the rest of this argument is the value
      }
    }
  }
  return false;
}
