import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration } from '../base/time.js';
import { compareRuns } from '../analysis/index.js';
import { STATS_SCHEMA, type ProcessStats, type StatsJson, type ThreadStats } from '../contract/stats.js';
import { formatDiff, formatPointChange, formatRelativeChange } from './diff-table.js';
import { plain, table } from './terminal-table.js';

const MS = 1_000_000;
const NO_WAITS = { count: 0, p50_ns: 0, p95_ns: 0, p99_ns: 0, max_ns: 0 };

function thread(tid: number, name: string, held: number, wait: number): ThreadStats {
  const active = (held + wait) * MS;
  return {
    tid, name, lifetime_ns: active, held_ns: held * MS, wait_ns: wait * MS, no_gil_ns: 0, held_off_cpu_ns: 0, held_asleep_ns: 0,
    running_ns: held * MS, runnable_ns: wait * MS, sleeping_ns: 0, blocked_ns: 0, active_ns: active, acquisitions: 3, wait: NO_WAITS,
    drops: { forced: 0, voluntary: 0 },
  };
}

function run(pid: number, threads: ThreadStats[]): StatsJson {
  const process: ProcessStats = {
    pid, command: 'python3 app.py', python: { executable: 'python3', version: '3.12.1', gil: 'enabled' }, duration_ns: 100 * MS,
    gil: { held_ns: 50 * MS, contended_ns: 10 * MS, handoff: NO_WAITS, drops: { forced: 0, voluntary: 0 } },
    threads, anomalies: {}, thread_groups: [],
  };
  return { schema: STATS_SCHEMA, recording: { duration_ns: 100 * MS, events: 1, lost_events: 0, warnings: [] }, processes: [process] };
}

describe('diff terminal view', () => {
  it('changes: percent, a factor from tenfold, the amount from nothing, points for shares', () => {
    assert.equal(formatRelativeChange({ a: 100, b: 131, change: 31, relative_change: 0.31 }, String), '+31%');
    assert.equal(formatRelativeChange({ a: 100, b: 95.5, change: -4.5, relative_change: -0.045 }, String), '-4.5%');
    assert.equal(formatRelativeChange({ a: 100, b: 2500, change: 2400, relative_change: 24 }, String), '×25');
    assert.equal(formatRelativeChange({ a: 0, b: 2 * MS, change: 2 * MS }, formatDuration), '+2.00 ms');
    assert.equal(formatRelativeChange({ a: 7, b: 7, change: 0, relative_change: 0 }, String), '=');
    assert.equal(formatRelativeChange({ a: 7 }, String), '');
    assert.equal(formatPointChange({ a: 0.5, b: 0.25, change: -0.25 }), '-25.0 pt');
    assert.equal(formatPointChange({ a: 0.1, b: 0.15, change: 0.05 }), '+5.0 pt');
  });

  it('rows side by side, a row of one run marked and its other side shown as -', () => {
    const a = run(1, [thread(1, 'MainThread', 10, 0), thread(2, 'worker-1', 40, 10), thread(3, 'logger', 1, 1)]);
    const b = run(9, [thread(9, 'MainThread', 10, 0), thread(10, 'worker-1', 20, 60), thread(11, 'worker-2', 20, 60)]);
    const lines = formatDiff(compareRuns(a, b, { a: 'one.data', b: 'two.data' }), false).split('\n');
    const row = (start: string) => {
      const found = lines.find((line) => line.startsWith(`  ${start}`));
      assert.ok(found, `no row ${start} in\n${lines.join('\n')}`);
      return found.trim().split(/ {2,}| (?=[-+×=\d])/).filter(Boolean);
    };
    assert.deepEqual(lines.slice(0, 2), ['A  one.data', 'B  two.data']);
    assert.deepEqual(row('worker-*'), ['worker-*', '1→2', '20.0%', '75.0%', '+55.0 pt', '10.0 ms', '120 ms', '×12', '40.0 ms', '40.0 ms', '=', '3', '6', '+100%']);
    assert.match(lines.find((line) => line.startsWith('  logger'))!, /^ {2}logger +1→- +50\.0% +- +only A +1\.00 ms +- +only A +1\.00 ms +- +only A +3 +- +only A$/);
    const header = lines.findIndex((line) => line.startsWith('  thread'));
    assert.match(lines[header - 1], /^ +wait share of active +wait +held +takes$/);
    assert.ok(lines.includes('  A: no verdict') && lines.includes('  B: no verdict'), lines.join('\n'));
  });

  it('column groups: a label longer than its columns widens them, labels centred over their columns', () => {
    const lines = table([['name', 'A', 'B'], ['x', '1', '2']], plain, new Set(['name']), [{ label: '', columns: 1 }, { label: 'a long label', columns: 2 }]);
    assert.deepEqual(lines, ['      a long label', 'name           A B', 'x              1 2']);
  });
});
