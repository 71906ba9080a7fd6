import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recorderPidOf, switchOutStateOf } from './perf-to-timeline-events.js';
import { gilRoleOf } from './probe-namings.js';

test('GIL probe roles from giltrace, perf probe and per4m event names', () => {
  assert.equal(gilRoleOf('giltrace_123_0:take'), 'take');
  assert.equal(gilRoleOf('giltrace_123_0:take_ret'), 'take_ret');
  assert.equal(gilRoleOf('giltrace_123_0:take_ret_2'), 'take_ret');
  assert.equal(gilRoleOf('giltrace_123_0:take_1'), 'take');
  assert.equal(gilRoleOf('giltrace_123_0:drop_1'), 'drop');
  assert.equal(gilRoleOf('giltrace_123_0:mark'), 'mark');
  assert.equal(gilRoleOf('probe_libpython3:take_gil'), 'take');
  assert.equal(gilRoleOf('probe_libpython3:take_gil__return'), 'take_ret');
  assert.equal(gilRoleOf('probe_libpython3:drop_gil'), 'drop');
  assert.equal(gilRoleOf('python:drop_gil__return'), 'drop_ret');
  assert.equal(gilRoleOf('python:take_gil_1'), 'take');
  assert.equal(gilRoleOf('sched:sched_switch'), undefined);
  assert.equal(gilRoleOf('giltrace_123_0:other'), undefined);
  assert.equal(gilRoleOf('take_gil'), undefined);
});

test('sched_switch prev_state: R is runnable, S sleeping, D blocked, X/Z dead, preempt flag ignored', () => {
  assert.equal(switchOutStateOf(0), 'runnable');
  assert.equal(switchOutStateOf(0x100), 'runnable'); // R+ (preempted)
  assert.equal(switchOutStateOf(0x01), 'sleeping');
  assert.equal(switchOutStateOf(0x02), 'blocked');
  assert.equal(switchOutStateOf(0x10), 'dead');
  assert.equal(switchOutStateOf(0x20), 'dead');
  assert.equal(switchOutStateOf(0x80), 'sleeping'); // I: idle kernel thread
  assert.equal(switchOutStateOf(0x04), 'sleeping'); // T: stopped
});

test('the recorder pid comes from giltrace probe group names only', () => {
  assert.equal(recorderPidOf(['sched:sched_switch', 'giltrace_4242_1:take']), 4242);
  assert.equal(recorderPidOf(['probe_libpython3:take_gil', 'sched:sched_switch']), undefined);
});
