import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergedRecords } from './merged-records.js';
import type { PerfData, PerfRecord } from './types.js';

/** A recording whose records are lost records at the given times, one reused object like the reader's samples. */
function recording(timeBaseNs: bigint, times: number[]): PerfData {
  const reused = { type: 'lost', time: 0, count: 0 } as unknown as PerfRecord & { time: number; count: number };
  return {
    timeBaseNs,
    *records() {
      for (const [i, time] of times.entries()) {
        reused.time = time;
        reused.count = Number(timeBaseNs) * 100 + i;
        yield reused;
      }
    },
  } as unknown as PerfData;
}

test('records of several recordings come out in time order, on the first one\'s time base', () => {
  const main = recording(1000n, [0, 10, 20, 30]);
  const extra = recording(1015n, [0, 10]); // at 15 and 25 on the main base
  // each record is read before the next one is asked for (a reader reuses its objects)
  const out: [number, number][] = [];
  for (const r of mergedRecords([main, extra])) out.push([r.time, (r as unknown as { count: number }).count]);
  assert.deepEqual(out, [[0, 100000], [10, 100001], [15, 101500], [20, 100002], [25, 101501], [30, 100003]]);
});

test('a single recording, or none, passes through', () => {
  const times: number[] = [];
  for (const r of mergedRecords([recording(5n, [1, 2])])) times.push(r.time);
  assert.deepEqual(times, [1, 2]);
  assert.deepEqual([...mergedRecords([])], []);
});

test('threads start and end by the first recording alone: an extra one\'s fork, exit and comm records are left out, its samples kept', () => {
  const records = (timeBaseNs: bigint, list: [string, number][]): PerfData => ({
    timeBaseNs,
    *records() {
      for (const [type, time] of list) yield { type, time } as unknown as PerfRecord;
    },
  }) as unknown as PerfData;
  const main = records(0n, [['fork', 1], ['sample', 2], ['exit', 3]]);
  // a recorder started later records the same machine's births and deaths (perf -a)
  const extra = records(0n, [['comm', 1], ['fork', 1], ['sample', 2], ['lost', 2], ['exit', 3], ['mmap', 4]]);
  const out = [...mergedRecords([main, extra])].map((r) => `${r.type}@${r.time}`);
  assert.deepEqual(out, ['fork@1', 'sample@2', 'sample@2', 'lost@2', 'exit@3', 'mmap@4']);
});
