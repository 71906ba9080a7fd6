import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTimeline } from '../model/build-timeline.js';
import { ev, twoThreadsAlternating } from '../../test/support/trace-event-builders.js';
import { computeWaitHistograms, log2Bin } from './wait-histogram.js';

describe('wait histograms', () => {
  it('log2 bins: [0,2) then [2^k, 2^(k+1))', () => {
    assert.deepEqual([0, 1, 1.99, 2, 3, 4, 1023, 1024, 2 ** 45].map(log2Bin), [0, 0, 0, 1, 1, 2, 9, 10, 40]);
    for (let k = 1; k < 40; k++) {
      assert.equal(log2Bin(2 ** k), k);
      assert.equal(log2Bin(2 ** k - 2 ** (k - 30)), k - 1);
    }
  });

  it('shared edges cut to the used range; counts and totals per thread', () => {
    const result = computeWaitHistograms(buildTimeline(twoThreadsAlternating()));
    // waits: 101 → [1, 1003], 102 → [985, 1002]: bins 0 and 9.
    assert.equal(result.edgesNs.length, 11);
    assert.deepEqual(result.edgesNs.slice(0, 3), [0, 2, 4]);
    assert.equal(result.edgesNs[10], 1024);
    const [h101, h102] = result.histograms;
    assert.equal(h101.tid, 101);
    assert.deepEqual([h101.counts[0], h101.counts[9], h101.counts.reduce((a, b) => a + b)], [1, 1, 2]);
    assert.deepEqual([h101.totalNs[0], h101.totalNs[9]], [1, 1003]);
    assert.deepEqual([h102.counts[9], h102.totalNs[9]], [2, 985 + 1002]);
  });

  it('no waits: no bins', () => {
    assert.deepEqual(computeWaitHistograms(buildTimeline([ev.ret(0, 101)])), { edgesNs: [], histograms: [] });
  });
});
