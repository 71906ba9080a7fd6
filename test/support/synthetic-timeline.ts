/**
 * Timelines built directly through the model's types, for export tests and bench/ until real
 * recordings flow through the pipeline. The shape mimics `seed_two_threads.py`: a main thread
 * that starts the workers and joins them (mostly without the GIL), and two CPU-bound workers
 * that hand the GIL back and forth at every switch interval, with forced drops, a few
 * voluntary ones (blocking I/O), wake-up latency (runnable) before each take. Options make
 * more of the alike threads the reports group into one row: `workers` (a pool taking turns) and
 * `requestThreads` (a server's short-lived thread per request, queueing for the GIL).
 *
 * Function context as a recording on 3.12 has it (unless `functionContext: false`; stacks are
 * read at drops only, and a wait is in the stack of the thread's last drop): the workers run
 * `some_computation` (caught by every forced drop, so that is where they wait again) and
 * `write_log` (where they block on I/O), and end with no Python frame; their first wait, before
 * any drop, has no known stack (0). The main thread joins them in `Thread._wait_for_tstate_lock`
 * and asks for the GIL back there.
 */
import { computeStats, computeVerdict } from '../../src/analysis/index.js';
import { toVerdictText } from '../../src/cli/verdict-text.js';
import type { ReportInput } from '../../src/export/report-input.js';
import { seededRandom } from './seeded-random.js';
import { PythonStacks } from '../../src/model/python-stacks.js';
import {
  CpuState,
  GilState,
  type Drop,
  type GilTimeline,
  type Holds,
  type StepTrack,
  type ThreadTimeline,
  type Timeline,
} from '../../src/model/timeline.js';

/** Grows a step track, dropping repeated states so it keeps the model's invariant. */
export class StepTrackBuilder {
  private times: number[] = [];
  private states: number[] = [];
  push(time: number, state: number): void {
    const n = this.states.length;
    if (n > 0 && this.states[n - 1] === state) return;
    if (n > 0 && this.times[n - 1] === time) {
      this.states[n - 1] = state;
      if (n > 1 && this.states[n - 2] === state) (this.times.pop(), this.states.pop());
      return;
    }
    this.times.push(time);
    this.states.push(state);
  }
  build(): StepTrack {
    return { times: Float64Array.from(this.times), states: Uint8Array.from(this.states) };
  }
}

/** A step track from [time, state] pairs (tests write these by hand). */
export function stepTrack(steps: readonly (readonly [number, number])[]): StepTrack {
  const builder = new StepTrackBuilder();
  for (const [time, state] of steps) builder.push(time, state);
  return builder.build();
}

/** Derives one interpreter's holder and waiter tracks from its threads' GIL tracks. */
export function deriveGil(key: string, pid: number, threads: readonly ThreadTimeline[]): GilTimeline {
  const holderChanges: [number, number, number][] = []; // time, tid (0 = released), order
  const waiterDeltas: [number, number][] = [];
  for (const thread of threads) {
    const { times, states } = thread.gilTrack;
    let previous: number = GilState.none;
    for (let i = 0; i <= states.length; i++) {
      const time = i < states.length ? times[i] : thread.end;
      const state = i < states.length ? states[i] : GilState.none;
      if (previous === GilState.holding) holderChanges.push([time, 0, 0]);
      if (state === GilState.holding) holderChanges.push([time, thread.tid, 1]);
      if (previous === GilState.waiting) waiterDeltas.push([time, -1]);
      if (state === GilState.waiting) waiterDeltas.push([time, 1]);
      previous = state;
    }
  }
  holderChanges.sort((a, b) => a[0] - b[0] || a[2] - b[2]);
  waiterDeltas.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const holders = new StepTrackLike();
  for (const [time, tid] of holderChanges) holders.push(time, tid);
  const waiters = new StepTrackLike();
  let count = 0;
  waiters.push(threads.length ? Math.min(...threads.map((t) => t.start)) : 0, 0);
  for (const [time, delta] of waiterDeltas) waiters.push(time, (count += delta));
  return {
    key,
    pid,
    holders: { times: Float64Array.from(holders.times), tids: Int32Array.from(holders.values) },
    waiters: { times: Float64Array.from(waiters.times), counts: Uint16Array.from(waiters.values) },
  };
}

class StepTrackLike {
  times: number[] = [];
  values: number[] = [];
  push(time: number, value: number): void {
    const n = this.values.length;
    if (n > 0 && this.times[n - 1] === time) {
      this.values[n - 1] = value;
      if (n > 1 && this.values[n - 2] === value) (this.times.pop(), this.values.pop());
      return;
    }
    if (n > 0 && this.values[n - 1] === value) return;
    this.times.push(time);
    this.values.push(value);
  }
}

