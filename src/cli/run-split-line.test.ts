import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSplitText } from './run-split-line.js';
import { MS, statsOf, statsThread } from '../../test/support/stats-builders.js';

test('the run nobody held the GIL, in 80 columns: C code, all asleep, changing hands (when the stats have it)', () => {
  const process = (time_split?: { held_ns: number; free_ns: number; idle_ns: number; handover_ns?: number }) =>
    statsOf([statsThread(1, 0), statsThread(2, 0)], 0, time_split ? { time_split } : {}).processes[0];
  const text = runSplitText(process({ held_ns: 300 * MS, free_ns: 556 * MS, idle_ns: 3 * MS, handover_ns: 141 * MS }));
  assert.equal(text, 'nobody held it: C code ran 55.6% · all asleep 0.3% · changing hands 14.1%');
  assert.ok(`  ${text}`.length <= 80, 'fits top');
  // stats made before 12-07 have no changing hands
  assert.equal(runSplitText(process({ held_ns: 300 * MS, free_ns: 556 * MS, idle_ns: 3 * MS })), 'nobody held it: C code ran 55.6% · all asleep 0.3%');
  assert.equal(runSplitText(process()), undefined, 'no split without the CPU count');
});
