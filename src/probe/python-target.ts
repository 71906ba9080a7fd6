/**
 * Which Python a command runs, and where its GIL functions are: the probe stage's entry point.
 * Version and free-threading facts come from asking the interpreter; symbols and file offsets
 * come only from our own ELF reader.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GiltraceError } from '../base/errors.js';
import { EM_X86_64, openElf, type ElfFile } from './elf/elf-file.js';
import { readDynamic } from './elf/elf-dynamic.js';
import { readSymbolTable } from './elf/elf-symbols.js';
import { loadFunctionTable } from './elf/symbolizer.js';
import { findOnPath, followToElf, locateCommand } from './find-interpreter.js';
import type { DropCallerTable } from '../contract/recording-manifest.js';
import { dropCallerTable } from './drop-caller-table.js';
import { frameLayoutFor, type FrameLayout } from './frame-layout.js';
import { findGilSites, type ProbeSite } from './gil-sites.js';
import { tstateAtSite } from './tstate-location.js';
import { gilOptions, readInterpreterFacts, skipsSite, type AskInside, type InterpreterFacts } from './interpreter-facts.js';
import { findNeededLibrary } from './library-search.js';
import { NotPythonError } from './not-python-error.js';
import { cachedFromFiles, codeStamp, type FromFiles } from './disk-cache.js';
import type { RunningProcess } from './running-process.js';

export type { ProbeSite } from './gil-sites.js';
export { NotPythonError } from './not-python-error.js';

export interface PythonTarget {
  /** Real path of the interpreter ELF, after PATH lookup, pyenv shims, shebangs, symlinks, venvs. */
  readonly executable: string;
  readonly version: string;
  readonly major: number;
  readonly minor: number;
  /** Py_GIL_DISABLED build (3.13t). Only returned when its GIL is on at run time (PYTHON_GIL=1). */
  readonly freeThreaded: boolean;
  /** Real path of the ELF holding take_gil/drop_gil: libpython3.X.so.1.0, or the executable. */
  readonly gilLibrary: string;
  /**
   * The GIL library's path as /proc/PID/maps and perf's mmap records name it, when that differs
   * from `gilLibrary` (a container's file, reached here through /proc/PID/root).
   */
  readonly mappedAs?: string;
  /** The file the symbols were read from: gilLibrary or its separate debug file. */
  readonly symbolSource: string;
  readonly takeGil: readonly ProbeSite[];
  readonly dropGil: readonly ProbeSite[];
  /**
   * Uprobe fetcharg giving the GIL's identity at take_gil entry, where verified safe: on 3.12+
   * each interpreter may own a GIL, and take_gil(PyThreadState *tstate) has tstate in %di, whose
   * `interp` field sits at +16 (after `prev`, `next`). Undefined = one GIL per process.
   */
  readonly interpArg?: string;
  /** Which drop_gil callers are forced switches, by file offset in gilLibrary (for the recording's manifest). */
  readonly dropCallers: DropCallerTable;
  /** How to read the Python stack at the probe sites; undefined (with `frameContextMissing`) when it cannot be. */
  readonly frameContext?: FrameContext;
  /** Why there is no function context, for the output. */
  readonly frameContextMissing?: string;
  /** The command runs it with -S: no site, so giltrace's sitecustomize must stay off PYTHONPATH. */
  readonly skipsSite?: boolean;
}

export interface FrameContext {
  readonly layout: FrameLayout;
  /** PyThreadState* fetch expression at each take_gil / drop_gil site (parallel to takeGil / dropGil); undefined where unknown. */
  readonly takeTstate: readonly (string | undefined)[];
  readonly dropTstate: readonly (string | undefined)[];
}

/** Oldest version whose probes and drop callers were checked on real builds (3.6.15 and 3.7.16 too). */
const MIN_MINOR = 6;

export function resolvePythonTarget(command: readonly string[], env: NodeJS.ProcessEnv = process.env): PythonTarget {
  const located = locateCommand(command, env);
  const elfPath = followToElf(located.program, located.env);
  // `python3 -X gil=1 app.py` (directly or through a shim): the option decides the GIL's existence.
  const options = gilOptions(located.args);
  const target = describeInterpreter(elfPath, located.env, command[0], options);
  return skipsSite(located.args) ? { ...target, skipsSite: true } : target;
}

export function resolvePythonExecutable(file: string, env: NodeJS.ProcessEnv = process.env): PythonTarget {
  const program = findOnPath(file, env);
  return describeInterpreter(followToElf(program, env), env, file);
}

