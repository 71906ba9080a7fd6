/**
 * Interpreters that the traced tree execs while it is recorded and that giltrace put no probes
 * on (a child started by absolute path on another pyenv version, Debian's python3.11, a venv of
 * another base): perf's event list is fixed when it starts, so each such interpreter file gets
 * probes of its own and an extra recorder of its own (`OUTPUT.N`, GIL probes only; the main
 * recording has every scheduler event), merged on read (the manifest lists them). Found by
 * looking at giltrace's descendants every POLL_MS: what such a child does before it is found
 * (~0.5 s: the poll, asking the interpreter, perf starting) is not recorded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { retrySync } from '../base/sleep.js';
import { resolveRunningPython, type PythonTarget } from '../probe/python-target.js';
import { isRunning, readRunningProcess } from '../probe/running-process.js';
import { ProcessTree, procListsChildren, readLinkIfThere, readProcFile } from './process-tree.js';
import { registerGilProbes, type GilProbeGroup, type ProbeOptions } from '../probe/uprobes.js';
import type { CleanupWatcher } from './cleanup-watcher.js';
import { perfRecordArgs } from './perf-args.js';
import { PerfLines, stopUntilWritten } from './perf-finish.js';

const POLL_MS = 100;
/** Only programs named like an interpreter are asked: giltrace runs what it asks with -c. */
const INTERPRETER_NAME = /^python[\d.]*[a-z]*$/;

interface Late {
  readonly target: PythonTarget;
  readonly group: GilProbeGroup;
  readonly perf: ChildProcess;
  readonly lines: PerfLines;
  readonly file: string;
  /** The pid that revealed it, for the output. */
  readonly pid: number;
}

export class LateInterpreters {
  private readonly late: Late[] = [];
  /** Recorders stopped before they made their file (noteUnwritten). */
  private readonly unwritten = new Set<Late>();
  /** pid → the program it ran when last looked at (a fork still runs its parent's until it execs). */
  private readonly seen = new Map<number, string>();
  private readonly timer: NodeJS.Timeout;
  /**
   * giltrace's descendants from the `children` lists of its tree's threads, kept open: a poll
   * costs as much as the tree is big, not as the machine's process count (every process's `stat`
   * read each poll took ~4 ms with 66 processes here, ten times a second; a busy host with a
   * thousand took giltrace half a CPU beside the traced program).
   */
  private readonly tree = procListsChildren() ? new ProcessTree(() => [process.pid]) : undefined;
  /** Interpreter files that could not be traced, with why. */
  readonly untraceable: string[] = [];

  constructor(
    private readonly known: readonly PythonTarget[],
    private readonly output: string,
    private readonly options: { readonly bufferSize: string; readonly probes: ProbeOptions },
    private readonly watcher: CleanupWatcher,
  ) {
    this.timer = setInterval(() => this.poll(), POLL_MS);
    this.timer.unref();
  }

  /** What the manifest lists: each extra recording and the interpreter it holds. */
  get targets(): readonly PythonTarget[] {
    return this.recorded().map((l) => l.target);
  }

  /** The extra recordings' file names, parallel to `targets`. */
  get files(): readonly string[] {
    return this.recorded().map((l) => basename(l.file));
  }

  private recorded(): Late[] {
    return this.late.filter((l) => !this.unwritten.has(l));
  }

