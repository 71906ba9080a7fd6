import { test } from 'node:test';
import assert from 'node:assert/strict';
import { takeHitsOf } from './probe-hits.js';

// as tracefs lists them (kernel 6.18): two giltrace groups, another tool's probe, a return probe
const EVENTS = [
  'p:giltrace_100_1/take /usr/lib/libpython3.11.so.1.0:0x000000000024f7b0',
  'p:giltrace_100_1/take_1 /usr/lib/libpython3.11.so.1.0:0x000000000024f900',
  'r:giltrace_100_1/take_ret /usr/lib/libpython3.11.so.1.0:0x000000000024f7b0',
  'p:giltrace_100_1/drop /usr/lib/libpython3.11.so.1.0:0x000000000024f3e0 ret=+0(%sp):x64',
  'p:other/take /opt/my python/lib.so:0x0000000000001000',
  'p:giltrace_100_2/take /usr/lib/libpython3.12.so.1.0:0x0000000000030000',
  '',
].join('\n');
const PROFILE = [
  '  /usr/lib/libpython3.11.so.1.0 take                                                   69275',
  '  /usr/lib/libpython3.11.so.1.0 take_1                                                    25',
  '  /usr/lib/libpython3.11.so.1.0 take_ret                                               69000',
  '  /usr/lib/libpython3.11.so.1.0 drop                                                   69275',
  '  /opt/my python/lib.so take                                                             999',
  '  /usr/lib/libpython3.12.so.1.0 take                                                      12',
  '',
].join('\n');

test('take_gil entry hits are summed per group, copies included; returns, drops and other groups are not', () => {
  const hits = takeHitsOf(EVENTS, PROFILE, new Set(['giltrace_100_1', 'giltrace_100_2']));
  assert.deepEqual(hits, new Map([['giltrace_100_1', 69300], ['giltrace_100_2', 12]]));
  assert.deepEqual(takeHitsOf(EVENTS, PROFILE, new Set(['giltrace_100_2'])), new Map([['giltrace_100_2', 12]]));
});

test('files that do not pair line for line (a probe came or went between the reads) give nothing', () => {
  const groups = new Set(['giltrace_100_1']);
  const oneMore = `${EVENTS}p:giltrace_200_1/take /usr/lib/libpython3.11.so.1.0:0x000000000024f7b0\n`;
  assert.equal(takeHitsOf(oneMore, PROFILE, groups), undefined);
  // as many lines, another order: the names do not match
  const swapped = EVENTS.split('\n');
  [swapped[0], swapped[3]] = [swapped[3], swapped[0]];
  assert.equal(takeHitsOf(swapped.join('\n'), PROFILE, groups), undefined);
  assert.deepEqual(takeHitsOf('', '', groups), new Map());
});
