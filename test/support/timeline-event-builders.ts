/**
 * Tiny builders of TimelineEvents for tests (model/ and analysis/): synthetic sequences whose
 * truth is known exactly. Default process 100, GIL key '100' (the adapter's key for one GIL).
 */
import type { DropReason, SwitchOutState, TimelineEvent } from '../../src/model/timeline-events.js';

export const PID = 100;

export const ev = {
  enter: (time: number, tid: number, pid = PID, gil = `${pid}`, stack = 0): TimelineEvent => ({ kind: 'take_enter', time, pid, tid, gil, stack }),
  ret: (time: number, tid: number, pid = PID): TimelineEvent => ({ kind: 'take_return', time, pid, tid }),
  drop: (time: number, tid: number, reason: DropReason = 'voluntary', pid = PID, stack = 0): TimelineEvent => ({ kind: 'drop', time, pid, tid, reason, stack }),
  sw: (time: number, prevTid: number, prevState: SwitchOutState, nextTid: number, cpu = 0): TimelineEvent => ({
    kind: 'switch',
    time,
    cpu,
    prevTid,
    prevState,
    nextTid,
  }),
  wake: (time: number, tid: number): TimelineEvent => ({ kind: 'waking', time, tid }),
  start: (time: number, tid: number, pid = PID, parentPid = 1): TimelineEvent => ({ kind: 'thread_start', time, pid, tid, parentPid }),
  exit: (time: number, tid: number, pid = PID): TimelineEvent => ({ kind: 'thread_exit', time, pid, tid }),
  name: (time: number, tid: number, name: string, source: 'os' | 'python' = 'os', pid = PID): TimelineEvent => ({
    kind: 'thread_name',
    time,
    pid,
    tid,
    name,
    source,
  }),
  lost: (time: number, count: number): TimelineEvent => ({ kind: 'lost', time, count }),
};

/**
 * Two threads (101, 102) of process 100 passing the GIL back and forth with forced drops, each
 * on its own CPU from its switch-in (at 5 and 15) to its exit, releasing voluntarily at the end.
 * A forced drop starts a wait that the following take_enter continues. Truth, per thread (ns):
 *   101: life [0, 3500): none 10, wait 1, hold 989, wait 1003, hold 997, none 500
 *        → held 1986, wait 1004, none 510; waits [1, 1003]; 1 forced + 1 voluntary drop.
 *   102: life [0, 4100): none 20, wait 985, hold 995, wait 1002, hold 998, none 100
 *        → held 1993, wait 1987, none 120; waits [985, 1002]; 1 forced + 1 voluntary drop.
 *   hand-offs 101→102 5 ns, 102→101 3 ns, 101→102 2 ns; GIL held 3979 ns, contended 2983 ns.
 */
export function twoThreadsAlternating(): TimelineEvent[] {
  return [
    ev.start(0, 101),
    ev.start(0, 102),
    ev.sw(5, 0, 'runnable', 101, 0),
    ev.enter(10, 101),
    ev.ret(11, 101),
    ev.sw(15, 0, 'runnable', 102, 1),
    ev.enter(20, 102),
    ev.drop(1000, 101, 'forced'),
    ev.ret(1005, 102),
    ev.enter(1010, 101),
    ev.drop(2000, 102, 'forced'),
    ev.ret(2003, 101),
    ev.enter(2004, 102),
    ev.drop(3000, 101, 'voluntary'),
    ev.ret(3002, 102),
    ev.exit(3500, 101),
    ev.drop(4000, 102, 'voluntary'),
    ev.exit(4100, 102),
  ];
}
