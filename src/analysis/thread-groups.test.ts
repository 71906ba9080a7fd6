import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ThreadStats } from '../contract/stats.js';
import { computeThreadGroups } from './thread-groups.js';

function thread(tid: number, name: string, held: number): ThreadStats {
  return {
    tid, name, lifetime_ns: 100, held_ns: held, wait_ns: 10, no_gil_ns: 90 - held, held_off_cpu_ns: 0, held_asleep_ns: 0, running_ns: 90,
    runnable_ns: 0, sleeping_ns: 0, blocked_ns: 0, active_ns: 100, acquisitions: 1,
    wait: { count: 1, p50_ns: 10, p95_ns: 10, p99_ns: 10, max_ns: 10 + tid }, drops: { forced: 0, voluntary: 1 },
  };
}

test('threads whose names differ only in numbers group under the pattern; the main thread never does', () => {
  const groups = computeThreadGroups([thread(1, 'worker-1', 5), thread(2, 'worker-2', 7), thread(3, 'worker-3', 1), thread(4, 'MainThread', 50)], 3);
  assert.deepEqual(groups.map((g) => [g.name, g.tids]), [['worker-*', [1, 2]]]);
  assert.equal(groups[0].held_ns, 12);
  assert.equal(groups[0].max_wait_ns, 12);
});

test('threads that all have one name (an attached pool: python3 (_worker)) group under that name, not its pattern', () => {
  const groups = computeThreadGroups([thread(11, 'python3 (_worker)', 5), thread(12, 'python3 (_worker)', 6), thread(13, 'python3 (hasher)', 9)], 10);
  assert.deepEqual(groups.map((g) => [g.name, g.tids]), [['python3 (_worker)', [11, 12]]]);
});
