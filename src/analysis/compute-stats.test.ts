import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ThreadStats } from '../contract/stats.js';
import { buildTimeline } from '../model/build-timeline.js';
import { ev, twoThreadsAlternating } from '../../test/support/timeline-event-builders.js';
import type { TimelineEvent } from '../model/timeline-events.js';
import { computeStats } from './compute-stats.js';
import type { RecordingMeta } from './recording-meta.js';
import { nearestRank, summarizeDurations } from './summary.js';

const META: RecordingMeta = {
  events: 16,
  warnings: ['w'],
  processes: new Map([[100, { command: 'python3 app.py', python: { executable: '/usr/bin/python3', version: '3.12.1', gil: 'enabled' } }]]),
};

function stats(events: TimelineEvent[], end?: number) {
  return computeStats(buildTimeline(events, end === undefined ? {} : { end }), META);
}

function threadStats(events: TimelineEvent[], tid: number, end?: number): ThreadStats {
  const found = stats(events, end).processes.flatMap((p) => p.threads).find((t) => t.tid === tid);
  assert.ok(found, `thread ${tid}`);
  return found;
}

describe('computeStats', () => {
  it('two threads alternating with forced drops: exact numbers', () => {
    const result = stats(twoThreadsAlternating());
    assert.equal(result.schema, 'giltrace.stats/1');
    assert.deepEqual(result.recording, { duration_ns: 4100, events: 16, lost_events: 0, warnings: ['w'] });
    const [process] = result.processes;
    assert.equal(process.command, 'python3 app.py');
    assert.equal(process.python.version, '3.12.1');
    assert.equal(process.duration_ns, 4100);
    assert.deepEqual(process.gil, {
      held_ns: 3979,
      contended_ns: 2983,
      handoff: { count: 3, p50_ns: 3, p95_ns: 5, p99_ns: 5, max_ns: 5 },
      drops: { forced: 2, voluntary: 2 },
    });
    assert.deepEqual(process.anomalies, {});
    const [t101, t102] = process.threads;
    assert.deepEqual(
      { ...t101 },
      {
        tid: 101,
        name: 'thread 101',
        lifetime_ns: 3500,
        held_ns: 1986,
        wait_ns: 1004,
        no_gil_ns: 510,
        held_off_cpu_ns: 0,
        held_asleep_ns: 0,
        running_ns: 3495,
        runnable_ns: 5,
        sleeping_ns: 0,
        blocked_ns: 0,
        active_ns: 3500,
        acquisitions: 2,
        wait: { count: 2, p50_ns: 1, p95_ns: 1003, p99_ns: 1003, max_ns: 1003 },
        drops: { forced: 1, voluntary: 1 },
      },
    );
    assert.deepEqual([t102.held_ns, t102.wait_ns, t102.no_gil_ns, t102.lifetime_ns], [1993, 1987, 120, 4100]);
    assert.deepEqual(t102.drops, { forced: 1, voluntary: 1 });
  });

  it('active time: holding, waiting, or on/for a CPU without the GIL; sleeping without it is idle', () => {
    const events = [
      ev.start(0, 101),
      ev.sw(1, 0, 'runnable', 101),
      ev.enter(10, 101),
      ev.ret(20, 101),
      ev.drop(50, 101, 'voluntary'),
      ev.sw(60, 101, 'sleeping', 0), // e.g. a read(): no GIL, no CPU
      ev.wake(160, 101),
      ev.sw(170, 0, 'runnable', 101),
      ev.exit(200, 101),
    ];
    const t = threadStats(events, 101);
    // wait 10 + held 30 + no-GIL on a CPU [0, 10) and [50, 60) + runnable [160, 170) and on a CPU [170, 200): the sleep [60, 160) is idle
    assert.equal(t.active_ns, 10 + 30 + 10 + 10 + 10 + 30);
    assert.equal(t.lifetime_ns - t.active_ns, 100);
  });

  it('held while off-CPU: holding and switched out sleeping for 300 ms', () => {
    const ms = 1_000_000;
    const events = [
      ev.start(0, 101),
      ev.sw(1, 0, 'runnable', 101),
      ev.enter(10, 101),
      ev.ret(20, 101),
      ev.sw(100, 101, 'sleeping', 0),
      ev.wake(100 + 300 * ms, 101),
      ev.sw(200 + 300 * ms, 0, 'runnable', 101),
      ev.drop(300 + 300 * ms, 101, 'voluntary'),
      ev.exit(400 + 300 * ms, 101),
    ];
    const t = threadStats(events, 101);
    assert.equal(t.held_ns, 280 + 300 * ms);
    assert.equal(t.held_off_cpu_ns, 300 * ms + 100); // sleeping 300 ms + runnable 100 ns
    assert.equal(t.held_asleep_ns, 300 * ms);
    assert.deepEqual([t.running_ns, t.runnable_ns, t.sleeping_ns, t.blocked_ns], [399 - 200 + 100, 1 + 100, 300 * ms, 0]);
    assert.equal(t.running_ns + t.runnable_ns + t.sleeping_ns + t.blocked_ns, t.lifetime_ns);
  });

  it('hand-off latency: releases someone waited for, to the next take by another thread', () => {
    const events = [
      ev.enter(0, 101),
      ev.ret(0, 101),
      ev.drop(10, 101, 'voluntary'),
      ev.enter(12, 101),
      ev.ret(15, 101), // same thread again: no hand-off
      ev.enter(16, 102),
      ev.drop(20, 101, 'forced'),
      ev.ret(27, 102), // 101 → 102 while 102 waited: 7 ns
      ev.enter(35, 101),
      ev.drop(40, 102, 'voluntary'),
      ev.ret(40, 101), // 102 → 101 at the same instant: 0 ns
      ev.drop(50, 101, 'unknown'), // nobody waits: the GIL goes idle, not a hand-off
      ev.enter(70, 102),
      ev.ret(71, 102),
      ev.drop(80, 102, 'voluntary'),
    ];
    const process = stats(events, 90).processes[0];
    assert.deepEqual(process.gil.handoff, { count: 2, p50_ns: 0, p95_ns: 7, p99_ns: 7, max_ns: 7 });
    assert.deepEqual(process.gil.drops, { forced: 1, voluntary: 4 });
    assert.equal(process.anomalies.drop_reason_unknown, 1);
    assert.equal(process.gil.held_ns, 10 + 5 + 13 + 10 + 9);
  });

  it('daemon thread stuck in take_gil: its wait counts, ended at exit', () => {
    const events = [ev.start(0, 100), ev.enter(0, 100), ev.ret(1, 100), ev.start(2, 102), ev.enter(500, 102), ev.exit(900, 102)];
    const process = stats(events, 1000).processes[0];
    const t = process.threads.find((x) => x.tid === 102)!;
    assert.deepEqual(t.wait, { count: 1, p50_ns: 400, p95_ns: 400, p99_ns: 400, max_ns: 400 });
    assert.equal(t.acquisitions, 0);
    assert.equal(process.gil.contended_ns, 400 + 1);
    assert.equal(process.anomalies.exit_while_waiting, 1);
  });

  it('fractional times: boundaries are rounded once, sums stay exact', () => {
    const events = [ev.start(0.4, 101), ev.enter(1.5, 101), ev.ret(2.5, 101), ev.sw(2.6, 0, 'runnable', 101), ev.drop(3.49, 101), ev.exit(7.7, 101)];
    const t = threadStats(events, 101);
    assert.equal(t.lifetime_ns, 8);
    assert.equal(t.held_ns + t.wait_ns + t.no_gil_ns, 8);
    assert.equal(t.running_ns + t.runnable_ns + t.sleeping_ns + t.blocked_ns, 8);
  });

  it('unknown process metadata: main thread name as command, python unknown', () => {
    const result = computeStats(buildTimeline([ev.name(0, 7, 'python3', 'os', 7), ev.enter(1, 7, 7)]), { events: 2, warnings: [], processes: new Map() });
    assert.equal(result.processes[0].command, 'python3');
    assert.deepEqual(result.processes[0].python, { executable: '', version: '', gil: 'unknown' });
  });

  it('several interpreters: held time is the union, not the sum', () => {
    const events = [ev.enter(0, 101, 100, 'a'), ev.ret(0, 101), ev.enter(0, 102, 100, 'b'), ev.ret(5, 102), ev.drop(10, 101), ev.drop(20, 102)];
    const process = stats(events, 30).processes[0];
    assert.equal(process.gil.held_ns, 20);
  });
});

describe('summarizeDurations (nearest rank)', () => {
  it('picks measured values at rank ceil(p * n)', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 1..100 shuffled order
    assert.deepEqual(summarizeDurations(values), { count: 100, p50_ns: 50, p95_ns: 95, p99_ns: 99, max_ns: 100 });
    assert.equal(nearestRank([5], 99), 5);
    assert.deepEqual(summarizeDurations([]), { count: 0, p50_ns: 0, p95_ns: 0, p99_ns: 0, max_ns: 0 });
    assert.deepEqual(summarizeDurations([3, 1, 2]), { count: 3, p50_ns: 2, p95_ns: 3, p99_ns: 3, max_ns: 3 });
  });
});
