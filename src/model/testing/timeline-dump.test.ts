import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dumpTimeline } from './timeline-dump.js';
import { CpuState, GilState, type ThreadTimeline, type Timeline } from '../timeline.js';
import { makeSyntheticTimeline, stepTrack } from '../../../test/support/synthetic-timeline.js';

const f64 = (...values: number[]) => Float64Array.from(values);

const worker: ThreadTimeline = {
  pid: 10,
  tid: 11,
  name: 'Thread-1 (work)',
  start: 100,
  end: 900,
  gil: '10/7f00',
  gilTrack: stepTrack([[100, GilState.waiting], [150, GilState.holding], [600, GilState.none]]),
  cpuTrack: stepTrack([[100, CpuState.runnable], [120, CpuState.running], [700, CpuState.sleeping]]),
  drops: [{ time: 600, tid: 11, forced: true, known: true, stack: 2 }],
  acquisitions: 1,
  waits: f64(50),
  waitStarts: f64(100),
  waitStacks: Int32Array.of(1),
  holds: { starts: f64(150), ends: f64(600), stacks: Int32Array.of(2), acquiredIn: Int32Array.of(1) },
};

const timeline: Timeline = {
  timeBaseNs: 7_000_000_000_000n,
  start: 0,
  end: 1000,
  lostEvents: 0,
  functions: [
    { name: '<unknown>', file: '', line: 0 },
    { name: '<no Python frame>', file: '', line: 0 },
    { name: 'work', file: '/srv/app.py', line: 3 },
  ],
  stacks: [
    { leaf: 0, callers: [] },
    { leaf: 1, callers: [] },
    { leaf: 2, callers: ['Thread.run', 'Thread._bootstrap_inner'] },
  ],
  processes: [
    {
      pid: 10,
      start: 50,
      end: 1000,
      threads: [worker],
      gils: [{ key: '10/7f00', pid: 10, holders: { times: f64(150, 600), tids: Int32Array.of(11, 0) }, waiters: { times: f64(100, 150), counts: Uint16Array.of(1, 0) } }],
      anomalies: { take_return_without_enter: 2, gil_event_off_cpu: 1 },
    },
  ],
};

test('one line per interval, hold, wait and drop, with stacks by id and innermost function', () => {
  assert.equal(
    dumpTimeline(timeline),
    [
      '# giltrace timeline dump: times in ns from the time base; each interval is [start, end)',
      'timeline base 7000000000000 start 0 end 1000 lost_events 0',
      'stack 0 <unknown>',
      'stack 1 <no Python frame>',
      'stack 2 work (/srv/app.py:3) <- Thread.run <- Thread._bootstrap_inner',
      'process 10 start 50 end 1000',
      '  anomalies gil_event_off_cpu=1 take_return_without_enter=2',
      '  gil 10/7f00 pid 10',
      '    holder 150 600 tid 11',
      '    holder 600 1000 nobody',
      '    waiters 100 150 1',
      '    waiters 150 1000 0',
      '  thread 11 pid 10 "Thread-1 (work)" start 100 end 900 gil 10/7f00 acquisitions 1',
      '    gil 100 150 waiting',
      '    gil 150 600 holding',
      '    gil 600 900 none',
      '    cpu 100 120 runnable',
      '    cpu 120 700 running',
      '    cpu 700 900 sleeping',
      '    hold 150 600 acquired_in s1:<no Python frame> released_in s2:work',
      '    wait 100 150 in s1:<no Python frame>',
      '    drop 600 forced in s2:work',
      '',
    ].join('\n'),
  );
});

test('nothing is smoothed over: fractions, empty steps, unknown states and stacks show as they are', () => {
  const odd: ThreadTimeline = {
    ...worker,
    gilTrack: { times: f64(100, 100.5, 950), states: Uint8Array.of(GilState.waiting, 7, GilState.none) },
    drops: [{ time: 600, tid: 12, forced: false, known: false, stack: 99 }],
  };
  const text = dumpTimeline({ ...timeline, processes: [{ ...timeline.processes[0], threads: [odd], anomalies: {} }] });
  assert.match(text, /\n {2}anomalies none\n/);
  assert.match(text, /\n {4}gil 100 100\.500 waiting\n {4}gil 100\.500 950 state_7\n {4}gil 950 900 none\n/);
  assert.match(text, /\n {4}drop 600 unknown in s99:<no such stack> tid 12\n/);
});

test('a larger timeline: as many entry lines as the model has entries, and the same text twice', () => {
  const big = makeSyntheticTimeline({ handoffs: 50, workers: 3 });
  const text = dumpTimeline(big);
  const count = (kind: string) => text.split('\n').filter((line) => line.trimStart().startsWith(`${kind} `)).length;
  const threads = big.processes.flatMap((p) => p.threads);
  const sum = (of: (t: ThreadTimeline) => number) => threads.reduce((total, t) => total + of(t), 0);
  assert.equal(count('thread'), threads.length);
  assert.equal(count('gil') - big.processes.flatMap((p) => p.gils).length, sum((t) => t.gilTrack.times.length));
  assert.equal(count('cpu'), sum((t) => t.cpuTrack.times.length));
  assert.equal(count('hold'), sum((t) => t.holds.starts.length));
  assert.equal(count('wait'), sum((t) => t.waits.length));
  assert.equal(count('drop'), sum((t) => t.drops.length));
  assert.equal(count('holder'), big.processes[0].gils[0].holders.tids.length);
  assert.equal(dumpTimeline(big), text);
});
