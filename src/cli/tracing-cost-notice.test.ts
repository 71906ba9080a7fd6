import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tracingCostNotice } from './tracing-cost-notice.js';

const reading = (cyclesPerSecond: number, nsPerCycle = 16_100) => ({ cyclesPerSecond, nsPerCycle, share: (cyclesPerSecond * nsPerCycle) / 1e9 });

test('a command is told once, while it runs, when the probes take a large share of its time', () => {
  const said: string[] = [];
  const notice = tracingCostNotice(false, (line) => said.push(line));
  // 1000 cycles a second: 16 ms a second, nothing to say; go on watching
  assert.equal(notice(reading(1000)), true);
  assert.deepEqual(said, []);
  assert.equal(notice(reading(42_916)), false);
  assert.equal(said.length, 1);
  assert.match(said[0], /^giltrace: 42916 GIL cycles a second; at about 16\.1 µs each under the probes, tracing takes about 691 ms of its threads' time every second: .*--sample/);
});

test('an attach always says its first second, with advice only when it is costly', () => {
  const quiet: string[] = [];
  assert.equal(tracingCostNotice(true, (line) => quiet.push(line))(reading(200)), false);
  assert.equal(quiet.length, 1);
  assert.match(quiet[0], /200 GIL cycles a second in the first second; .*about 3\.22 ms of its threads' time every second$/);
  const busy: string[] = [];
  tracingCostNotice(true, (line) => busy.push(line))(reading(70_337));
  // several threads may pay at once: in time a second, which may pass a second
  assert.match(busy[0], /about 1\.13 s of its threads' time every second: stop soon \(Ctrl-C, or --duration\)/);
});
