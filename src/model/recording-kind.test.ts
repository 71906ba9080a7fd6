import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hasGilProbes, isPerTaskRecording, recordingKindOf } from './recording-kind.js';

describe('recording kinds', () => {
  it('GIL probes by any of the names giltrace, perf probe and per4m give them', () => {
    assert.equal(hasGilProbes(['sched:sched_switch', 'giltrace_12_1:take']), true);
    assert.equal(hasGilProbes(['probe_libpython3:take_gil__return']), true);
    assert.equal(hasGilProbes(['sched:sched_switch', 'sched:sched_waking']), false);
  });

  it('after reading: GIL events win, then scanned stacks, else nothing about the GIL', () => {
    assert.equal(recordingKindOf({ gilEvents: 3, stackScans: 0 }), 'gil-probes');
    assert.equal(recordingKindOf({ gilEvents: 0, stackScans: 9 }), 'scheduler-only');
    assert.equal(recordingKindOf({ gilEvents: 0, stackScans: 0 }), 'no-gil-events');
  });
});

describe('isPerTaskRecording', () => {
  it("reads perf's options before --, not the command's", () => {
    assert.equal(isPerTaskRecording(['/usr/bin/perf', 'record', '-e', 'sched:sched_switch', '--call-graph', 'dwarf', '--', 'python', '-a']), true);
    assert.equal(isPerTaskRecording(['/usr/bin/perf', 'record', '-a', '-k', 'CLOCK_MONOTONIC', '--', 'python3']), false);
    assert.equal(isPerTaskRecording(['perf', 'record', '--all-cpus', '--', 'x']), false);
    assert.equal(isPerTaskRecording(['perf', 'record', '-qa', '--', 'x']), false);
    assert.equal(isPerTaskRecording(['perf', 'record', '-C', '0-1', '--', 'x']), false);
    assert.equal(isPerTaskRecording(undefined), undefined);
  });
});
