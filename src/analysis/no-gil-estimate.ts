/**
 * How long a process's run would have taken without the GIL, on the same CPUs: an estimate from
 * the measured per-thread GIL × CPU states, for the verdict to say what the GIL costs.
 *
 * The model, instant by instant: k threads want to run (waiting for the GIL, on a CPU or
 * runnable, or holding the GIL), r of them make progress (on a CPU without waiting for the GIL,
 * or holding it: a thread asleep with the GIL is doing its work, its sleep). Without the GIL,
 * min(k, CPUs) of them would progress, so that stretch of time shrinks by r / min(k, CPUs); time
 * when nobody wants to run (everybody sleeping in I/O or a join) stays as it is.
 * What it assumes: the threads' work is the same without the GIL (a free-threaded build runs
 * one thread's Python somewhat slower), no other lock would serialize them, and I/O would take
 * as long as it did. It is a bound on what removing the GIL can give, not a promise.
 */
import type { ProcessTimeline, StepTrack } from '../model/timeline.js';
import { CpuState, GilState } from '../model/timeline.js';
import { ns } from './intervals.js';

export interface NoGilEstimate {
  /** The process's duration as recorded (ns). */
  readonly measuredNs: number;
  /** Estimated duration without the GIL on `cpus` CPUs (ns). */
  readonly estimatedNs: number;
  readonly cpus: number;
  /** Average number of threads running Python (holding the GIL on a CPU) while another waited: at most 1 per GIL. */
  readonly pythonCpusWhileContended: number;
}

/** A thread's two tracks, walked together: gi / ci index the entries in force at the sweep's time. */
interface Cursor {
  readonly gil: StepTrack;
  readonly cpu: StepTrack;
  readonly start: number;
  readonly end: number;
  gi: number;
  ci: number;
}

/** Wants = holding, waiting, or on/for a CPU; progresses = holding, or on a CPU without waiting. */
function stateAt(c: Cursor): { wants: boolean; progresses: boolean; runningPython: boolean; waiting: boolean } {
  const gil = c.gil.states[c.gi];
  const cpu = c.cpu.states[c.ci];
  const onCpu = cpu === CpuState.running;
  const wantsCpu = onCpu || cpu === CpuState.runnable;
  const waiting = gil === GilState.waiting;
  const holding = gil === GilState.holding;
  return { wants: waiting || holding || wantsCpu, progresses: holding || (onCpu && !waiting), runningPython: holding && onCpu, waiting };
}

export function estimateWithoutGil(process: ProcessTimeline, cpus: number): NoGilEstimate {
  const start = ns(process.start);
  const end = ns(process.end);
  const cursors: Cursor[] = process.threads
    .filter((t) => t.gilTrack.times.length > 0 && t.cpuTrack.times.length > 0)
    .map((t) => ({ gil: t.gilTrack, cpu: t.cpuTrack, start: ns(t.start), end: ns(t.end), gi: 0, ci: 0 }));
  let estimated = 0;
  let contended = 0;
  let pythonWhileContended = 0;
  let now = start;
  // a merge of every track's boundaries; with few threads a linear scan for the next one is cheapest
  for (;;) {
    let next = end;
    for (const c of cursors) {
      if (c.start > now && c.start < next) next = c.start;
      if (c.end > now && c.end < next) next = c.end;
      const g = c.gi + 1 < c.gil.times.length ? ns(c.gil.times[c.gi + 1]) : Infinity;
      const p = c.ci + 1 < c.cpu.times.length ? ns(c.cpu.times[c.ci + 1]) : Infinity;
      if (g < next) next = g;
      if (p < next) next = p;
    }
    if (next <= now) break;
    let wanting = 0;
    let progressing = 0;
    let waiting = 0;
    let python = 0;
    for (const c of cursors) {
      if (c.start > now || c.end <= now) continue;
      const s = stateAt(c);
      if (s.wants) wanting++;
      if (s.progresses) progressing++;
      if (s.waiting) waiting++;
      if (s.runningPython) python++;
    }
    const dt = next - now;
    const parallel = Math.min(wanting, cpus);
    estimated += wanting === 0 ? dt : dt * Math.min(1, progressing / parallel);
    if (waiting > 0) {
      contended += dt;
      pythonWhileContended += dt * python;
    }
    now = next;
    if (now >= end) break;
    for (const c of cursors) {
      while (c.gi + 1 < c.gil.times.length && ns(c.gil.times[c.gi + 1]) <= now) c.gi++;
      while (c.ci + 1 < c.cpu.times.length && ns(c.cpu.times[c.ci + 1]) <= now) c.ci++;
    }
  }
  return {
    measuredNs: end - start,
    estimatedNs: Math.round(estimated),
    cpus,
    pythonCpusWhileContended: contended > 0 ? pythonWhileContended / contended : 0,
  };
}
