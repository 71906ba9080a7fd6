/**
 * One sampled recording's loop, run on a worker thread (sample-worker.ts): every tick, each
 * Python process of the traced tree is sampled (gil-sampler.ts) and every change of a thread's
 * state is written as a line of the sampled recording (contract/sampled-recording.ts).
 *
 * Ticks are paced by Atomics.wait, a futex wait with a sub-millisecond timeout: node's timers
 * fire at whole milliseconds and cost ~60 µs of CPU each on this kind of VM, four times what a
 * futex wait costs, and the sampler's CPU is the cost the traced program pays. The thread asks
 * for a short time slice (sampler-slice.ts), so that a tick comes when its timer fires, not
 * when a program thread goes to sleep; each tick reads who holds each GIL first (the tick's
 * snapshot, ProcessSampler.snapshot), the threads' files after.
 */
import * as fs from 'node:fs';
import { availableParallelism } from 'node:os';
import { GiltraceError } from '../base/errors.js';
import { SAMPLED_MAGIC, STACK_EVERY_TICKS, type SampledHeader } from '../contract/sampled-recording.js';
import { findPythonRuntime, type NotSampled, type PythonRuntime } from '../probe/python-runtime.js';
import { entryThreadName, ProcessSampler, type ThreadState, type TickLooks } from './gil-sampler.js';
import type { SampledStack } from './python-stack-reader.js';
import { formatLineRanges, type InstructionLines } from '../contract/line-ranges.js';
import { SourceLines } from './source-lines.js';
import { LastPid, type TickPids } from './last-pid.js';
import { ProcessTree, readLinkIfThere } from './process-tree.js';
import { PythonNamesFile } from './python-names-file.js';
import { boottimeOffset } from './recording-manifest.js';
import { askShortSlice } from './sampler-slice.js';
import { SCHEDSTAT_SAME, ThreadFiles } from './thread-files.js';
import { TickBudget } from './tick-budget.js';
import type { DropCodeSource } from './drop-codes.js';
import { DropCodeNames, type CodeNamingSession } from './drop-code-names.js';

export interface SessionRequest {
  /** The processes to sample with their descendants; empty: the command's, told through the control flags. */
  readonly roots: readonly number[];
  /** Attached: the roots were running before (their threads did not start in the recording). */
  readonly attached?: readonly { readonly pid: number; readonly command: readonly string[] }[];
  readonly command: readonly string[];
  readonly hz: number;
  readonly output: string;
  /** The file giltrace's hook in the started programs appends Python thread names to (GILTRACE_NAMES). */
  readonly pythonNames?: string;
  /** Only who holds each GIL and its stack (H lines): an exact recording's holder samples. */
  readonly holders?: boolean;
  /** The most of one CPU the sampler's thread may use (0.1: 10 %); ticks come less often to stay within it. Absent: no limit. */
  readonly cpuBudget?: number;
  /** Holder samples: where the drop probe's code addresses are, to name them as they come (O lines; record/drop-codes.ts). */
  readonly codes?: DropCodeSource;
}

export interface SessionResult {
  /** Why perf's file could not be read for the drops' code addresses (SessionRequest.codes), when it could not. */
  readonly codesFailure?: string;
  readonly ticks: number;
  readonly lateTicks: number;
  readonly sampled: readonly number[];
  readonly notSampled: readonly NotSampled[];
}

/**
 * How often new processes of the traced tree are looked for, ms; more often until a Python is
 * found (a launcher such as a pyenv shim runs a few dozen short processes first, each looked
 * at once: every tick cost the shim's ~0.2 s a tenth of a CPU).
 */
const DISCOVER_EVERY_MS = 100;
const DISCOVER_UNTIL_PYTHON_MS = 2;

