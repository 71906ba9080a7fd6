import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTimeline } from '../model/build-timeline.js';
import { ev, twoThreadsAlternating } from '../../test/support/timeline-event-builders.js';
import { WAIT_HISTOGRAM_EDGES_NS, binOf, computeWaitHistogram } from './wait-histogram.js';

test('bins are [edge_i, edge_i+1), quarter decades from 100 ns to 100 s', () => {
  const edges = WAIT_HISTOGRAM_EDGES_NS;
  assert.equal(edges[0], 100);
  assert.equal(edges[4], 1000);
  assert.equal(edges.at(-1), 1e11);
  for (let i = 0; i < edges.length - 1; i++) {
    assert.equal(binOf(edges[i]), i);
    assert.equal(binOf(edges[i + 1] - 1), i);
  }
  assert.equal(binOf(0), 0);
  assert.equal(binOf(5), 0);
  assert.equal(binOf(1e15), edges.length - 2);
});

test('counts and totals per bin, from every wait of the thread; none for a thread that never waited', () => {
  const [t101, t102] = buildTimeline(twoThreadsAlternating()).processes[0].threads;
  // waits: 101 → 1 and 1003 ns, 102 → 985 and 1002 ns
  const h101 = computeWaitHistogram(t101)!;
  assert.deepEqual([h101.pid, h101.tid], [100, 101]);
  assert.deepEqual([h101.counts[binOf(1)], h101.counts[binOf(1003)], h101.counts.reduce((a, b) => a + b)], [1, 1, 2]);
  assert.deepEqual([h101.totalNs[binOf(1)], h101.totalNs[binOf(1003)]], [1, 1003]);
  const h102 = computeWaitHistogram(t102)!;
  assert.deepEqual([h102.counts[3], h102.counts[4], h102.totalNs[3], h102.totalNs[4]], [1, 1, 985, 1002]);
  assert.equal(computeWaitHistogram(buildTimeline([ev.ret(0, 101)]).processes[0].threads[0]), undefined);
});