export interface SyntheticOptions {
  /** GIL hand-offs between the workers (each adds one holding + one waiting interval). */
  readonly handoffs?: number;
  /** Mean holding time per turn, ns (CPython's default switch interval is 5 ms). */
  readonly switchNs?: number;
  readonly seed?: number;
  readonly pid?: number;
  readonly mainThreadName?: string;
  /** false: a recording made without Python stacks (every stack id 0). Default true. */
  readonly functionContext?: boolean;
  /**
   * CPU-bound workers taking turns round-robin, all but the holder waiting (default 2;
   * `Thread-N (worker)`): from 3 on they are a group of alike threads the reports show as one row.
   */
  readonly workers?: number;
  /**
   * Short-lived alike threads, as a `ThreadingHTTPServer` starts one per request
   * (`Thread-N (process_request_thread)`), after the workers are joined: each waits for the
   * GIL, holds it briefly and ends; they start closer together than they hold, so a queue of
   * waiters builds up. Default 0.
   */
  readonly requestThreads?: number;
}

/** The Python stacks of the synthetic program (app.py), interned as the model interns them. */
function syntheticStacks(python: PythonStacks, enabled: boolean) {
  const threading = '/opt/python/3.12.1/lib/python3.12/threading.py';
  const worker = ['Thread.run', 'Thread._bootstrap_inner', 'Thread._bootstrap'];
  const intern = (name: string, file: string, line: number, callers: string[], instruction?: number) => (enabled ? python.intern(name, file, line, callers, instruction) : 0);
  // write_log's drops are read at their instruction, whose line its holder samples told (line 23)
  const writeLog = intern('write_log', '/srv/app.py', 21, ['some_computation', ...worker], 0x7f00_0000_1014);
  if (enabled) python.instructionLines(writeLog, { base: 0x7f00_0000_1000, scale: 1, ranges: { starts: [0, 16], lines: [22, 23], end: 40 } });
  return {
    noFrame: intern('', '', 0, []),
    compute: intern('some_computation', '/srv/app.py', 7, worker),
    writeLog,
    join: intern('Thread._wait_for_tstate_lock', threading, 1153, ['Thread.join', 'main', '<module>']),
    /** Interned when first asked for, so that timelines without request threads keep their tables. */
    request: () => intern('ThreadingMixIn.process_request_thread', '/opt/python/3.12.1/lib/python3.12/socketserver.py', 691, worker),
  };
}

export const SYNTHETIC_TIME_BASE_NS = 1_892_307_303_260_123n;

/**
 * One process: MainThread mostly without the GIL, workers fighting for it (two by default),
 * then the request threads, if asked for.
 */
