/** The report's tracks at a coarser resolution: exact where a span has at most one change, the filling value where more. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DropThinner, resolutionFor, StepCoarsener, type CoarseSteps } from './coarse-steps.js';

/** A whole track at `resolution`, through the streaming coarsener. */
function coarsenSteps(steps: { times: Float64Array; values: ArrayLike<number>; extra?: ArrayLike<number> }, end: number, origin: number, resolution: number): CoarseSteps {
  const coarsener = new StepCoarsener(origin, resolution, steps.extra !== undefined);
  for (let i = 0; i < steps.times.length; i++) coarsener.push(steps.times[i], steps.values[i], steps.extra ? steps.extra[i] : 0);
  return coarsener.finish(end);
}

function thinDrops(times: Float64Array, flags: Uint8Array, origin: number, resolution: number, forced: number): { times: Float64Array; flags: Uint8Array } {
  const thinner = new DropThinner(origin, resolution, forced);
  for (let i = 0; i < times.length; i++) thinner.push(times[i], flags[i]);
  return thinner.finish();
}

/** The value of a step track at `time`. */
function valueAt(times: ArrayLike<number>, values: ArrayLike<number>, time: number): number {
  let value = values[0];
  for (let i = 0; i < times.length && times[i] <= time; i++) value = values[i];
  return value;
}

const track = fc
  .array(fc.record({ dt: fc.integer({ min: 1, max: 400 }), value: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 200 })
  .map((steps) => {
    let time = 1000;
    const times: number[] = [];
    const values: number[] = [];
    for (const s of steps) {
      if (values.length > 0 && values[values.length - 1] === s.value) continue;
      times.push(time);
      values.push(s.value);
      time += s.dt;
    }
    return { times: Float64Array.from(times), values, extra: values.map((v, i) => v * 1000 + i), end: time };
  });

describe('coarsenSteps', () => {
  it('keeps a track where no span has two changes, and shows what filled a span that has', () => {
    fc.assert(
      fc.property(track, fc.integer({ min: 1, max: 500 }), ({ times, values, extra, end }, resolution) => {
        const origin = 0;
        const coarse = coarsenSteps({ times, values, extra }, end, origin, resolution);
        assert.equal(coarse.times[0], times[0], 'begins where the track does');
        for (let i = 1; i < coarse.times.length; i++) {
          assert.ok(coarse.times[i] > coarse.times[i - 1], 'times rise');
          assert.notEqual(coarse.values[i], coarse.values[i - 1], 'no repeated value');
        }
        const spans = new Map<number, number>();
        for (const t of times) spans.set(Math.floor(t / resolution), (spans.get(Math.floor(t / resolution)) ?? 0) + 1);
        assert.ok(coarse.times.length <= 2 * spans.size + 1, 'at most two steps a span with a change');
        for (let t = times[0]; t < end; t += 0.5) {
          const span = Math.floor(t / resolution);
          if ((spans.get(span) ?? 0) >= 2) {
            // the filling value: at least as much of the span as any other value
            const from = Math.max(span * resolution, times[0]);
            const to = Math.min((span + 1) * resolution, end);
            const share = new Map<number, number>();
            for (let u = from; u < to; u += 0.5) share.set(valueAt(times, values, u), (share.get(valueAt(times, values, u)) ?? 0) + 1);
            const shown = valueAt(coarse.times, coarse.values, t);
            assert.ok((share.get(shown) ?? 0) >= Math.max(...share.values()), `span ${span} shows what filled it`);
          } else {
            assert.equal(valueAt(coarse.times, coarse.values, t), valueAt(times, values, t), `exact at ${t} (span ${span})`);
          }
        }
        for (let i = 0; i < coarse.times.length; i++) {
          assert.equal(Math.floor(coarse.extra![i] / 1000), coarse.values[i], 'the extra of a step of that value');
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('thinDrops', () => {
  it('keeps one drop a span, a forced one first', () => {
    const thin = thinDrops(Float64Array.of(1, 2, 3, 12, 25, 26), Uint8Array.of(2, 3, 2, 2, 2, 3), 0, 10, 1);
    assert.deepEqual([...thin.times], [2, 12, 26]);
    assert.deepEqual([...thin.flags], [3, 2, 3]);
  });
});

describe('resolutionFor', () => {
  it('none when everything fits; else the finest power of two that fits the budget', () => {
    const every = (n: number, step: number) => Float64Array.from({ length: n }, (_, i) => i * step);
    assert.equal(resolutionFor([every(10, 100)], 0, 100), undefined);
    const columns = [every(1000, 1000), every(1000, 1000)];
    const resolution = resolutionFor(columns, 0, 100)!;
    const kept = (r: number) => columns.reduce((sum, c) => sum + Math.min(c.length, 2 * new Set(Array.from(c, (t) => Math.floor(t / r))).size + 1), 0);
    assert.ok(kept(resolution) <= 100, 'fits');
    assert.ok(kept(resolution / 2) > 100, 'the finest that does');
  });
});
