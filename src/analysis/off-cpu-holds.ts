/**
 * Why a thread held the GIL without running, split by cause: sleeping or blocked (the thread
 * went to sleep with the GIL: C code doing I/O or waiting without Py_BEGIN_ALLOW_THREADS) versus
 * runnable (preempted by the kernel while holding: more runnable threads than CPUs). Only the
 * first is a bug in the program; `held_off_cpu_ns` in the stats counts both.
 */
import { CpuState, GilState, type ProcessTimeline, type ThreadTimeline, type Timeline } from '../model/timeline.js';
import { intersect, intervalsInStates, intervalsNonZero, stateMask, totalLength } from './intervals.js';
import { jointTime, threadStateTimes } from './thread-state-times.js';

export interface OffCpuHold {
  readonly pid: number;
  readonly tid: number;
  readonly name: string;
  /** Held the GIL while sleeping or blocked. */
  readonly asleepNs: number;
  /** Part of `asleepNs` during which another thread waited for that GIL: the harm done. */
  readonly asleepContendedNs: number;
  /** Longest single stretch of holding while sleeping or blocked. */
  readonly longestAsleepNs: number;
  /** Held the GIL while runnable (preempted). */
  readonly preemptedNs: number;
}

export function computeOffCpuHolds(timeline: Timeline): OffCpuHold[] {
  const out: OffCpuHold[] = [];
  for (const process of timeline.processes) {
    for (const thread of process.threads) {
      const hold = offCpuHold(process, thread);
      if (hold) out.push(hold);
    }
  }
  return out;
}

function offCpuHold(process: ProcessTimeline, thread: ThreadTimeline): OffCpuHold | undefined {
  const times = threadStateTimes(thread);
  // no holding interval at all (an interval list has only intervals of positive length)
  if (times.gil[GilState.holding] === 0) return undefined;
  const asleepNs = jointTime(times, GilState.holding, stateMask(CpuState.sleeping, CpuState.blocked));
  return {
    pid: thread.pid,
    tid: thread.tid,
    name: thread.name,
    asleepNs,
    // the intervals only when there is something asleep to intersect (rare: a bug in the program)
    asleepContendedNs: asleepNs > 0 ? asleepContended(process, thread) : 0,
    longestAsleepNs: times.longestHeldAsleep,
    preemptedNs: jointTime(times, GilState.holding, stateMask(CpuState.runnable)),
  };
}

/** Time the thread held the GIL asleep while another thread waited for that GIL. */
function asleepContended(process: ProcessTimeline, thread: ThreadTimeline): number {
  const { start, end, gilTrack, cpuTrack } = thread;
  const holding = intervalsInStates(gilTrack.times, gilTrack.states, start, end, stateMask(GilState.holding));
  const asleep = intersect(
    holding,
    intervalsInStates(cpuTrack.times, cpuTrack.states, start, end, stateMask(CpuState.sleeping, CpuState.blocked)),
  );
  const gil = process.gils.find((g) => g.key === thread.gil);
  const someoneWaits = gil
    ? intervalsNonZero(gil.waiters.times, gil.waiters.counts, gil.waiters.times[0] ?? 0, process.end)
    : [];
  return totalLength(intersect(asleep, someoneWaits));
}