export function makeSyntheticTimeline(options: SyntheticOptions = {}): Timeline {
  const handoffs = options.handoffs ?? 40;
  const switchNs = options.switchNs ?? 5_000_000;
  const pid = options.pid ?? 4242;
  const workerCount = Math.max(2, options.workers ?? 2);
  const rand = seededRandom(options.seed ?? 7);
  const jitter = (mean: number, spread: number) => Math.round(mean * (1 - spread + 2 * spread * rand()));

  const python = new PythonStacks();
  const stack = syntheticStacks(python, options.functionContext ?? true);
  const newThread = (): ThreadBuilder => ({ gil: new StepTrackBuilder(), cpu: new StepTrackBuilder(), drops: [], waitStacks: new Map() });
  const main = newThread();
  const workers = Array.from({ length: workerCount }, newThread);
  const tids = workers.map((_, k) => pid + 1 + k);

  // Main thread: imports and starts workers holding the GIL, then joins them (sleeping, no GIL).
  main.gil.push(0, GilState.holding);
  main.cpu.push(0, CpuState.running);
  const mainDrop = 2_000_000;
  main.gil.push(mainDrop, GilState.none);
  main.drops.push({ time: mainDrop, tid: pid, forced: false, known: true, stack: stack.join });
  main.cpu.push(mainDrop + 3_000, CpuState.sleeping);

  // Worker 0 was started at 1.5 ms and waits for the main thread's drop; the others start later.
  const starts = workers.map((_, k) => (k === 0 ? 1_500_000 : 2_400_000 + (k - 1) * 100_000));
  const lastStart = starts[workerCount - 1];
  workers[0].cpu.push(starts[0], CpuState.running);
  workers[0].gil.push(starts[0] + 2_000, GilState.waiting);
  workers[0].cpu.push(starts[0] + 4_000, CpuState.sleeping);
  workers[0].cpu.push(mainDrop, CpuState.runnable);
  let now = mainDrop + 25_000;
  workers[0].gil.push(now, GilState.holding);
  workers[0].cpu.push(now, CpuState.running);
  for (let k = 1; k < workerCount; k++) {
    workers[k].cpu.push(starts[k], CpuState.running);
    workers[k].gil.push(starts[k] + 1_500, GilState.waiting);
    workers[k].cpu.push(starts[k] + 3_000, CpuState.sleeping);
  }

  // Round robin: the holder drops, the next worker takes; all but the holder wait.
  let holder = 0;
  for (let i = 0; i < handoffs; i++) {
    const next = (holder + 1) % workerCount;
    const h = workers[holder];
    const o = workers[next];
    const dropAt = Math.max(now + jitter(switchNs, 0.1), lastStart + 10_000);
    const forced = i % 50 !== 49;
    const handoff = jitter(30_000, 0.7);
    h.gil.push(dropAt, GilState.none);
    h.drops.push({ time: dropAt, tid: tids[holder], forced, known: true, stack: forced ? stack.compute : stack.writeLog });
    o.cpu.push(dropAt, CpuState.runnable);
    o.cpu.push(dropAt + handoff, CpuState.running);
    o.gil.push(dropAt + handoff, GilState.holding);
    if (forced) {
      h.gil.push(dropAt + 1_000, GilState.waiting);
      h.waitStacks.set(dropAt + 1_000, stack.compute);
      h.cpu.push(dropAt + 2_000, CpuState.sleeping);
    } else {
      const io = Math.min(1_000_000, Math.round(switchNs / 2));
      h.cpu.push(dropAt + 500, CpuState.blocked);
      h.cpu.push(dropAt + 500 + io, CpuState.running);
      h.gil.push(dropAt + 600 + io, GilState.waiting);
      h.waitStacks.set(dropAt + 600 + io, stack.writeLog);
      h.cpu.push(dropAt + 1_600 + io, CpuState.sleeping);
    }
    now = dropAt + handoff;
    holder = next;
  }

  // Finish: the holder drops and exits, each other worker in turn takes once more, drops and exits.
  const ends = workers.map(() => 0);
  const lastDrop = now + jitter(switchNs, 0.1);
  workers[holder].gil.push(lastDrop, GilState.none);
  workers[holder].drops.push({ time: lastDrop, tid: tids[holder], forced: false, known: true, stack: stack.noFrame });
  ends[holder] = lastDrop + 10_000;
  let previousDrop = lastDrop;
  for (let k = 1; k < workerCount; k++) {
    const w = (holder + k) % workerCount;
    const o = workers[w];
    o.cpu.push(previousDrop, CpuState.runnable);
    o.cpu.push(previousDrop + 20_000, CpuState.running);
    o.gil.push(previousDrop + 20_000, GilState.holding);
    const finalDrop = previousDrop + 20_000 + jitter(switchNs / 2, 0.1);
    o.gil.push(finalDrop, GilState.none);
    o.drops.push({ time: finalDrop, tid: tids[w], forced: false, known: false, stack: stack.noFrame });
    ends[w] = finalDrop + 10_000;
    previousDrop = finalDrop;
  }
  const joined = Math.max(...ends);
  const requests = requestThreads(options.requestThreads ?? 0, joined + 50_000, pid + workerCount + 1, stack.request, jitter, newThread);
  // The main thread joins the workers, then (with request threads) the server's threads.
  const resume = Math.max(joined, ...requests.map((r) => r.end));
  main.cpu.push(resume, CpuState.runnable);
  main.cpu.push(resume + 15_000, CpuState.running);
  main.gil.push(resume + 15_000, GilState.waiting);
  main.waitStacks.set(resume + 15_000, stack.join);
  main.gil.push(resume + 18_000, GilState.holding);
  const end = resume + 600_000;

  const threads: ThreadTimeline[] = [
    thread(pid, pid, options.mainThreadName ?? 'MainThread', 0, end, main),
    ...workers.map((w, k) => thread(pid, tids[k], `Thread-${k + 1} (worker)`, starts[k], ends[k], w)),
    ...requests.map((r, k) => thread(pid, r.tid, `Thread-${workerCount + 1 + k} (process_request_thread)`, r.start, r.end, r.builder)),
  ];
  const key = `${pid}:0x7f3a2c1e4b40`;
  return {
    timeBaseNs: SYNTHETIC_TIME_BASE_NS,
    start: 0,
    end,
    lostEvents: 0,
    processes: [{ pid, start: 0, end, threads, gils: [deriveGil(key, pid, threads)], anomalies: {} }],
    functions: python.functions,
    stacks: python.stacks,
  };
}

/**
 * A server's threads, one per request, started every 40 µs from `from`: each waits for the GIL
 * (its first wait: no stack known), holds it about 150 µs in process_request_thread, releases it
 * and ends. They queue up: several wait while one holds.
 */
