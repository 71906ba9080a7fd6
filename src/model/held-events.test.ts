import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeldEvents } from './held-events.js';
import type { TimelineEvent, TimelineSink } from './timeline-events.js';

test('events held while the columns grow come out, every one: an event whose slot made the room is not lost', () => {
  // `top -- CMD` crashed (TypeError reading `kind` of undefined in the builder) when a held
  // thread name or start was the one that made the columns grow: it was written into the old array
  const held = new HeldEvents();
  const names: TimelineEvent[] = Array.from({ length: 5000 }, (_, i) => ({ kind: 'thread_start', time: i, pid: 1, tid: 100 + i, parentPid: 1 }));
  for (const event of names) held.other(event);
  const out: TimelineEvent[] = [];
  const sink = { add: (event: TimelineEvent) => out.push(event) } as unknown as TimelineSink;
  held.passTo(sink, held.length);
  assert.equal(out.length, names.length);
  assert.deepEqual(out.map((e) => e?.time), names.map((e) => e.time));
});