/** The Int32 slots shared with the main thread: stop, the command's pid, and how many code addresses the drops' naming has found new (drop-code-names.ts). */
export const CONTROL = { stop: 0, rootPid: 1, newCodes: 2, size: 3 } as const;
/** A process that looks like Python but shows no runtime yet (exec in progress) is retried this long. */
const PYTHON_GRACE_MS = 2000;
const FLUSH_EVERY_MS = 200;
/**
 * Lines of a code object whose text goes with its B line (a drop may be at any of them): a
 * function's, all; a long module's body, its first ones (the rest when a holder runs them).
 */
const MAX_TEXT_LINES_TOLD = 300;
/**
 * How often an exact recording's holder samples read every thread's stack, for the lines of the
 * code the threads are in (the code objects are read once; ~3 reads a thread each time: a 100
 * threads' process costs ~1 ms of CPU a time here).
 */
const LINES_SCAN_EVERY_MS = 200;
const monotonicNs = (): bigint => process.hrtime.bigint();

export class SamplingSession {
  private periodNs: number;
  private readonly budget: TickBudget;
  /** The sampler's own thread's schedstat (opened from the thread that ticks: /proc/thread-self). */
  private readonly ownThread = new ThreadFiles('/proc/thread-self', Buffer.alloc(64));
  private ownCpuAtStart = Number.NaN;
  private ownCpuLast: number | undefined;
  private readonly base = monotonicNs();
  /** CPU time at the first tick: what sampling costs from then on (the thread's start-up is giltrace's, not the program's). */
  private cpuAtStart = process.cpuUsage();
  private readonly fd: number;
  private readonly samplers = new Map<number, ProcessSampler>();
  private readonly states = new Map<number, Map<number, ThreadState>>();
  /** When each process was last looked at: a change seen now happened since then (S lines' `since`). */
  private readonly sampledAt = new Map<number, number>();
  private readonly notSampled = new Map<number, NotSampled>();
  /** Pids looked at: when first seen, and the program they ran then. */
  private readonly seen = new Map<number, { at: number; exe: string | undefined }>();
  private readonly sampledPids: number[] = [];
  private readonly stackIds = new Map<string, number>();
  /** Ids of stacks at a line (K lines), by `${stack id} ${line}`. */
  private readonly stackAtIds = new Map<string, number>();
  /** Source lines read for L lines, and those told (`${stack id} ${line}`). */
  private readonly sources = new SourceLines();
  private readonly sourceTold = new Set<string>();
  /** Code objects whose lines a B line told. */
  private readonly linesTold = new WeakSet<InstructionLines>();
  /** When each process's threads' stacks were last read for the lines of their code (holder samples). */
  private readonly linesScannedAt = new Map<number, number>();
  /** The stack (at its line) each thread was last said to have let the GIL go in: S and Y lines' asked. */
  private readonly releasedIn = new Map<number, number>();
  /** Processes a W line was written for. */
  private readonly warned = new Set<number>();
  private lines: string[] = [];
  private ticks = 0;
  private late = 0;
  private lastDiscover = -Infinity;
  private lastFlush = 0;
  private roots: readonly number[];
  private readonly tree = new ProcessTree(() => this.roots);
  private readonly lastPid = new LastPid();
  private readonly pythonNames: PythonNamesFile | undefined;
  /** The Python name each thread's last T line said. */
  private readonly toldPythonNames = new Map<number, string>();
  private readonly holdersOnly: boolean;
  /** When each process's holders' stacks were last read (its H lines stand for the time since). */
  private readonly stacksReadAt = new Map<number, number>();
  /** Holder samples of a recording whose drop probe reads code addresses: their names (O lines). */
  private readonly dropCodes: DropCodeNames | undefined;
  /** The slots shared with the main thread (run's). */
  private control: Int32Array | undefined;