function requestThreads(
  count: number,
  from: number,
  firstTid: number,
  requestStack: () => number,
  jitter: (mean: number, spread: number) => number,
  newThread: () => ThreadBuilder,
): { tid: number; start: number; end: number; builder: ThreadBuilder }[] {
  const threads = [];
  let free = from;
  for (let k = 0; k < count; k++) {
    const b = newThread();
    const start = from + k * 40_000;
    b.cpu.push(start, CpuState.running);
    b.gil.push(start + 2_000, GilState.waiting);
    b.cpu.push(start + 3_000, CpuState.sleeping);
    const take = Math.max(free + jitter(20_000, 0.5), start + 20_000);
    b.cpu.push(take - 5_000, CpuState.runnable);
    b.cpu.push(take, CpuState.running);
    b.gil.push(take, GilState.holding);
    const drop = take + jitter(150_000, 0.5);
    b.gil.push(drop, GilState.none);
    b.drops.push({ time: drop, tid: firstTid + k, forced: false, known: true, stack: requestStack() });
    b.cpu.push(drop + 2_000, CpuState.sleeping);
    free = drop;
    threads.push({ tid: firstTid + k, start, end: drop + 10_000, builder: b });
  }
  return threads;
}

interface ThreadBuilder {
  readonly gil: StepTrackBuilder;
  readonly cpu: StepTrackBuilder;
  readonly drops: Drop[];
  /** Stack id of each wait, by the time it starts. */
  readonly waitStacks: Map<number, number>;
}

function thread(pid: number, tid: number, name: string, start: number, end: number, b: ThreadBuilder): ThreadTimeline {
  const key = `${pid}:0x7f3a2c1e4b40`;
  const gilTrack = b.gil.build();
  const waits = waitsOf(gilTrack, end, b.waitStacks);
  return {
    pid, tid, name, start, end, gil: key, gilTrack, cpuTrack: b.cpu.build(), drops: b.drops,
    acquisitions: [...gilTrack.states].filter((s) => s === GilState.holding).length,
    ...waits, holds: holdsOf(gilTrack, end, b.drops, b.waitStacks),
  };
}

/** A thread's waits as the model records them: the waiting intervals of its GIL track, with their start and stack. */
export function waitsOf(gilTrack: StepTrack, end: number, stackAt: ReadonlyMap<number, number> = new Map()): Pick<ThreadTimeline, 'waits' | 'waitStarts' | 'waitStacks'> {
  const waits: number[] = [];
  const starts: number[] = [];
  const stacks: number[] = [];
  for (let i = 0; i < gilTrack.states.length; i++) {
    if (gilTrack.states[i] !== GilState.waiting) continue;
    const from = gilTrack.times[i];
    waits.push((i + 1 < gilTrack.times.length ? gilTrack.times[i + 1] : end) - from);
    starts.push(from);
    stacks.push(stackAt.get(from) ?? 0);
  }
  return { waits: Float64Array.from(waits), waitStarts: Float64Array.from(starts), waitStacks: Int32Array.from(stacks) };
}

/**
 * A thread's holds as the model records them: the holding intervals of its GIL track, each with
 * the stack of the drop that ends it and the stack of the wait just before it (where the GIL was asked for).
 */
export function holdsOf(gilTrack: StepTrack, end: number, drops: readonly Drop[], waitStackAt: ReadonlyMap<number, number> = new Map()): Holds {
  const dropStack = new Map(drops.map((d) => [d.time, d.stack]));
  const starts: number[] = [];
  const ends: number[] = [];
  const stacks: number[] = [];
  const acquiredIn: number[] = [];
  const { times, states } = gilTrack;
  for (let i = 0; i < states.length; i++) {
    if (states[i] !== GilState.holding) continue;
    const to = i + 1 < times.length ? times[i + 1] : end;
    starts.push(times[i]);
    ends.push(to);
    stacks.push(dropStack.get(to) ?? 0);
    acquiredIn.push(i > 0 && states[i - 1] === GilState.waiting ? (waitStackAt.get(times[i - 1]) ?? 0) : 0);
  }
  return { starts: Float64Array.from(starts), ends: Float64Array.from(ends), stacks: Int32Array.from(stacks), acquiredIn: Int32Array.from(acquiredIn) };
}

/**
 * Timeline + the real analysis' stats and verdict: what the CLI hands the exporters. With `cpus`,
 * the stats have what needs the CPU count (the no-GIL estimate, the run's time_split).
 */
export function makeSyntheticInput(options: SyntheticOptions & { cpus?: number } = {}, command = 'python3 seed_two_threads.py'): ReportInput {
  const timeline = makeSyntheticTimeline(options);
  const python = { executable: '/opt/python/3.12.1/bin/python3', version: '3.12.1', gil: 'enabled' as const };
  const processes = new Map(timeline.processes.map((p) => [p.pid, { command, python }]));
  const stats = computeStats(timeline, { events: 0, warnings: [], processes, ...(options.cpus ? { cpus: options.cpus } : {}) });
  return { timeline, stats, verdict: toVerdictText(computeVerdict(stats)) };
}
