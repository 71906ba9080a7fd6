/**
 * Sanity bound on build speed, not a benchmark (bench/ measures): one million realistic events
 * (two threads passing the GIL, with scheduler events) must build at well over 100k events/s.
 * The bound is 10x below the target of 1 M events/s so that a loaded CI machine cannot flake it.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { performance } from 'node:perf_hooks';
import { buildTimeline } from './build-timeline.js';
import { ev } from '../../test/support/timeline-event-builders.js';
import type { TimelineEvent } from './timeline-events.js';

/** Two threads passing the GIL by forced switches, as CPython does: drop, wake, take, re-enter, sleep. */
function workload(count: number): TimelineEvent[] {
  const events: TimelineEvent[] = [ev.start(0, 101), ev.start(0, 102)];
  events.push(ev.sw(1, 0, 'runnable', 101, 0), ev.enter(2, 101), ev.ret(3, 101));
  events.push(ev.sw(4, 0, 'runnable', 102, 1), ev.enter(5, 102), ev.sw(6, 102, 'sleeping', 0, 1));
  let time = 10;
  let [a, b] = [101, 102];
  let [cpuA, cpuB] = [0, 1];
  while (events.length < count) {
    events.push(ev.drop(time, a, 'forced'), ev.wake(time + 1, b), ev.sw(time + 2, 0, 'runnable', b, cpuB));
    events.push(ev.ret(time + 3, b), ev.enter(time + 4, a), ev.sw(time + 5, a, 'sleeping', 0, cpuA));
    time += 5000;
    [a, b] = [b, a];
    [cpuA, cpuB] = [cpuB, cpuA];
  }
  return events;
}

it('builds one million events well above 100k events/s', (t) => {
  const events = workload(1_000_000);
  const began = performance.now();
  const timeline = buildTimeline(events);
  const seconds = (performance.now() - began) / 1000;
  const rate = events.length / seconds;
  t.diagnostic(`${events.length} events in ${seconds.toFixed(3)} s: ${(rate / 1e6).toFixed(2)} M events/s`);
  assert.equal(timeline.processes[0].threads.length, 2);
  assert.deepEqual(timeline.processes[0].anomalies, {});
  assert.ok(rate > 100_000, `only ${Math.round(rate)} events/s`);
});