  constructor(request: SessionRequest) {
    this.dropCodes = request.codes ? new DropCodeNames(request.codes, this.codeNamingSession()) : undefined;
    this.periodNs = 1e9 / request.hz;
    // (an attach is held to its budget from the first tick: tick-budget.ts)
    this.budget = new TickBudget(this.periodNs, request.cpuBudget ?? Infinity, request.attached ? 1 : undefined);
    this.holdersOnly = request.holders === true;
    this.roots = request.roots;
    this.pythonNames = request.pythonNames === undefined ? undefined : new PythonNamesFile(request.pythonNames);
    this.fd = fs.openSync(request.output, 'w');
    const prompt = askShortSlice(!this.holdersOnly);
    const header: SampledHeader = {
      timeBaseNs: this.base.toString(),
      hz: request.hz,
      command: request.command,
      ...(request.attached ? { attached: request.attached } : {}),
      cpus: availableParallelism(),
      ...boottimeOffset(),
      ...(this.holdersOnly ? { holders: true as const } : {}),
      ...(prompt ? {} : { lateWakes: true as const }),
      ...(request.cpuBudget !== undefined ? { cpuBudget: request.cpuBudget } : {}),
    };
    fs.writeSync(this.fd, `${SAMPLED_MAGIC}\n${JSON.stringify(header)}\n`);
  }

  /**
   * Ticks until the stop slot becomes non-zero (the main thread sets it and notifies). A gap of
   * over two periods between ticks is counted as ticks skipped (a busy machine, a slow tick).
   */
  run(control: Int32Array): SessionResult {
    this.control = control;
    let last = Number.NaN;
    this.cpuAtStart = process.cpuUsage();
    while (Atomics.load(control, CONTROL.stop) === 0) {
      if (this.roots.length === 0) {
        const root = Atomics.load(control, CONTROL.rootPid);
        if (root > 0) this.roots = [root];
      }
      const now = this.now();
      if (now - last > 2 * this.periodNs) this.late += Math.round((now - last) / this.periodNs) - 1;
      const since = now - last;
      last = now;
      this.tick(now, since === since ? since : this.periodNs);
      if (this.budget.due(now)) this.keepToBudget(now);
      const waitMs = (last + this.periodNs - this.now()) / 1e6;
      if (waitMs > 0) Atomics.wait(control, CONTROL.stop, 0, waitMs);
    }
    return this.finish();
  }

  /** R lines: the sampler's thread used more of a CPU than its budget (or again less), so its ticks come less (or more) often from now on. */
  private keepToBudget(now: number): void {
    const cpu = this.ownCpuNs();
    if (cpu === undefined || !this.budget.observe(now, cpu)) return;
    this.periodNs = this.budget.periodNs;
    for (const sampler of this.samplers.values()) sampler.setPeriod(this.periodNs);
    this.lines.push(`R ${now} ${Math.round(this.periodNs)}`);
  }

  /** The CPU time of the sampler's own thread since its first tick, ns; undefined when it cannot be read. */
  private ownCpuNs(): number | undefined {
    const runtime = this.ownThread.readSchedstat();
    if (runtime === undefined) return undefined;
    // the same as at the last reading (no switch nor scheduler tick since): no time counted since
    if (runtime === SCHEDSTAT_SAME) return this.ownCpuLast;
    if (Number.isNaN(this.ownCpuAtStart)) this.ownCpuAtStart = runtime;
    return (this.ownCpuLast = runtime - this.ownCpuAtStart);
  }

  private finish(): SessionResult {
    if (this.dropCodes) {
      this.dropCodes.tick(this.now(), true);
      this.dropCodes.close();
    }
    const t = this.now();
    // threads still alive did not exit: they last to the end line
    this.lines.push(`E ${t} ${this.ticks} ${this.late} ${this.cpuSoFarNs()} ${this.ownCpuNs() ?? ''}`.trimEnd());
    this.flush(t, true);
    for (const sampler of this.samplers.values()) sampler.close();
    this.tree.close();
    this.lastPid.close();
    this.pythonNames?.close();
    fs.closeSync(this.fd);
    const codesFailure = this.dropCodes?.failure;
    return { ticks: this.ticks, lateTicks: this.late, sampled: this.sampledPids, notSampled: [...this.notSampled.values()], ...(codesFailure ? { codesFailure } : {}) };
  }

