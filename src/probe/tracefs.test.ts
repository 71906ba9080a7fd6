import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { ensureTracefs, findTracefs } from './tracefs.js';

test('tracefs is found (or mounted) and has uprobe_events and the sched events', { skip: process.getuid?.() !== 0 }, () => {
  const dir = ensureTracefs();
  assert.ok(fs.existsSync(`${dir}/uprobe_events`));
  assert.ok(fs.existsSync(`${dir}/events/sched/sched_switch`));
  assert.equal(findTracefs(), dir, 'a second look finds the same place');
});
