/**
 * What /proc tells of a process giltrace attaches to: the interpreter file it runs, the
 * libpython it mapped, its command line and environment (so that asking the interpreter for its
 * facts happens under the same PYTHONHOME / LD_LIBRARY_PATH), and its threads' OS names.
 * Nothing here writes to the process or stops it.
 */
import * as fs from 'node:fs';
import { GiltraceError } from '../base/errors.js';

export interface RunningProcess {
  readonly pid: number;
  /** The interpreter file, by a path that reaches it from here (through /proc/PID/root in a container). */
  readonly executable: string;
  /** libpython files the process mapped, by paths that reach them from here. */
  readonly mappedLibpython: readonly string[];
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /**
   * Set when the process lives in another mount namespace (a container): its own paths differ
   * from ours, so files are reached through `root` (/proc/PID/root) and the interpreter is asked
   * its facts inside the namespace. `pid` is the pid in its own pid namespace.
   */
  readonly container?: { readonly root: string; readonly executable: string; readonly pid: number };
}

export function readRunningProcess(pid: number): RunningProcess {
  if (!Number.isInteger(pid) || pid <= 0) throw new GiltraceError(`not a process id: ${pid}`);
  const proc = `/proc/${pid}`;
  let exe: string;
  try {
    exe = fs.readlinkSync(`${proc}/exe`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new GiltraceError(`no process ${pid}`);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new GiltraceError(`cannot read process ${pid}: it belongs to another user or is not dumpable; run giltrace as root`);
    }
    throw new GiltraceError(`cannot read process ${pid}'s program (${code ?? (e as Error).message})`);
  }
  if (exe.endsWith(' (deleted)')) {
    throw new GiltraceError(`process ${pid} runs ${exe.slice(0, -10)}, which was deleted or replaced since it started: its probes cannot be placed`);
  }
  const mapped = mappedLibpython(readText(`${proc}/maps`));
  const base = { pid, argv: nulSeparated(readText(`${proc}/cmdline`)), env: parseEnviron(readText(`${proc}/environ`)) };
  if (sameMountNamespace(pid)) return { ...base, executable: exe, mappedLibpython: mapped };
  const root = `${proc}/root`;
  return {
    ...base,
    executable: `${root}${exe}`,
    mappedLibpython: mapped.map((path) => `${root}${path}`),
    container: { root, executable: exe, pid: namespacePid(readText(`${proc}/status`)) ?? pid },
  };
}

/** Whether `pid` is still running (a zombie has exited: its program is gone). */
export function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function sameMountNamespace(pid: number): boolean {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/mnt`) === fs.readlinkSync('/proc/self/ns/mnt');
  } catch {
    return true; // cannot tell: paths are taken as ours, and the probes' own errors say more
  }
}

/** The innermost pid of /proc/PID/status's NSpid line: the pid the process has in its own namespace. */
function namespacePid(status: string): number | undefined {
  const line = /^NSpid:\s*(.*)$/m.exec(status);
  const pids = line ? line[1].trim().split(/\s+/).map(Number) : [];
  return pids.length > 0 && Number.isInteger(pids[pids.length - 1]) ? pids[pids.length - 1] : undefined;
}

function mappedLibpython(maps: string): string[] {
  const found = new Set<string>();
  for (const line of maps.split('\n')) {
    const path = line.split(/\s+/).slice(5).join(' ');
    if (/\/libpython\d[^/]*\.so[^/]*$/.test(path)) found.add(path);
  }
  return [...found];
}

/** /proc's argv and environ: NUL-terminated strings. */
function nulSeparated(text: string): string[] {
  const parts = text.split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

function parseEnviron(text: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const entry of nulSeparated(text)) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'latin1');
  } catch (e) {
    throw new GiltraceError(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
