/** The frame `giltrace top` leaves on the screen when the recording ends (lastFrame). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StatsJson } from '../../contract/stats.js';
import type { LiveTick } from '../live-analysis.js';
import { lastFrame } from './top.js';

function tick(windowNs: number, elapsedNs: number, threads: string[]): LiveTick {
  const window = { processes: threads.length ? [{ pid: 1, threads: threads.map((name) => ({ name })) }] : [] } as unknown as StatsJson;
  return { window, windowNs, elapsedNs, threads: new Map(), functions: new Map(), holders: [], lostEvents: 0 };
}

test('a program that ended just after the previous frame: that frame\'s window stays, with the totals to the end', () => {
  const previous = tick(1e9, 2e9, ['MainThread', 'worker']);
  const final = tick(13_300, 2.0000133e9, ['MainThread']);
  const shown = lastFrame(final, previous, 1);
  assert.equal(shown.window, previous.window);
  assert.equal(shown.windowNs, 1e9);
  assert.equal(shown.elapsedNs, final.elapsedNs, 'the totals and the time run to the end');
  assert.equal(shown.threads, final.threads);
});

test('a final window of half an interval or more is shown as it is; an empty one gives way', () => {
  const previous = tick(1e9, 2e9, ['MainThread']);
  assert.equal(lastFrame(tick(0.6e9, 2.6e9, ['MainThread']), previous, 1).windowNs, 0.6e9);
  assert.equal(lastFrame(tick(0.6e9, 2.6e9, []), previous, 1).window, previous.window);
  // nothing better to show: the final frame stays
  const empty = tick(1e9, 1e9, []);
  assert.equal(lastFrame(tick(1000, 1e9, ['MainThread']), empty, 1).windowNs, 1000);
});