/** The Python a running process runs (giltrace attaching to it): its own file, mapped libpython and environment. */
export function resolveRunningPython(running: RunningProcess): PythonTarget {
  // a path through /proc/PID/root must stay one: resolving it would give the container's own path
  const elfPath = running.container ? running.executable : fs.realpathSync(running.executable);
  const ask = running.container ? { namespaceOf: running.pid, executable: running.container.executable } : undefined;
  const target = describeInterpreter(elfPath, running.env, `process ${running.pid}`, gilOptions(running.argv.slice(1)), running.mappedLibpython, ask);
  const root = running.container?.root;
  return root && target.gilLibrary.startsWith(`${root}/`) ? { ...target, mappedAs: target.gilLibrary.slice(root.length) } : target;
}

/**
 * What giltrace learns of an interpreter (asking it, ~50-100 ms; reading its ELF files, ~150 ms)
 * changes only with those files, the environment variables that steer the loader and the GIL,
 * and giltrace's own code: kept on disk (disk-cache.ts) and used again while every file read is
 * unchanged. Not for a container's interpreter, asked inside its namespace.
 */
function describeInterpreter(
  elfPath: string,
  env: NodeJS.ProcessEnv,
  asTyped: string,
  options: readonly string[] = [],
  mappedByProcess?: readonly string[],
  insideNamespace?: AskInside,
): PythonTarget {
  const describe = () => describeUncached(elfPath, env, asTyped, options, mappedByProcess, insideNamespace);
  if (insideNamespace) return describe().answer;
  const key = JSON.stringify([elfPath, options, mappedByProcess ?? null, STEERING_ENV.map((name) => env[name] ?? null), codeStamp(PROBE_CODE)]);
  return withUndefinedTstates(cachedFromFiles(TARGET_CACHE, key, isPythonTarget, describe));
}

const TARGET_CACHE = 'python-target-v1';
/** What changes an interpreter's answers without changing its files: its home, the loader's search, the GIL's switch. */
const STEERING_ENV = ['PYTHONHOME', 'PYTHON_GIL', 'LD_LIBRARY_PATH', 'LD_PRELOAD'] as const;
/** This folder of compiled code (dist/src/probe), whose version is part of the key. */
const PROBE_CODE = fileURLToPath(new URL('.', import.meta.url));
/** The loader's cache: where a libpython is found when the interpreter's maps do not say. */
const LOADER_CACHE = '/etc/ld.so.cache';

function isPythonTarget(value: unknown): value is PythonTarget {
  const t = value as Partial<PythonTarget> | null;
  return typeof t === 'object' && t !== null && typeof t.executable === 'string' && typeof t.gilLibrary === 'string' && Array.isArray(t.takeGil) && Array.isArray(t.dropGil);
}

/** JSON keeps an unknown thread-state location (undefined) as null. */
function withUndefinedTstates(target: PythonTarget): PythonTarget {
  const context = target.frameContext;
  if (!context) return target;
  const restore = (list: readonly (string | undefined | null)[]) => list.map((t) => t ?? undefined);
  return { ...target, frameContext: { ...context, takeTstate: restore(context.takeTstate), dropTstate: restore(context.dropTstate) } };
}

function describeUncached(
  elfPath: string,
  env: NodeJS.ProcessEnv,
  asTyped: string,
  options: readonly string[],
  mappedByProcess: readonly string[] | undefined,
  insideNamespace: AskInside | undefined,
): FromFiles<PythonTarget> {
  const elf = openElf(elfPath);
  if (elf.header.machine !== EM_X86_64) {
    throw new GiltraceError(`${elfPath} is not an x86-64 program (ELF machine ${elf.header.machine}): giltrace's probes support x86-64 only`);
  }
  const needed = readDynamic(elf).needed;
  const libpythonName = needed.find((n) => /^libpython\d/.test(n));
  if (!libpythonName && !looksLikePython(elf, elfPath)) {
    throw new NotPythonError(`'${asTyped}' runs ${elfPath}, which is not a Python interpreter; pass --python PATH`);
  }
  const facts = readInterpreterFacts(elfPath, env, options, insideNamespace);
  checkVersion(facts, elfPath);

  const mapped = mappedByProcess ?? facts.mappedLibpython;
  const gilLibrary = libpythonName ? findLibpython(elf, libpythonName, mapped, env) : elfPath;
  const table = loadFunctionTable(gilLibrary);
  const sites = findGilSites(table, gilLibrary, debianDebugPackage(gilLibrary, facts));
  const exactTakeGil = sites.takeGil.every((s) => s.symbol === 'take_gil');
  const interpArg = facts.major === 3 && facts.minor >= 12 && !facts.freeThreaded && exactTakeGil ? 'interp=+16(%di):x64' : undefined;
  const files = [...new Set([elfPath, gilLibrary, table.symbolSource, ...mapped, LOADER_CACHE])];
  const target: PythonTarget = {
    executable: elfPath,
    version: facts.version,
    major: facts.major,
    minor: facts.minor,
    freeThreaded: facts.freeThreaded,
    gilLibrary,
    symbolSource: table.symbolSource,
    takeGil: sites.takeGil,
    dropGil: sites.dropGil,
    dropCallers: dropCallerTable(table, facts),
    ...(interpArg ? { interpArg } : {}),
    ...frameContextOf(facts, sites.takeGil, sites.dropGil, table),
  };
  return { answer: target, files };
}

