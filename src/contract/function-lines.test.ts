import assert from 'node:assert/strict';
import { it } from 'node:test';
import { shareLowerBound } from './function-lines.js';

it("shareLowerBound: the least a share can be from its samples, at 95 % (Wilson's interval)", () => {
  // from a few samples, not much: a line seen 5 times of 8, or every time of 1
  assert.equal(shareLowerBound(5 / 8, 8).toFixed(3), '0.306');
  assert.equal(shareLowerBound(1, 1).toFixed(3), '0.207');
  // from many, close to the share
  assert.equal(shareLowerBound(0.643, 245).toFixed(3), '0.581');
  assert.equal(shareLowerBound(0.97, 130).toFixed(3), '0.925');
  // never below 0; nothing without samples
  assert.equal(shareLowerBound(0, 10), 0);
  assert.equal(shareLowerBound(0.9, 0), 0);
});
