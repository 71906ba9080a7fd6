import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTimeline } from '../model/build-timeline.js';
import { PythonStacks } from '../model/python-stacks.js';
import { GilState, type Timeline } from '../model/timeline.js';
import { ev } from '../../test/support/timeline-event-builders.js';
import { makeSyntheticTimeline } from '../../test/support/synthetic-timeline.js';
import { computeStats } from './compute-stats.js';
import { gilStepStacks } from './gil-step-stacks.js';

/** [state, stack] of every step of the thread's GIL track. */
function steps(timeline: Timeline, tid: number): [number, number][] {
  const thread = timeline.processes[0].threads.find((t) => t.tid === tid)!;
  const stacks = gilStepStacks(thread, timeline.stacks);
  return [...thread.gilTrack.states].map((s, i) => [s, stacks[i]]);
}

test('each GIL step gets the stack its hold or wait is charged to', () => {
  const s = new PythonStacks();
  const hot = s.intern('hot', '/app.py', 3, ['work']);
  const io = s.intern('read_all', '/app.py', 20, ['serve']);
  const noFrame = s.intern('', '', 0, []);
  const timeline = buildTimeline(
    [
      ev.enter(0, 101, 100, '100', hot),
      ev.ret(1, 101),
      ev.enter(11, 102, 100, '100', io),
      ev.drop(101, 101, 'forced', 100, hot), // caught in hot(): the hold is hot's, and so is the wait that follows
      ev.ret(102, 102),
      ev.enter(103, 101, 100, '100', hot),
      ev.drop(152, 102, 'voluntary', 100, noFrame), // released with no Python frame: charged where it asked (read_all)
      ev.ret(153, 101),
    ],
    { stacks: s, end: 210 },
  );
  const { none, waiting, holding } = GilState;
  assert.deepEqual(steps(timeline, 101), [
    [waiting, hot],
    [holding, hot],
    [waiting, hot],
    [holding, hot], // never released: charged where it asked for the GIL
  ]);
  assert.deepEqual(steps(timeline, 102), [
    [waiting, io],
    [holding, io],
    [none, 0],
  ]);
});

test('a recording without Python stacks gets 0 (unknown) everywhere', () => {
  const timeline = buildTimeline([ev.enter(0, 101), ev.ret(1, 101), ev.drop(5, 101)], { stacks: new PythonStacks(), end: 10 });
  assert.deepEqual(steps(timeline, 101), [
    [GilState.waiting, 0],
    [GilState.holding, 0],
    [GilState.none, 0],
  ]);
});

test('summed per function, the steps charge exactly what the function stats do', () => {
  const timeline = makeSyntheticTimeline({ handoffs: 120 });
  const process = timeline.processes[0];
  const held = new Map<string, number>();
  const waited = new Map<string, number>();
  for (const thread of process.threads) {
    const stacks = gilStepStacks(thread, timeline.stacks);
    const { times, states } = thread.gilTrack;
    for (let i = 0; i < states.length; i++) {
      const length = (i + 1 < times.length ? times[i + 1] : thread.end) - times[i];
      const name = timeline.functions[timeline.stacks[stacks[i]].leaf].name;
      const into = states[i] === GilState.holding ? held : states[i] === GilState.waiting ? waited : undefined;
      into?.set(name, (into.get(name) ?? 0) + length);
    }
  }
  const functions = computeStats(timeline, { events: 0, warnings: [], processes: new Map() }).processes[0].functions ?? [];
  assert.ok(functions.length >= 4);
  for (const f of functions) {
    assert.equal(held.get(f.name) ?? 0, f.held_ns, `${f.name} held`);
    assert.equal(waited.get(f.name) ?? 0, f.wait_ns, `${f.name} waited`);
  }
});
