import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTimeline } from '../model/build-timeline.js';
import { ev } from '../../test/support/timeline-event-builders.js';
import { estimateWithoutGil } from './no-gil-estimate.js';

/** Two CPU-bound threads taking turns with the GIL every 10 ns for 100 ns, the waiter asleep in take_gil. */
function alternating() {
  const events = [ev.start(0, 101), ev.start(0, 102), ev.sw(0, 0, 'runnable', 101, 0), ev.sw(0, 0, 'runnable', 102, 1), ev.enter(0, 101), ev.ret(0, 101), ev.enter(0, 102), ev.sw(0, 102, 'sleeping', 0, 1)];
  let holder = 101;
  for (let t = 10; t < 100; t += 10) {
    const other = holder === 101 ? 102 : 101;
    events.push(ev.drop(t, holder, 'forced'), ev.wake(t, other), ev.sw(t, 0, 'runnable', other, other === 101 ? 0 : 1), ev.ret(t, other));
    events.push(ev.enter(t, holder), ev.sw(t, holder, 'sleeping', 0, holder === 101 ? 0 : 1));
    holder = other;
  }
  events.push(ev.drop(100, holder, 'voluntary'), ev.exit(100, 101), ev.exit(100, 102));
  return buildTimeline(events, { end: 100 }).processes[0];
}

test('two threads that take turns: without the GIL they run side by side on 2 CPUs, no faster on 1', () => {
  const process = alternating();
  assert.deepEqual(estimateWithoutGil(process, 2), { measuredNs: 100, estimatedNs: 50, cpus: 2, pythonCpusWhileContended: 1 });
  assert.equal(estimateWithoutGil(process, 1).estimatedNs, 100);
});

test('time when nobody wants to run (asleep without the GIL) stays as it was', () => {
  const events = [
    ev.start(0, 101), ev.sw(0, 0, 'runnable', 101, 0), ev.enter(0, 101), ev.ret(0, 101), ev.drop(10, 101, 'voluntary'),
    ev.sw(10, 101, 'sleeping', 0, 0), ev.wake(90, 101), ev.sw(90, 0, 'runnable', 101, 0), ev.exit(100, 101),
  ];
  const process = buildTimeline(events, { end: 100 }).processes[0];
  assert.deepEqual(estimateWithoutGil(process, 2), { measuredNs: 100, estimatedNs: 100, cpus: 2, pythonCpusWhileContended: 0 });
});
