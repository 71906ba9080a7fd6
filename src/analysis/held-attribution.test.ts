import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NO_STACK_SAMPLE, type ThreadHolderSamples } from '../model/holder-samples.js';
import { CpuState } from '../model/timeline.js';
import { HeldAttribution, newHoldParts, type HeldTime } from './held-attribution.js';

const WORK = 10;
const RELEASE = 11;
const OTHER = 12;

function samples(list: readonly [time: number, stack: number, line?: number][], weight = 4): ThreadHolderSamples {
  return {
    times: Float64Array.from(list, ([t]) => t), stacks: Int32Array.from(list, ([, s]) => s), weights: Float64Array.from(list, () => weight),
    lines: Int32Array.from(list, ([, , line]) => line ?? 0),
  };
}

/** Holds given as [from, to, othersWaited, ended in], each in one part. */
function attribution(holds: readonly [number, number, number, number][], given: ThreadHolderSamples | undefined, ticked = { from: 0, to: 1000 }): HeldAttribution {
  const a = new HeldAttribution(given, given ? ticked : undefined);
  const contention = Float64Array.from(holds.flatMap(([from, to, waited]) => (waited > 0 ? [from, from + waited] : [])));
  for (const [from, to, waited, stack] of holds) {
    const parts = newHoldParts();
    a.part(from, to, waited, contention.length > 0 ? contention : undefined, parts);
    a.hold(stack, parts);
  }
  return a;
}

/** What each stack was charged, its lines' parts summed. */
function charged(threads: HeldAttribution[]): Map<number, HeldTime> {
  const out = new Map<number, HeldTime>();
  HeldAttribution.charge(threads, (stack, t) => {
    const into = out.get(stack) ?? { held: 0, othersWaited: 0 };
    out.set(stack, { held: into.held + t.held, othersWaited: into.othersWaited + t.othersWaited });
  });
  return out;
}

/** What each (stack, line) was charged, as `stack:line`. */
function chargedByLine(threads: HeldAttribution[]): Map<string, HeldTime> {
  const out = new Map<string, HeldTime>();
  HeldAttribution.charge(threads, (stack, t, line) => out.set(`${stack}:${line}`, { ...t }));
  return out;
}

