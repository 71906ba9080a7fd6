/**
 * Timelines built directly through the model's types, for export tests and bench/ until real
 * recordings flow through the pipeline. The shape mimics `seed_two_threads.py`: a main thread
 * that starts the workers and joins them (mostly without the GIL), and two CPU-bound workers
 * that hand the GIL back and forth at every switch interval, with forced drops, a few
 * voluntary ones (blocking I/O), wake-up latency (runnable) before each take.
 */
import { computeStats, computeVerdict } from '../../src/analysis/index.js';
import type { ReportInput } from '../../src/export/report-input.js';
import { seededRandom } from './seeded-random.js';
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
  /** GIL hand-offs between the two workers (each adds one holding + one waiting interval). */
  readonly handoffs?: number;
  /** Mean holding time per turn, ns (CPython's default switch interval is 5 ms). */
  readonly switchNs?: number;
  readonly seed?: number;
  readonly pid?: number;
  readonly mainThreadName?: string;
}

export const SYNTHETIC_TIME_BASE_NS = 1_892_307_303_260_123n;

/** 3 threads of one process: MainThread mostly without the GIL, two workers fighting for it. */
export function makeSyntheticTimeline(options: SyntheticOptions = {}): Timeline {
  const handoffs = options.handoffs ?? 40;
  const switchNs = options.switchNs ?? 5_000_000;
  const pid = options.pid ?? 4242;
  const rand = seededRandom(options.seed ?? 7);
  const jitter = (mean: number, spread: number) => Math.round(mean * (1 - spread + 2 * spread * rand()));

  const main = { gil: new StepTrackBuilder(), cpu: new StepTrackBuilder(), drops: [] as Drop[] };
  const workers = [0, 1].map(() => ({ gil: new StepTrackBuilder(), cpu: new StepTrackBuilder(), drops: [] as Drop[] }));
  const tids = [pid + 1, pid + 2];

  // Main thread: imports and starts workers holding the GIL, then joins them (sleeping, no GIL).
  main.gil.push(0, GilState.holding);
  main.cpu.push(0, CpuState.running);
  const mainDrop = 2_000_000;
  main.gil.push(mainDrop, GilState.none);
  main.drops.push({ time: mainDrop, tid: pid, forced: false, known: true, stack: 0 });
  main.cpu.push(mainDrop + 3_000, CpuState.sleeping);

  // Worker 0 was started at 1.5 ms and waits for the main thread's drop; worker 1 starts later.
  const starts = [1_500_000, 2_400_000];
  workers[0].cpu.push(starts[0], CpuState.running);
  workers[0].gil.push(starts[0] + 2_000, GilState.waiting);
  workers[0].cpu.push(starts[0] + 4_000, CpuState.sleeping);
  workers[0].cpu.push(mainDrop, CpuState.runnable);
  let now = mainDrop + 25_000;
  workers[0].gil.push(now, GilState.holding);
  workers[0].cpu.push(now, CpuState.running);
  workers[1].cpu.push(starts[1], CpuState.running);
  workers[1].gil.push(starts[1] + 1_500, GilState.waiting);
  workers[1].cpu.push(starts[1] + 3_000, CpuState.sleeping);

  let holder = 0;
  for (let i = 0; i < handoffs; i++) {
    const h = workers[holder];
    const o = workers[1 - holder];
    const dropAt = Math.max(now + jitter(switchNs, 0.1), starts[1] + 10_000);
    const forced = i % 50 !== 49;
    const handoff = jitter(30_000, 0.7);
    h.gil.push(dropAt, GilState.none);
    h.drops.push({ time: dropAt, tid: tids[holder], forced, known: true, stack: 0 });
    o.cpu.push(dropAt, CpuState.runnable);
    o.cpu.push(dropAt + handoff, CpuState.running);
    o.gil.push(dropAt + handoff, GilState.holding);
    if (forced) {
      h.gil.push(dropAt + 1_000, GilState.waiting);
      h.cpu.push(dropAt + 2_000, CpuState.sleeping);
    } else {
      const io = Math.min(1_000_000, Math.round(switchNs / 2));
      h.cpu.push(dropAt + 500, CpuState.blocked);
      h.cpu.push(dropAt + 500 + io, CpuState.running);
      h.gil.push(dropAt + 600 + io, GilState.waiting);
      h.cpu.push(dropAt + 1_600 + io, CpuState.sleeping);
    }
    now = dropAt + handoff;
    holder = 1 - holder;
  }

  // Finish: the holder drops and exits, the other takes once more, drops and exits; main joins.
  const ends = [0, 0];
  const lastDrop = now + jitter(switchNs, 0.1);
  const h = workers[holder];
  const o = workers[1 - holder];
  h.gil.push(lastDrop, GilState.none);
  h.drops.push({ time: lastDrop, tid: tids[holder], forced: false, known: true, stack: 0 });
  ends[holder] = lastDrop + 10_000;
  o.cpu.push(lastDrop, CpuState.runnable);
  o.cpu.push(lastDrop + 20_000, CpuState.running);
  o.gil.push(lastDrop + 20_000, GilState.holding);
  const finalDrop = lastDrop + 20_000 + jitter(switchNs / 2, 0.1);
  o.gil.push(finalDrop, GilState.none);
  o.drops.push({ time: finalDrop, tid: tids[1 - holder], forced: false, known: false, stack: 0 });
  ends[1 - holder] = finalDrop + 10_000;
  const joined = Math.max(...ends);
  main.cpu.push(joined, CpuState.runnable);
  main.cpu.push(joined + 15_000, CpuState.running);
  main.gil.push(joined + 15_000, GilState.waiting);
  main.gil.push(joined + 18_000, GilState.holding);
  const end = joined + 600_000;

  const threads: ThreadTimeline[] = [
    thread(pid, pid, options.mainThreadName ?? 'MainThread', 0, end, main),
    thread(pid, tids[0], 'Thread-1 (worker)', starts[0], ends[0], workers[0]),
    thread(pid, tids[1], 'Thread-2 (worker)', starts[1], ends[1], workers[1]),
  ];
  const key = `${pid}:0x7f3a2c1e4b40`;
  return {
    timeBaseNs: SYNTHETIC_TIME_BASE_NS,
    start: 0,
    end,
    lostEvents: 0,
    processes: [{ pid, start: 0, end, threads, gils: [deriveGil(key, pid, threads)], anomalies: {} }],
    functions: [],
    stacks: [],
  };
}