  /** CPU time giltrace used since the first tick, ns (its start-up is not the program's cost). */
  private cpuSoFarNs(): number {
    const cpu = process.cpuUsage(this.cpuAtStart);
    return (cpu.user + cpu.system) * 1000;
  }

  private now(): number {
    return Number(monotonicNs() - this.base);
  }

  /** `since`: ns since the previous tick (the time a holder sample stands for). */
  private tick(now: number, since: number): void {
    this.ticks++;
    // holder samples: when the ticks began (the samples stand for the time from then on)
    if (this.holdersOnly && this.ticks === 1) this.lines.push(`C ${now} 1 0 ${this.cpuSoFarNs()}`);
    // who holds each GIL first, as the tick wakes (sampler-slice.ts); then the threads' files
    if (!this.holdersOnly) {
      for (const [pid, sampler] of this.samplers) this.readOrDrop(pid, now, () => sampler.snapshot(now + Number(this.base)) || undefined);
    }
    const pids = this.lastPid.reader();
    const discoverEvery = this.samplers.size === 0 ? DISCOVER_UNTIL_PYTHON_MS : DISCOVER_EVERY_MS;
    if (now - this.lastDiscover >= discoverEvery * 1e6) this.discover(now, pids);
    for (const [pid, sampler] of this.samplers) {
      if (this.holdersOnly) {
        this.sampleHolders(pid, sampler, now, since);
        continue;
      }
      const looks = this.readOrDrop(pid, now, () => sampler.sample(now + Number(this.base), pids));
      if (looks) this.record(pid, looks, now, sampler);
      if (sampler.syscallDenied && !this.warned.has(pid)) {
        this.warned.add(pid);
        this.lines.push(`W ${now} ${pid} its threads' system calls cannot be read (/proc/PID/task/TID/syscall: not allowed): threads asleep waiting for the GIL count as idle`);
      }
    }
    this.dropCodes?.tick(now);
    if (now - this.lastFlush >= FLUSH_EVERY_MS * 1e6) this.flush(now);
  }

  /** What the drop codes' naming uses of the session: its samplers, and F and B lines for the stacks it reads. */
  private codeNamingSession(): CodeNamingSession {
    return {
      samplerOf: (pid) => this.samplers.get(pid),
      tellStack: (pid, stack) => {
        const id = this.stackId(stack);
        if (stack.lines && !this.linesTold.has(stack.lines)) this.tellLines(pid, id, stack, stack.lines);
        return id;
      },
      line: (text) => this.lines.push(text),
      newCode: () => {
        if (this.control) Atomics.add(this.control, CONTROL.newCodes, 1);
      },
    };
  }

  /**
   * What `read` gives of a sampled process, or undefined once the process is dropped: gone (`read`
   * gives undefined: it exited or exec'd) or not readable as the Python it looked like (a
   * GiltraceError: skipped, and why said).
   */
  private readOrDrop<T>(pid: number, now: number, read: () => T | undefined): T | undefined {
    let value: T | undefined;
    try {
      value = read();
    } catch (e) {
      if (!(e instanceof GiltraceError)) throw e;
      this.processGone(pid, now);
      this.skip({ pid, why: e.message }, now);
      return undefined;
    }
    if (value === undefined) this.processGone(pid, now);
    return value;
  }

  /** H lines: who holds each of the process's GILs now, and what it runs. */
  private sampleHolders(pid: number, sampler: ProcessSampler, now: number, since: number): void {
    const held = this.readOrDrop(pid, now, () => sampler.holders(now + Number(this.base)));
    for (const { tid, stack } of held ?? []) this.holderLine(now, pid, tid, stack, since);
    if (held && now - (this.linesScannedAt.get(pid) ?? -Infinity) >= LINES_SCAN_EVERY_MS * 1e6) {
      this.linesScannedAt.set(pid, now);
      for (const stack of sampler.threadStacks()) if (stack.lines && !this.linesTold.has(stack.lines)) this.tellLines(pid, this.stackId(stack), stack, stack.lines);
    }
  }