  /**
   * Once stopped: recorders that made no file (stopped before they had started, or failed) are
   * left out of the manifest, and their interpreters said untraced, with what perf said.
   */
  private noteUnwritten(): void {
    for (const late of this.recorded()) {
      if (fileBytes(late.file) > 0) continue;
      rmSync(late.file, { force: true });
      this.unwritten.add(late);
      const said = late.lines.all.filter((line) => !/^\[ perf record:/.test(line));
      this.untraceable.push(`${late.target.executable} (process ${late.pid}): its recorder made no recording (${said.length > 0 ? `perf: ${said.slice(-2).join(' / ')}` : 'stopped before it had started'})`);
    }
  }

  stopPolling(): void {
    clearInterval(this.timer);
    this.tree?.close();
  }

  /**
   * Stops the extra recorders once their files are complete; resolves to those still closing
   * their events (perf-finish.ts), whose probes are left to `stop` or to the cleanup watcher.
   */
  async stopRecording(): Promise<ChildProcess[]> {
    this.stopPolling();
    const how = await Promise.all(this.late.map((l) => stopUntilWritten(l.perf, l.lines, STOP_TIMEOUT_MS).catch(() => 'exited' as const)));
    const closing = this.late.filter((_, i) => how[i] === 'written').map((l) => l.perf);
    this.noteUnwritten();
    return closing;
  }

  /** Stops the extra recorders, waits until they have exited and removes their probes; the files stay. */
  async stop(): Promise<void> {
    this.stopPolling();
    await Promise.all(this.late.map((l) => stopPerf(l.perf)));
    for (const l of this.late) retrySync(() => l.group.remove().length === 0, 5_000);
    this.noteUnwritten();
  }

  private poll(): void {
    const descendants = this.tree ? this.tree.processes().filter((pid) => pid !== process.pid) : descendantsOf(process.pid);
    for (const pid of descendants) {
      const exe = readLinkIfThere(`/proc/${pid}/exe`);
      if (exe === undefined || this.seen.get(pid) === exe) continue;
      this.seen.set(pid, exe);
      if (!INTERPRETER_NAME.test(basename(exe))) continue;
      try {
        const running = readRunningProcess(pid);
        if (this.isProbed(running.mappedLibpython, running.executable)) continue;
        this.add(pid, resolveRunningPython(running));
      } catch (e) {
        if (!isRunning(pid)) continue; // it ended while being looked at (ESRCH): nothing to trace
        const why = `${exe} (process ${pid}): ${(e as Error).message}`;
        if (!this.untraceable.includes(why)) this.untraceable.push(why);
      }
    }
  }

  private isProbed(mapped: readonly string[], executable: string): boolean {
    const all = [...this.known, ...this.late.map((l) => l.target)];
    return all.some((t) => mapped.includes(t.gilLibrary) || (mapped.length === 0 && t.gilLibrary === executable) || t.executable === executable);
  }

  private add(pid: number, target: PythonTarget): void {
    if ([...this.known, ...this.targets].some((t) => t.gilLibrary === target.gilLibrary)) return;
    const group = registerGilProbes(target, this.options.probes);
    this.watcher.watchGroup(group.group);
    const file = `${this.output}.${this.late.length + 1}`;
    rmSync(file, { force: true });
    const args = perfRecordArgs({ output: file, probeEvents: group.eventNames, bufferSize: this.options.bufferSize, compress: false, schedEvents: false });
    const perf = spawn('perf', args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    perf.on('error', () => undefined);
    if (perf.pid !== undefined) this.watcher.watchPerf(perf.pid);
    this.late.push({ target, group, perf, lines: new PerfLines(perf.stderr!), file, pid });
  }
}

/** giltrace's descendants, from every process's parent in /proc (kernels without `children` lists). */
function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcFile(`/proc/${entry}/stat`);
    if (stat === undefined) continue; // gone meanwhile
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    let list = children.get(ppid);
    if (!list) children.set(ppid, (list = []));
    list.push(Number(entry));
  }
  const out: number[] = [];
  const pending = [root];
  while (pending.length > 0) {
    for (const child of children.get(pending.pop()!) ?? []) {
      out.push(child);
      pending.push(child);
    }
  }
  return out;
}


const STOP_TIMEOUT_MS = 30_000;

function stopPerf(perf: ChildProcess): Promise<void> {
  if (perf.exitCode !== null || perf.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      perf.kill('SIGKILL');
      resolve();
    }, STOP_TIMEOUT_MS);
    perf.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    perf.kill('SIGINT');
  });
}

function fileBytes(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