function frameContextOf(
  facts: InterpreterFacts,
  takeGil: readonly ProbeSite[],
  dropGil: readonly ProbeSite[],
  table: ReturnType<typeof loadFunctionTable>,
): { frameContext: FrameContext } | { frameContextMissing: string } {
  const layout = frameLayoutFor(facts);
  if (!layout) return { frameContextMissing: `giltrace does not know where Python ${facts.version} keeps its frames` };
  if (facts.debugBuild) return { frameContextMissing: `${facts.executable} is a debug build (Py_DEBUG / Py_TRACE_REFS), whose object layout giltrace does not read` };
  const takeTstate = takeGil.map((site) => tstateAtSite(site, 'take', facts.minor, table));
  const dropTstate = dropGil.map((site) => tstateAtSite(site, 'drop', facts.minor, table));
  if (takeTstate.every((t) => t === undefined)) return { frameContextMissing: `no take_gil copy of ${facts.executable} has a known thread-state argument` };
  return { frameContext: { layout, takeTstate, dropTstate } };
}

/** Guard before running an unknown ELF with `-c`: it must at least contain the embedding API. */
function looksLikePython(elf: ElfFile, elfPath: string): boolean {
  if (/python/i.test(path.basename(elfPath))) return true;
  return readSymbolTable(elf, 'dynsym').some((s) => s.name === 'Py_BytesMain' || s.name === 'Py_Main');
}

function checkVersion(facts: InterpreterFacts, elfPath: string): void {
  if (facts.major !== 3 || facts.minor < MIN_MINOR) {
    throw new GiltraceError(`Python ${facts.version} (${elfPath}) is not supported: giltrace needs CPython 3.${MIN_MINOR} or newer`);
  }
  if (facts.freeThreaded && !facts.gilEnabled) {
    throw new GiltraceError(`Python ${facts.version} free-threaded build runs without a GIL: nothing to trace (set PYTHON_GIL=1 or pass -X gil=1 to trace its GIL)`);
  }
}

/**
 * The loader's choice under this environment. The interpreter's own maps (a fresh run's
 * /proc/self/maps, or the attached process's) are the final word when they disagree (LD_PRELOAD, an odd ld.so.conf), since that is what the traced run maps.
 */
function findLibpython(elf: ElfFile, name: string, mappedLibpython: readonly string[], env: NodeJS.ProcessEnv): string {
  // paths through /proc/PID/root (a container's files) are kept as they are: resolved, they would be the container's own
  const mapped = mappedLibpython.filter((p) => fs.existsSync(p)).map((p) => (p.startsWith('/proc/') ? p : fs.realpathSync(p)));
  if (mapped.length === 1) return mapped[0];
  const lookup = findNeededLibrary(elf, name, env);
  if (lookup.found) return lookup.found;
  throw new GiltraceError(`${elf.path} needs ${name}, which was not found (looked in ${lookup.looked.join(', ') || 'ld.so.cache'}); set LD_LIBRARY_PATH or pass --python PATH`);
}

/** Debian/Ubuntu name the debug package after the interpreter (python3.11-dbg ships its build-id files). */
function debianDebugPackage(file: string, facts: InterpreterFacts): string | undefined {
  if (!fs.existsSync('/etc/debian_version') || !file.startsWith('/usr/')) return undefined;
  const pkg = path.basename(file).startsWith('libpython') ? `libpython${facts.major}.${facts.minor}-dbg` : `python${facts.major}.${facts.minor}-dbg`;
  return `apt-get install ${pkg}`;
}
