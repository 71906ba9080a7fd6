/**
 * What `giltrace doctor` checks: exact tracing's prerequisites, and whether the sampled mode can
 * read processes. Each check says what it found and, when it fails, how to fix it;
 * nothing here prints. The uprobe check really adds and removes one probe: write permission alone
 * does not prove the kernel accepts uprobes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { GiltraceError } from '../base/errors.js';
import { openElf, vaddrToFileOffset } from './elf/elf-file.js';
import { gilStateLayoutFor, SAMPLED_MINORS } from './gil-state-layout.js';
import { resolvePythonExecutable, type ProbeSite } from './python-target.js';
import { pythonMinorFromPath } from './python-version-from-path.js';
import { findTracefs, tracefsMountPoints } from './tracefs.js';

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly fix?: string;
}

const SCHED_EVENTS = ['sched_switch', 'sched_waking', 'sched_process_fork', 'sched_process_exit', 'sched_process_exec'];

export function checkPrerequisites(options: { python?: string; env?: NodeJS.ProcessEnv } = {}): Check[] {
  const env = options.env ?? process.env;
  const isRoot = process.getuid?.() === 0;
  const checks: Check[] = [
    isRoot
      ? { name: 'root', ok: true, detail: 'running as root' }
      : { name: 'root', ok: false, detail: `running as uid ${process.getuid?.()}`, fix: 'run giltrace with sudo: uprobes and system-wide perf need root' },
    checkPerf(),
  ];
  const tracefs = findTracefs();
  checks.push(checkTracefs(tracefs, isRoot));
  if (tracefs) {
    checks.push(checkUprobes(tracefs));
    checks.push(checkSchedEvents(tracefs));
  }
  checks.push(checkParanoid(isRoot));
  checks.push(checkSampling(isRoot));
  checks.push(checkPython(`python ${options.python ?? 'python3'}`, options.python ?? 'python3', env));
  for (const dir of pyenvVersions(env)) checks.push(checkPython(`pyenv ${path.basename(dir)}`, path.join(dir, 'bin', 'python3'), env));
  return checks;
}

function checkPerf(): Check {
  const run = spawnSync('perf', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (run.error || run.status !== 0) {
    return { name: 'perf', ok: false, detail: 'perf is not installed (or not on PATH)', fix: 'apt-get install linux-perf (Debian) or linux-tools-$(uname -r) (Ubuntu)' };
  }
  return { name: 'perf', ok: true, detail: run.stdout.trim() };
}

function checkTracefs(tracefs: string | undefined, isRoot: boolean): Check {
  if (tracefs) return { name: 'tracefs', ok: true, detail: `mounted at ${tracefs}` };
  if (!isRoot) {
    // tracefs is root-only: without root it looks absent even when it is there.
    const mounted = tracefsMountPoints()[0];
    const detail = mounted ? `mounted at ${mounted}, but cannot be read without root (only root may look inside)` : 'cannot be read without root (not listed in /proc/mounts either)';
    return { name: 'tracefs', ok: false, detail, fix: 'run as root: sudo giltrace doctor' };
  }
  if (fs.existsSync('/sys/kernel/tracing')) {
    return { name: 'tracefs', ok: true, detail: 'not mounted; giltrace mounts it at /sys/kernel/tracing when it runs' };
  }
  return { name: 'tracefs', ok: false, detail: 'tracefs is not mounted', fix: 'sudo mount -t tracefs nodev /sys/kernel/tracing' };
}

/** Adds a probe on node's own entry point and removes it again. */
function checkUprobes(tracefs: string): Check {
  const file = path.join(tracefs, 'uprobe_events');
  const name = 'uprobe_events';
  let definition: string;
  try {
    const exe = fs.realpathSync(process.execPath);
    const elf = openElf(exe);
    const entry = readEntry(exe);
    const offset = vaddrToFileOffset(elf.programHeaders, entry);
    if (offset === undefined || /\s/.test(exe)) return { name, ok: fs.existsSync(file), detail: `${file} exists (not tried)` };
    definition = `giltrace_${process.pid}_0/doctor ${exe}:0x${offset.toString(16)}`;
  } catch (e) {
    return { name, ok: fs.existsSync(file), detail: `${file} exists (not tried: ${(e as Error).message})` };
  }
  try {
    fs.appendFileSync(file, `p:${definition}\n`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    return { name, ok: false, detail: `cannot add a uprobe to ${file}: ${code}`, fix: 'run as root on a kernel with CONFIG_UPROBE_EVENTS=y' };
  }
  try {
    fs.appendFileSync(file, `-:${definition.split(' ')[0]}\n`);
  } catch {
    // Left behind only if removal failed; `giltrace clean` removes it once this process is gone.
  }
  return { name, ok: true, detail: `${file} accepts uprobes` };
}

function readEntry(exe: string): number {
  const fd = fs.openSync(exe, 'r');
  try {
    const buf = Buffer.alloc(32);
    fs.readSync(fd, buf, 0, 32, 0);
    return Number(buf.readBigUInt64LE(24));
  } finally {
    fs.closeSync(fd);
  }
}

function checkSchedEvents(tracefs: string): Check {
  const missing = SCHED_EVENTS.filter((e) => !fs.existsSync(path.join(tracefs, 'events', 'sched', e)));
  if (missing.length === 0) return { name: 'sched tracepoints', ok: true, detail: SCHED_EVENTS.join(', ') };
  return { name: 'sched tracepoints', ok: false, detail: `missing: ${missing.join(', ')}`, fix: 'use a kernel built with CONFIG_TRACEPOINTS and scheduler trace events' };
}

function checkParanoid(isRoot: boolean): Check {
  let value = '?';
  try {
    value = fs.readFileSync('/proc/sys/kernel/perf_event_paranoid', 'utf8').trim();
  } catch {
    // absent on kernels without perf events; perf itself will say so
  }
  const detail = `kernel.perf_event_paranoid = ${value}${isRoot ? ' (does not limit root)' : ''}`;
  if (isRoot || value === '-1') return { name: 'perf_event_paranoid', ok: true, detail };
  return { name: 'perf_event_paranoid', ok: false, detail, fix: 'run as root (or sysctl kernel.perf_event_paranoid=-1)' };
}

/**
 * The sampled mode (--sample) needs no root, perf or tracefs: only the right to read the
 * process's memory, which Yama's ptrace_scope bounds (0: a user's own processes; 1: only their
 * descendants, the programs giltrace starts; 2: root only; 3: nobody, until a reboot).
 */
export function checkSampling(isRoot: boolean, scope = readPtraceScope()): Check {
  const name = 'sampled mode';
  const yama = scope === undefined ? 'no Yama ptrace_scope' : `kernel.yama.ptrace_scope = ${scope}`;
  if (scope === 3) {
    return { name, ok: false, detail: `${yama}: no process's memory may be read, not even by root`, fix: 'only a reboot lowers ptrace_scope 3; until then use exact tracing' };
  }
  if (isRoot) return { name, ok: true, detail: `${yama}: --sample reads any process (no probes, no perf)` };
  if (scope === 2) return { name, ok: false, detail: `${yama}: only root may read another process's memory`, fix: 'run as root, or use exact tracing (root too)' };
  const own = scope === 1 ? 'the programs giltrace starts (run --sample -- CMD); attaching (-p) needs root' : 'the programs giltrace starts and your own running processes (-p)';
  return { name, ok: true, detail: `${yama}: without root, --sample reads ${own}` };
}

function readPtraceScope(): number | undefined {
  try {
    const value = Number(fs.readFileSync('/proc/sys/kernel/yama/ptrace_scope', 'utf8').trim());
    return Number.isInteger(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function checkPython(name: string, python: string, env: NodeJS.ProcessEnv): Check {
  try {
    const t = resolvePythonExecutable(python, env);
    const sites = (list: readonly ProbeSite[]): string =>
      list.map((s) => `${s.symbol}${s.inlinedInto ? `(inlined in ${s.inlinedInto})` : ''}@0x${s.fileOffset.toString(16)}`).join(' ');
    const via = t.symbolSource === t.gilLibrary ? '' : ` (symbols from ${t.symbolSource})`;
    const context = t.frameContext ? 'function context: yes' : `function context: no (${t.frameContextMissing})`;
    const minor = pythonMinorFromPath(t.gilLibrary) ?? pythonMinorFromPath(t.executable);
    const sampled = minor && gilStateLayoutFor(minor.major, minor.minor) ? 'sampled mode: yes' : `sampled mode: no (it knows 3.${Math.min(...SAMPLED_MINORS)} to 3.${Math.max(...SAMPLED_MINORS)})`;
    return { name, ok: true, detail: `${t.version} ${t.executable}; GIL in ${t.gilLibrary}${via}: ${sites(t.takeGil)} ${sites(t.dropGil)}; ${context}; ${sampled}` };
  } catch (e) {
    if (!(e instanceof GiltraceError)) throw e;
    return { name, ok: false, detail: e.message, fix: fixFromMessage(e.message) };
  }
}

/** Our messages put the remedy after the last ';'. */
function fixFromMessage(message: string): string {
  const i = message.lastIndexOf('; ');
  return i >= 0 ? message.slice(i + 2) : 'pass --python PATH to a CPython 3.6 or newer';
}

function pyenvVersions(env: NodeJS.ProcessEnv): string[] {
  const root = env.PYENV_ROOT ?? path.join(env.HOME ?? os.homedir(), '.pyenv');
  const dir = path.join(root, 'versions');
  try {
    return fs
      .readdirSync(dir)
      .filter((v) => /^3\.\d+/.test(v) && fs.existsSync(path.join(dir, v, 'bin', 'python3')))
      .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
      .map((v) => path.join(dir, v));
  } catch {
    return [];
  }
}