function thread(
  pid: number,
  tid: number,
  name: string,
  start: number,
  end: number,
  b: { gil: StepTrackBuilder; cpu: StepTrackBuilder; drops: Drop[] },
): ThreadTimeline {
  const key = `${pid}:0x7f3a2c1e4b40`;
  const gilTrack = b.gil.build();
  const { durations } = spans(gilTrack, end, 3);
  const waits = Float64Array.from(durations[GilState.waiting]);
  return {
    pid, tid, name, start, end, gil: key, gilTrack, cpuTrack: b.cpu.build(), drops: b.drops,
    acquisitions: durations[GilState.holding].length,
    waits, waitStarts: new Float64Array(waits.length), waitStacks: new Int32Array(waits.length), holds: holdsOf(gilTrack, end, b.drops),
  };
}

/** A thread's holds as the model records them: the holding intervals of its GIL track, each with the stack of the drop that ends it. */
export function holdsOf(gilTrack: StepTrack, end: number, drops: readonly Drop[]): Holds {
  const starts: number[] = [];
  const ends: number[] = [];
  const stacks: number[] = [];
  for (let i = 0; i < gilTrack.states.length; i++) {
    if (gilTrack.states[i] !== GilState.holding) continue;
    const to = i + 1 < gilTrack.times.length ? gilTrack.times[i + 1] : end;
    starts.push(gilTrack.times[i]);
    ends.push(to);
    stacks.push(drops.find((d) => d.time === to)?.stack ?? 0);
  }
  return { starts: Float64Array.from(starts), ends: Float64Array.from(ends), stacks: Int32Array.from(stacks), acquiredIn: new Int32Array(stacks.length) };
}

/** Timeline + the real analysis' stats and verdict: what the CLI hands the exporters. */
export function makeSyntheticInput(options: SyntheticOptions = {}, command = 'python3 seed_two_threads.py'): ReportInput {
  const timeline = makeSyntheticTimeline(options);
  const python = { executable: '/opt/python/3.12.1/bin/python3', version: '3.12.1', gil: 'enabled' as const };
  const processes = new Map(timeline.processes.map((p) => [p.pid, { command, python }]));
  const stats = computeStats(timeline, { events: 0, warnings: [], processes });
  return { timeline, stats, verdict: computeVerdict(stats) };
}

function spans(track: StepTrack, end: number, states: number) {
  const totals = new Array<number>(states).fill(0);
  const durations = Array.from({ length: states }, () => [] as number[]);
  for (let i = 0; i < track.states.length; i++) {
    const d = (i + 1 < track.times.length ? track.times[i + 1] : end) - track.times[i];
    totals[track.states[i]] += d;
    durations[track.states[i]].push(d);
  }
  return { totals, durations };
}