  /**
   * An H line: the thread held its GIL at `now`, running `stack`, at the stack's line when read
   * (after an L line with that line's text, the first time). In holder samples, the first time a
   * code object is seen, a B line with its lines by instruction (for the probes' drops) and the
   * text of them.
   */
  private holderLine(now: number, pid: number, tid: number, stack: SampledStack | undefined, since: number): void {
    const id = this.stackId(stack);
    const line = `H ${now} ${pid} ${tid} ${id} ${since}`;
    // (for the probes' drops: a sampled recording has none)
    if (this.holdersOnly && stack?.lines && !this.linesTold.has(stack.lines)) this.tellLines(pid, id, stack, stack.lines);
    if (!stack?.at) {
      this.lines.push(line);
      return;
    }
    this.tellSource(pid, id, stack, stack.at);
    this.lines.push(`${line} ${stack.at}`);
  }

  /** A B line, and the text of the code object's first lines (L lines). */
  private tellLines(pid: number, id: number, stack: SampledStack, lines: InstructionLines): void {
    this.linesTold.add(lines);
    this.lines.push(`B ${id} ${lines.base} ${lines.scale} ${formatLineRanges(lines.ranges)}`);
    const numbers = [...new Set(lines.ranges.lines)].filter((n) => n > 0).sort((a, b) => a - b);
    for (const n of numbers.slice(0, MAX_TEXT_LINES_TOLD)) this.tellSource(pid, id, stack, n);
  }

  /** An L line with the text of line `n` of the stack's innermost function, once. */
  private tellSource(pid: number, id: number, stack: SampledStack, n: number): void {
    const told = `${id} ${n}`;
    if (this.sourceTold.has(told)) return;
    this.sourceTold.add(told);
    const text = this.sources.textOf(pid, stack.file, n);
    if (text !== undefined) this.lines.push(`L ${told}\t${text.replace(/[\t\n]/g, ' ')}`);
  }

  /** Lines for what changed among the threads looked at, and for those gone. */
  private record(pid: number, looks: TickLooks, now: number, sampler: ProcessSampler): void {
    const known = this.states.get(pid)!;
    const since = now - (this.sampledAt.get(pid) ?? now);
    this.sampledAt.set(pid, now);
    for (const [tid, state] of looks.states) {
      const before = known.get(tid);
      if (!before || before.name !== state.name) this.lines.push(`N ${now} ${pid} ${tid} ${state.name}`);
      if (this.pythonNames) this.tellPythonName(tid, pid, now);
      else this.tellEntryName(sampler, tid, pid, state.name, now);
      if (!before || before.gil !== state.gil || before.cpu !== state.cpu || before.gilIndex !== state.gilIndex) {
        const asked = this.stackAtLineId(pid, state.gil === 'n' ? state.releasedStack : state.waitStack);
        if (state.gil === 'n') this.releasedIn.set(tid, asked);
        const line = `S ${now} ${pid} ${tid} ${state.gil}${state.cpu} ${state.gilIndex} ${this.stackId(state.heldStack)} ${asked}`;
        // a thread seen for the first time after the process's first tick began since the last
        // one (a thread per request may live less than a tick: placed halfway, as any change)
        this.lines.push(before || since > 0 ? `${line} ${looks.unseenFor.get(tid) ?? since}` : line);
      } else if (state.gil === 'n' && state.releasedStack) {
        // without the GIL as before, in another stack: it let the GIL go there since
        const asked = this.stackAtLineId(pid, state.releasedStack);
        if (asked !== this.releasedIn.get(tid)) {
          this.releasedIn.set(tid, asked);
          this.lines.push(`Y ${now} ${pid} ${tid} ${asked} ${looks.unseenFor.get(tid) ?? since}`);
        }
      }
      const queued = looks.queuedFor.get(tid);
      if (queued !== undefined) this.lines.push(`Q ${now} ${pid} ${tid} ${queued} ${looks.unseenFor.get(tid) ?? since}`);
      known.set(tid, state);
    }
    // what the holders ran, every few ticks, whatever else changed: the held time is shared by these
    if (looks.stacksRead) {
      const since = now - (this.stacksReadAt.get(pid) ?? now - this.periodNs * STACK_EVERY_TICKS);
      this.stacksReadAt.set(pid, now);
      for (const [tid, state] of looks.states) if (state.gil === 'h') this.holderLine(now, pid, tid, state.heldStack, since);
    }
    // a thread that ends may have told its name since the file was last read (every
    // DISCOVER_EVERY_MS): read it now, or a thread shorter than that keeps its OS name
    if (looks.gone.size > 0) this.pythonNames?.read();
    for (const [tid, sinceSeen] of looks.gone) {
      if (known.delete(tid)) {
        this.tellPythonName(tid, pid, now);
        // held at the tick's snapshot, gone by its look (gil-sampler.ts heldAtSnapshot); and since
        // when it was gone, at the most (its last look)
        this.lines.push(`X ${now} ${pid} ${tid} ${looks.states.get(tid)?.gil === 'h' ? 'h' : '-'} ${sinceSeen}`);
        this.threadGone(tid);
      }
    }
  }