describe('HeldAttribution', () => {
  it("shares a stack's time by the lines its samples ran; holds charged where they ended have none", () => {
    // one hold [0, 16) sampled at work() line 5 three times, line 7 once; one [20, 24) before any tick
    const given = samples([[1, WORK, 5], [3, WORK, 7], [6, WORK, 5], [9, WORK, 5]]);
    const out = chargedByLine([attribution([[0, 16, 0, RELEASE], [20, 24, 0, OTHER]], given, { from: 0, to: 18 })]);
    assert.deepEqual(out, new Map([
      [`${WORK}:5`, { held: 12, othersWaited: 0 }],
      [`${WORK}:7`, { held: 4, othersWaited: 0 }],
      [`${OTHER}:0`, { held: 4, othersWaited: 0 }],
    ]));
  });

  it('without samples, every hold goes where it ended, exactly', () => {
    const out = charged([attribution([[0, 7, 3, RELEASE], [10, 15, 0, OTHER]], undefined)]);
    assert.deepEqual(out, new Map([[RELEASE, { held: 7, othersWaited: 3 }], [OTHER, { held: 5, othersWaited: 0 }]]));
  });

  it('with samples, the held time is shared by what they saw, in total the exact time', () => {
    // two holds ending in release(); the samples inside them saw work() three times, release() once
    const given = samples([[1, WORK], [3, WORK], [12, WORK], [14, RELEASE], [20, OTHER]]);
    const out = charged([attribution([[0, 8, 8, RELEASE], [10, 16, 6, RELEASE]], given)]);
    assert.deepEqual([...out.keys()].sort(), [WORK, RELEASE]);
    assert.equal(out.get(WORK)!.held, 14 * 0.75);
    assert.equal(out.get(RELEASE)!.held, 14 * 0.25);
    assert.equal(out.get(WORK)!.othersWaited, 14 * 0.75);
    // the sample at 20 fell in no hold: it says nothing
    assert.equal(out.get(OTHER), undefined);
  });

  it('the time others waited goes by the samples taken while they did, the rest by the others', () => {
    // others waited for [0, 4) only: the sample at 1 saw work() then, the ones at 5 and 7 other()
    const given = samples([[1, WORK], [5, OTHER], [7, OTHER]]);
    const out = charged([attribution([[0, 8, 4, RELEASE]], given)]);
    assert.deepEqual(out.get(WORK), { held: 4, othersWaited: 4 });
    assert.deepEqual(out.get(OTHER), { held: 4, othersWaited: 0 });
  });

  it('holds outside the ticks go where they ended; a pool of threads shares its samples', () => {
    const ticked = { from: 100, to: 1000 };
    // before the first tick: where it ended, samples or not
    const early = attribution([[0, 10, 0, RELEASE], [200, 210, 0, RELEASE]], samples([[205, WORK]]), ticked);
    // a short thread without a sample of its own: the pool's samples share its time too
    const short = attribution([[300, 302, 0, RELEASE]], samples([]), ticked);
    const out = charged([early, short]);
    assert.deepEqual(out.get(RELEASE), { held: 10, othersWaited: 0 });
    assert.deepEqual(out.get(WORK), { held: 12, othersWaited: 0 });
    // alone, the short thread's hold is charged where it ended
    assert.deepEqual(charged([short]).get(RELEASE), { held: 2, othersWaited: 0 });
  });

  it("samples that read no stack stand for their time, which goes where the holds ended", () => {
    const given = samples([[1, WORK], [3, NO_STACK_SAMPLE], [12, NO_STACK_SAMPLE], [14, WORK]]);
    const out = charged([attribution([[0, 8, 0, RELEASE], [10, 18, 0, OTHER]], given)]);
    assert.deepEqual(out.get(WORK), { held: 8, othersWaited: 0 });
    // the other half, by where the holds ended (as long each)
    assert.deepEqual(out.get(RELEASE), { held: 4, othersWaited: 0 });
    assert.deepEqual(out.get(OTHER), { held: 4, othersWaited: 0 });
  });

  it('a hold in parts (cut by windows) is one hold', () => {
    const a = new HeldAttribution(samples([[2, WORK], [6, WORK]]), { from: 0, to: 100 });
    const parts = newHoldParts();
    a.part(0, 4, 0, undefined, parts);
    a.part(4, 8, 0, undefined, parts);
    a.hold(RELEASE, parts);
    assert.deepEqual(charged([a]), new Map([[WORK, { held: 8, othersWaited: 0 }]]));
    assert.equal(a.samplesInHolds, 2);
  });

  it("shares each part of the held time (the holder running, asleep, waiting for a CPU) by the samples taken in it", () => {
    // one hold [0, 100 µs): asleep [0, 60), waiting for a CPU [60, 80) after the wakeup, running
    // [80, 100); the ticks came late while it ran (a sampler on busy CPUs): one sample asleep,
    // one waiting, four running
    const us = 1000;
    const cpu = { times: Float64Array.of(0, 60 * us, 80 * us), states: Uint8Array.of(CpuState.sleeping, CpuState.runnable, CpuState.running) };
    const given = samples([[30 * us, WORK, 1], [70 * us, WORK, 1], [82 * us, WORK, 2], [86 * us, WORK, 2], [90 * us, WORK, 2], [95 * us, WORK, 2]]);
    const a = new HeldAttribution(given, { from: 0, to: 1000 * us });
    const parts = newHoldParts();
    a.part(0, 100 * us, 0, undefined, parts, cpu, { asleep: 60 * us, asleepOthersWaited: 0, preempted: 20 * us, preemptedOthersWaited: 0 });
    a.hold(RELEASE, parts);
    // pooled, line 2 would have had 4/6 of it
    assert.deepEqual(chargedByLine([a]), new Map([
      [`${WORK}:1`, { held: 80 * us, othersWaited: 0 }],
      [`${WORK}:2`, { held: 20 * us, othersWaited: 0 }],
    ]));
    assert.deepEqual(a.asleepAt(), { stack: WORK, line: 1 });
  });

  it("a holder preempted just before a sample was preempted by the sampler's tick: the sample is of it running", () => {
    const us = 1000;
    // running, then preempted 10 µs before the sample at 50 µs (the tick took its CPU), running again
    const cpu = { times: Float64Array.of(0, 40 * us, 60 * us), states: Uint8Array.of(CpuState.running, CpuState.runnable, CpuState.running) };
    const a = new HeldAttribution(samples([[50 * us, WORK, 2], [80 * us, WORK, 3]]), { from: 0, to: 1000 * us });
    const parts = newHoldParts();
    a.part(0, 100 * us, 0, undefined, parts, cpu, { asleep: 0, asleepOthersWaited: 0, preempted: 20 * us, preemptedOthersWaited: 0 });
    a.hold(RELEASE, parts);
    // both samples are of running code: they share all of it (a part without a sample of its own goes by the others)
    assert.deepEqual(chargedByLine([a]), new Map([
      [`${WORK}:2`, { held: 50 * us, othersWaited: 0 }],
      [`${WORK}:3`, { held: 50 * us, othersWaited: 0 }],
    ]));
  });

  it('the time others waited goes by the samples that saw them wait, in each CPU part', () => {
    // [0, 10) asleep with a waiter (sample: line 1), [10, 20) running alone (sample: line 2)
    const cpu = { times: Float64Array.of(0, 10), states: Uint8Array.of(CpuState.sleeping, CpuState.running) };
    const a = new HeldAttribution(samples([[5, WORK, 1], [15, WORK, 2]]), { from: 0, to: 100 });
    const parts = newHoldParts();
    a.part(0, 20, 10, Float64Array.of(0, 10), parts, cpu, { asleep: 10, asleepOthersWaited: 10, preempted: 0, preemptedOthersWaited: 0 });
    a.hold(RELEASE, parts);
    assert.deepEqual(chargedByLine([a]), new Map([
      [`${WORK}:1`, { held: 10, othersWaited: 10 }],
      [`${WORK}:2`, { held: 10, othersWaited: 0 }],
    ]));
  });
});
