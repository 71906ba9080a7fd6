import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTimeline } from '../model/build-timeline.js';
import { ev } from '../../test/support/timeline-event-builders.js';
import fc from 'fast-check';
import { randomSteps, toEvents } from '../../test/support/random-timeline-events.js';
import { CpuState, GilState, type ProcessTimeline, type StepTrack } from '../model/timeline.js';
import { ns } from './intervals.js';
import { estimateWithoutGil, noGilParts, type NoGilParts } from './no-gil-estimate.js';

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
  assert.deepEqual(noGilParts(process, 2).split, { heldNs: 100, freeNs: 0, idleNs: 0 });
  assert.equal(estimateWithoutGil(process, 1).estimatedNs, 100);
});

test('time when nobody wants to run (asleep without the GIL) stays as it was', () => {
  const events = [
    ev.start(0, 101), ev.sw(0, 0, 'runnable', 101, 0), ev.enter(0, 101), ev.ret(0, 101), ev.drop(10, 101, 'voluntary'),
    ev.sw(10, 101, 'sleeping', 0, 0), ev.wake(90, 101), ev.sw(90, 0, 'runnable', 101, 0), ev.exit(100, 101),
  ];
  const process = buildTimeline(events, { end: 100 }).processes[0];
  assert.deepEqual(estimateWithoutGil(process, 2), { measuredNs: 100, estimatedNs: 100, cpus: 2, pythonCpusWhileContended: 0 });
  assert.deepEqual(noGilParts(process, 2).split, { heldNs: 10, freeNs: 10, idleNs: 80 });
});

/**
 * The estimate by its definition, slowly: every thread's state looked up afresh between every
 * two boundaries of any track (times rounded to whole ns, as the sweep rounds them).
 */
function byDefinition(process: ProcessTimeline, cpus: number, from: number): NoGilParts {
  const start = Math.max(ns(process.start), ns(from));
  const end = ns(process.end);
  const threads = process.threads.filter((t) => t.gilTrack.times.length > 0 && t.cpuTrack.times.length > 0);
  const at = (track: StepTrack, time: number): number => {
    let i = 0;
    while (i + 1 < track.times.length && ns(track.times[i + 1]) <= time) i++;
    return track.states[i];
  };
  const bounds = [start, end, ...threads.flatMap((t) => [ns(t.start), ns(t.end), ...[...t.gilTrack.times, ...t.cpuTrack.times].map(ns)])]
    .filter((b) => b >= start && b <= end)
    .sort((a, b) => a - b);
  const parts = { measuredNs: end - start, estimatedNs: 0, contendedNs: 0, pythonWhileContendedNs: 0, split: { heldNs: 0, freeNs: 0, idleNs: 0 } };
  for (let k = 0; k + 1 < bounds.length; k++) {
    const [a, dt] = [bounds[k], bounds[k + 1] - bounds[k]];
    let [wanting, progressing, waiting, python, holding, free] = [0, 0, 0, 0, 0, 0];
    for (const t of threads) {
      if (a < ns(t.start) || a >= ns(t.end)) continue;
      const [gil, cpu] = [at(t.gilTrack, a), at(t.cpuTrack, a)];
      const onCpu = cpu === CpuState.running;
      if (gil !== GilState.none || onCpu || cpu === CpuState.runnable) wanting++;
      if (gil === GilState.holding || (onCpu && gil !== GilState.waiting)) progressing++;
      if (gil === GilState.waiting) waiting++;
      if (gil === GilState.holding && onCpu) python++;
      if (gil === GilState.holding) holding++;
      if (gil === GilState.none && onCpu) free++;
    }
    if (holding > 0) parts.split.heldNs += dt;
    else if (free > 0) parts.split.freeNs += dt;
    if (wanting === 0) parts.split.idleNs += dt;
    parts.estimatedNs += wanting === 0 ? dt : dt * Math.min(1, progressing / Math.min(wanting, cpus));
    if (waiting > 0) {
      parts.contendedNs += dt;
      parts.pythonWhileContendedNs += dt * python;
    }
  }
  return parts;
}

test('on random timelines, the sweep gives the estimate by its definition', () => {
  fc.assert(
    fc.property(fc.array(randomSteps, { maxLength: 200 }), fc.boolean(), fc.integer({ min: 1, max: 4 }), fc.double({ min: 0, max: 1, noNaN: true }), (steps, twoGils, cpus, cut) => {
      const timeline = buildTimeline(toEvents(steps, twoGils));
      for (const process of timeline.processes) {
        const from = cut < 0.2 ? -Infinity : process.start + cut * (process.end - process.start);
        const [sweep, definition] = [noGilParts(process, cpus, from), byDefinition(process, cpus, from)];
        assert.equal(sweep.measuredNs, definition.measuredNs);
        assert.equal(sweep.contendedNs, definition.contendedNs);
        assert.equal(sweep.pythonWhileContendedNs, definition.pythonWhileContendedNs);
        assert.deepEqual(sweep.split, definition.split);
        assert.ok(Math.abs(sweep.estimatedNs - definition.estimatedNs) <= 1e-9 * Math.max(1, definition.estimatedNs), `${sweep.estimatedNs} vs ${definition.estimatedNs}`);
      }
    }),
    { numRuns: 400 },
  );
});