  /** A T line for a thread of a process that does not tell its threads' names (entryThreadName), once known. */
  private tellEntryName(sampler: ProcessSampler, tid: number, pid: number, osName: string, now: number): void {
    if (this.toldPythonNames.has(tid)) return;
    const name = entryThreadName(sampler, pid, tid, () => osName, now + Number(this.base));
    if (name === undefined) return;
    this.toldPythonNames.set(tid, name);
    this.lines.push(`T ${now} ${pid} ${tid} ${name}`);
  }

  /** A T line when the thread's Python name is new. */
  private tellPythonName(tid: number, pid: number, now: number): void {
    const pythonName = this.pythonNames?.nameOf(tid);
    if (pythonName !== undefined && this.toldPythonNames.get(tid) !== pythonName) {
      this.toldPythonNames.set(tid, pythonName);
      this.lines.push(`T ${now} ${pid} ${tid} ${pythonName}`);
    }
  }

  /** The id of a stack in the recording (0: none), written in an F line the first time. */
  private stackId(stack: SampledStack | undefined): number {
    if (!stack) return 0;
    const fields = [stack.name, stack.file, String(stack.line), ...stack.callers].map((f) => f.replace(/[\t\n]/g, ' '));
    const key = fields.join('\t');
    let id = this.stackIds.get(key);
    if (id === undefined) {
      this.stackIds.set(key, (id = this.stackIds.size + 1));
      this.lines.push(`F ${id}\t${key}`);
    }
    return id;
  }

  /**
   * The id of a waiter's stack, or of the stack a thread let the GIL go in, at the line it let it
   * go at (a K line the first time, after the F line of its stack and the L line of its line).
   * The stack's own id when its line is not known.
   */
  private stackAtLineId(pid: number, stack: SampledStack | undefined): number {
    const id = this.stackId(stack);
    if (!stack?.at) return id;
    const key = `${id} ${stack.at}`;
    let atId = this.stackAtIds.get(key);
    if (atId === undefined) {
      // one numbering with the F lines' ids
      this.stackIds.set(`\0${key}`, (atId = this.stackIds.size + 1));
      this.stackAtIds.set(key, atId);
      this.tellSource(pid, id, stack, stack.at);
      this.lines.push(`K ${atId} ${id} ${stack.at}`);
    }
    return atId;
  }

  /** A thread id may come back as another thread: the name told for it is forgotten. */
  private threadGone(tid: number): void {
    this.releasedIn.delete(tid);
    this.toldPythonNames.delete(tid);
    this.pythonNames?.forget(tid);
  }

