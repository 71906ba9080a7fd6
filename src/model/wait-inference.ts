/**
 * Inferred waits in the adapter: turns the scheduler samples of a scheduler-only recording
 * (`--call-graph dwarf`, no GIL probes; recording-kind.ts) into inferred_wait_start / inferred_wait_end events around each scheduler
 * TimelineEvent (see timeline-events.ts; the stack test itself is in gil-wait-scan.ts).
 *
 * A wait starts when a thread goes to sleep (sched_switch with prev_state S or D) with take_gil as
 * its innermost Python frame; the sample is taken in that thread's context, so its pid and user
 * stack are the thread's. A preempted (R) thread is left out, as python-gil-tracer does: it comes back
 * without a wakeup, so a per-process recording could not tell when its wait ended.
 *
 * The wait ends when the thread is woken (sched_waking) or switched in. A per-process recording
 * (python-gil-tracer's, no -a) only has events that happen in its own threads' context: a wakeup by a
 * timer or an untraced task, and most switch-ins, are missing. Then the first sample in the
 * thread's own context says it ran: if that is a switch-out back to sleep in take_gil, the thread
 * never left take_gil that anyone saw, so the same wait goes on (the 5 ms timed wait in take_gil
 * times out exactly so); otherwise the wait ends there, late by however long it ran (counted).
 */
import type { SampleRecord } from '../perfdata/index.js';
import type { CodeClassifier } from '../contract/mapped-code.js';
import { stackShowsGilWait, type AddressResolver } from './gil-wait-scan.js';
import type { TimelineEvent } from './timeline-events.js';

/** What wait inference counts (AdapterFacts has these fields). */
export interface WaitInferenceCounts {
  stackScans: number;
  sleepsInTakeGil: number;
  inferredWaits: number;
  inferredWaitsEndUnseen: number;
}

export class WaitInference {
  /** pid of every thread in an inferred wait, by tid. */
  private readonly waiting = new Map<number, number>();

  constructor(
    private readonly classify: CodeClassifier,
    private readonly resolve: (pid: number, address: number) => ReturnType<AddressResolver>,
    private readonly counts: WaitInferenceCounts,
  ) {}

  /** `event` (decoded from `sample`) with the inferred wait events it implies, in order. */
  *around(sample: SampleRecord, event: TimelineEvent): Generator<TimelineEvent> {
    const time = event.time;
    const startsWait = event.kind === 'switch' && this.showsWait(sample, event);
    if (startsWait) this.counts.sleepsInTakeGil++;
    const ownPid = this.waiting.get(sample.tid);
    let continues = false;
    if (ownPid !== undefined && sample.tid > 0) {
      // The waiting thread runs: its wakeup was not recorded.
      if (startsWait) continues = true;
      else {
        this.waiting.delete(sample.tid);
        this.counts.inferredWaitsEndUnseen++;
        yield { kind: 'inferred_wait_end', time, pid: ownPid, tid: sample.tid };
      }
    }
    yield event;
    const woken = event.kind === 'waking' ? event.tid : event.kind === 'switch' ? event.nextTid : 0;
    const wokenPid = woken > 0 ? this.waiting.get(woken) : undefined;
    if (wokenPid !== undefined) {
      this.waiting.delete(woken);
      yield { kind: 'inferred_wait_end', time, pid: wokenPid, tid: woken };
    }
    if (startsWait && !continues) {
      this.counts.inferredWaits++;
      this.waiting.set(sample.tid, sample.pid);
      yield { kind: 'inferred_wait_start', time, pid: sample.pid, tid: sample.tid, gil: `${sample.pid}` };
    }
  }

  threadExit(tid: number): void {
    this.waiting.delete(tid);
  }

  private showsWait(sample: SampleRecord, event: Extract<TimelineEvent, { kind: 'switch' }>): boolean {
    const stack = sample.userStack;
    const asleep = event.prevState === 'sleeping' || event.prevState === 'blocked';
    if (!stack || !asleep || event.prevTid <= 0 || sample.tid !== event.prevTid) return false;
    this.counts.stackScans++;
    const pid = sample.pid;
    return stackShowsGilWait(stack, (address) => this.resolve(pid, address), this.classify);
  }
}
