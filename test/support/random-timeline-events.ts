/**
 * Random but time-ordered TimelineEvent streams for property tests: threads of two Python
 * processes, one process without GIL events and a thread never placed in a process, with every
 * event kind, equal timestamps, fractional times and lost events.
 */
import fc from 'fast-check';
import type { TimelineEvent } from '../../src/model/timeline-events.js';
import { TimelineBuilder } from '../../src/model/build-timeline.js';
import type { PythonStacks } from '../../src/model/python-stacks.js';
import type { Timeline } from '../../src/model/timeline.js';

/** Threads of two Python processes (100, 200), one of a process without GIL events (300), one never placed (400). */
const PID_OF: Record<number, number> = { 101: 100, 102: 100, 103: 100, 100: 100, 201: 200, 202: 200, 301: 300 };
const TIDS = [100, 101, 102, 103, 201, 202, 301, 400];
const GIL_TIDS = [100, 101, 102, 103, 201, 202];

export const randomSteps = fc.record({
  dt: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1000 }), fc.double({ min: 0, max: 50, noNaN: true })),
  kind: fc.constantFrom('enter', 'ret', 'drop', 'switch', 'waking', 'start', 'exit', 'name', 'lost'),
  tid: fc.constantFrom(...TIDS),
  gilTid: fc.constantFrom(...GIL_TIDS),
  other: fc.constantFrom(0, ...TIDS),
  prevState: fc.constantFrom('runnable', 'sleeping', 'blocked', 'dead'),
  reason: fc.constantFrom('forced', 'voluntary', 'unknown'),
  interp: fc.constantFrom('', '/b'),
  count: fc.integer({ min: 0, max: 5 }),
});
export type RandomStep = typeof randomSteps extends fc.Arbitrary<infer T> ? T : never;

/** Time-ordered, every tid in one process; `twoGils` lets a process use two interpreters. */
export function toEvents(steps: readonly RandomStep[], twoGils: boolean): TimelineEvent[] {
  let time = 0;
  return steps.map((s): TimelineEvent => {
    time += s.dt;
    const tid = s.gilTid;
    const pid = PID_OF[tid];
    switch (s.kind) {
      case 'enter':
        return { kind: 'take_enter', time, pid, tid, gil: `${pid}${twoGils ? s.interp : ''}`, stack: 0 };
      case 'ret':
        return { kind: 'take_return', time, pid, tid };
      case 'drop':
        return { kind: 'drop', time, pid, tid, reason: s.reason as 'forced', stack: 0 };
      case 'switch':
        return { kind: 'switch', time, cpu: 0, prevTid: s.tid, prevState: s.prevState as 'dead', nextTid: s.other };
      case 'waking':
        return { kind: 'waking', time, tid: s.tid };
      case 'start':
        return { kind: 'thread_start', time, pid: PID_OF[s.tid] ?? 0, tid: s.tid, parentPid: 1 };
      case 'exit':
        return { kind: 'thread_exit', time, pid: PID_OF[s.tid] ?? 0, tid: s.tid };
      case 'name':
        return { kind: 'thread_name', time, pid: PID_OF[s.tid] ?? 0, tid: s.tid, name: `n${s.count}`, source: s.count > 2 ? 'python' : 'os' };
      default:
        return { kind: 'lost', time, count: s.count };
    }
  });
}

/**
 * Whether a thread's process is told later than its first event, or a thread is named after its
 * end (a window that has it no more cannot say; perf names threads when they begin or exec):
 * its own name, or its process's main thread's, which a thread of no name of its own goes by
 * (freeze-timeline.ts; fast-check, seed 125075637: a thread ended, then the main thread named).
 */
export function namedLate(events: readonly TimelineEvent[]): boolean {
  const seen = new Map<number, number>();
  const named = new Set<number>();
  const ended = new Set<number>();
  const pidOf = new Map<number, number>();
  const ownName = new Set<number>();
  for (const e of events) {
    if ('pid' in e && 'tid' in e && e.pid > 0) pidOf.set(e.tid, e.pid);
    if (e.kind === 'thread_exit' || (e.kind === 'switch' && e.prevState === 'dead')) ended.add(e.kind === 'switch' ? e.prevTid : e.tid);
    if (e.kind === 'thread_start') ended.delete(e.tid);
    if (e.kind === 'thread_name' && ended.has(e.tid)) return true;
    if (e.kind === 'thread_name' && e.tid === e.pid && [...ended].some((t) => pidOf.get(t) === e.pid && !ownName.has(t))) return true;
    if (e.kind === 'thread_name') ownName.add(e.tid);
    const tids = e.kind === 'switch' ? [e.prevTid, e.nextTid] : 'tid' in e ? [e.tid] : [];
    for (const tid of tids) if (tid > 0 && !seen.has(tid)) seen.set(tid, e.time);
    if (!('pid' in e) || !('tid' in e) || !(e.pid > 0) || named.has(e.tid)) continue;
    if (seen.get(e.tid)! < e.time) return true;
    named.add(e.tid);
  }
  return false;
}

/**
 * A range of a random recording, from two fractions (0-1) of its span (a little past its end too),
 * in whole ns after its first event as the model has it (a name event has no time of its own
 * there); undefined when empty. `truth`: the timeline cut at its ends, made without windows:
 * the events before its end (names are not timed: those before the first event at the end
 * too), frozen from its start to its end (or the recording's, when it goes on past it).
 */
export function rangeOf(events: readonly TimelineEvent[], a: number, b: number) {
  const all = new TimelineBuilder();
  for (const event of events) all.add(event);
  if (all.firstTime !== all.firstTime) return undefined;
  const first = all.firstTime;
  const span = all.lastTime - first;
  const [from, to] = [Math.floor(Math.min(a, b) * span * 1.2), Math.ceil(Math.max(a, b) * span * 1.2)];
  if (!(to > from && from < span)) return undefined;
  const truth = (stacks: PythonStacks): Timeline => {
    const cut = new TimelineBuilder();
    for (const event of events) {
      if (event.time >= first + to && event.kind !== 'thread_name') break;
      cut.add(event);
    }
    // (absolute times compared, as the builder compares them: `to <= span` differs from it by a
    // rounding where times are not whole ns, as this generator's are)
    return cut.snapshot({ from: first + from, ...(first + to <= all.lastTime ? { end: first + to } : {}), stacks });
  };
  return { range: { from, to }, truth };
}