  /** The process exited, or exec'd: then discovery finds it again as the program it runs now. */
  private processGone(pid: number, now: number): void {
    const threads = [...(this.states.get(pid)?.keys() ?? [])];
    if (threads.length > 0) this.pythonNames?.read();
    for (const tid of threads) {
      this.tellPythonName(tid, pid, now);
      this.lines.push(`X ${now} ${pid} ${tid}`);
      this.threadGone(tid);
    }
    this.states.delete(pid);
    this.sampledAt.delete(pid);
    this.stacksReadAt.delete(pid);
    this.linesScannedAt.delete(pid);
    this.samplers.get(pid)?.close();
    this.samplers.delete(pid);
    this.seen.delete(pid);
  }

  /** New processes of the traced tree: Pythons get a sampler, Python-looking others are named. */
  private discover(now: number, pids: TickPids): void {
    this.lastDiscover = now;
    // names told since: the threads' next looks write them (record)
    this.pythonNames?.read();
    for (const pid of this.tree.processes(pids)) {
      if (this.samplers.has(pid)) continue;
      const exe = readLinkIfThere(`/proc/${pid}/exe`);
      const seen = this.seen.get(pid);
      // one not sampled is looked at again once it runs another program (a Python 2 that
      // execs a Python 3)
      if (this.notSampled.has(pid) && (exe === undefined || seen?.exe === exe)) continue;
      if (seen && seen.exe === exe && !looksLikePython(exe)) continue; // not Python, and still the same program
      if (!seen || seen.exe !== exe) this.seen.set(pid, { at: now, exe });
      this.notSampled.delete(pid);
      const runtime = findPythonRuntime(pid);
      if (!('why' in runtime)) {
        this.addSampler(runtime, now);
        continue;
      }
      // a Python the sampled mode does not know is said at once (it may end before the grace
      // does: a short Python 2 script was sampled as nothing, with no word why)
      if (runtime.final || (looksLikePython(exe) && now - this.seen.get(pid)!.at > PYTHON_GRACE_MS * 1e6)) this.skip(runtime, now);
    }
  }

  private addSampler(runtime: PythonRuntime, now: number): void {
    let sampler: ProcessSampler;
    try {
      sampler = new ProcessSampler(runtime);
      sampler.setPeriod(this.periodNs);
    } catch (e) {
      return this.skip({ pid: runtime.pid, why: (e as Error).message }, now);
    }
    this.samplers.set(runtime.pid, sampler);
    this.states.set(runtime.pid, new Map());
    this.sampledPids.push(runtime.pid);
    this.lines.push(`P ${now} ${runtime.pid} ${runtime.minor} ${runtime.file}`);
    const argv = commandLineOf(runtime.pid);
    if (argv) this.lines.push(`A ${now} ${runtime.pid} ${JSON.stringify(argv)}`);
  }

  private skip(what: NotSampled, now: number): void {
    this.notSampled.set(what.pid, what);
    this.lines.push(`U ${now} ${what.pid} ${what.why}`);
  }

  /** Writes the lines so far, and (but at the end) what sampling cost so far: for a live view (top --sample) and a recording cut short. */
  private flush(now = this.now(), ending = false): void {
    this.lastFlush = now;
    if (!ending) this.lines.push(`C ${now} ${this.ticks} ${this.late} ${this.cpuSoFarNs()} ${this.ownCpuNs() ?? ''}`.trimEnd());
    fs.writeSync(this.fd, this.lines.join('\n') + '\n');
    this.lines = [];
  }
}

/** A process's command line; undefined when it cannot be read (gone). */
function commandLineOf(pid: number): string[] | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  } catch {
    return undefined;
  }
}

function looksLikePython(exe: string | undefined): boolean {
  return exe !== undefined && /\/python[0-9.]*[a-z]*$/.test(exe.replace(/ \(deleted\)$/, ''));
}

