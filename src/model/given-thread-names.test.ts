/**
 * Names giltrace gives attached processes' threads (AdapterOptions.threadNames, nameThread): they
 * go out as Python names right after perf says a thread exists, never make a thread on their own,
 * and a name found after the thread's records went by goes out with the next sample.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventType, PerfRecord } from '../perfdata/index.js';
import { TimelineEventAdapter } from './perf-to-timeline-events.js';
import type { TimelineEvent } from './timeline-events.js';

const OTHER_EVENT: EventType = { index: 0, name: 'cycles', system: '', tracepoint: '', fields: [], field: () => undefined };

function comm(time: number, pid: number, tid: number, name: string): PerfRecord {
  return { type: 'comm', time, pid, tid, comm: name, exec: false };
}

function fork(time: number, pid: number, tid: number): PerfRecord {
  return { type: 'fork', time, pid, ppid: pid, tid, ptid: pid };
}

function sample(time: number, pid: number, tid: number): PerfRecord {
  return { type: 'sample', time, event: OTHER_EVENT, pid, tid, cpu: 0, ip: 0 } as PerfRecord;
}

const names = (events: TimelineEvent[]) =>
  events.filter((e) => e.kind === 'thread_name').map((e) => (e.kind === 'thread_name' ? `${e.tid} ${e.source} ${e.name}` : ''));

test("the recording's names follow each thread's comm or fork record; another process's thread of the same id is left alone", () => {
  const adapter = new TimelineEventAdapter({ threadNames: [{ pid: 10, tid: 10, name: 'MainThread' }, { pid: 10, tid: 12, name: 'python3 (worker)' }, { pid: 10, tid: 13, name: 'python3 (never)' }] });
  const events = [...adapter.events([sample(1, 99, 99), comm(2, 10, 10, 'python3'), fork(3, 10, 12), comm(4, 11, 13, 'other'), sample(5, 10, 12)]), ...adapter.finish()];
  assert.deepEqual(names(events), ['10 os python3', '10 python MainThread', '12 python python3 (worker)', '13 os other']);
});

test('a name found later goes out with the next sample once the thread is known, else with its comm or fork', () => {
  const adapter = new TimelineEventAdapter({});
  const first = [...adapter.events([sample(1, 10, 10), comm(2, 10, 10, 'python3'), sample(3, 10, 10)])];
  assert.deepEqual(names(first), ['10 os python3']);
  adapter.nameThread({ pid: 10, tid: 10, name: 'MainThread' });
  adapter.nameThread({ pid: 10, tid: 14, name: 'python3 (late)' });
  const later = [...adapter.events([sample(4, 10, 10), fork(5, 10, 14)])];
  assert.deepEqual(names(later), ['10 python MainThread', '14 python python3 (late)']);
  assert.equal(later.find((e) => e.kind === 'thread_name' && e.tid === 10)?.time, 4);
});
