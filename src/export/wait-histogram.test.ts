import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WAIT_HISTOGRAM_EDGES_NS, binOf } from './wait-histogram.js';

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
