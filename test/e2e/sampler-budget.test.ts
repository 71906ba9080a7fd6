/**
 * The sampled mode's CPU budget: beside many threads that never rest for long, the sampler's
 * ticks would cost it a third of a CPU at 1 kHz; with `--sample-cpu` it ticks less often and its
 * thread keeps within the budget once its first seconds are over, and the summary says so.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StatsJson } from '../../src/contract/stats.js';
import { PROGRAMS, giltrace, pyenvPython, scratchDir } from './giltrace-cli.js';

const dir = scratchDir();
after(() => rmSync(dir, { recursive: true, force: true }));
const python = pyenvPython('3.12') ?? pyenvPython('3.11');

/** The sampler's own thread's CPU over the time from `fromNs` to the end (C and E lines: t, own CPU), as a share of one CPU. */
function ownShareAfter(file: string, fromNs: number): number {
  const readings = readFileSync(file, 'utf8').split('\n')
    .filter((l) => l.startsWith('C ') || l.startsWith('E '))
    .map((l) => l.split(' ').map(Number))
    .map((f) => ({ t: f[1], own: f[5] }));
  const from = readings.find((r) => r.t >= fromNs)!;
  const to = readings.at(-1)!;
  assert.ok(to.t - from.t > 1e9, `a second at least after ${fromNs / 1e9} s: ${(to.t - from.t) / 1e9} s`);
  return (to.own - from.own) / (to.t - from.t);
}

test('beside 30 busy threads the sampler keeps within --sample-cpu once started, ticking less often, and says so', { skip: python ? false : 'needs a pyenv Python 3.12 or 3.11' }, () => {
  const data = join(dir, 'busy.data');
  const run = giltrace(['record', '--sample', '--sample-cpu', '5', '-o', data, '--', python!, join(PROGRAMS, 'busy_threads.py'), '30', '7'], { timeoutMs: 60_000 });
  assert.equal(run.code, 0, run.stderr);
  // its first 3 s may use five times the budget (V8 compiling the sampler's code, first looks)
  const share = ownShareAfter(data, 4e9);
  assert.ok(share <= 0.05 * 1.3, `the sampler's thread used ${(share * 100).toFixed(1)} % of a CPU after its first 4 s`);
  const stats = giltrace(['stats', '--json', data]);
  assert.equal(stats.code, 0, stats.stderr);
  const sampling = (JSON.parse(stats.stdout) as StatsJson).recording.sampling!;
  assert.equal(sampling.cpu_budget, 0.05);
  assert.ok(sampling.slowest_hz !== undefined && sampling.slowest_hz < 500, `slowest ${sampling.slowest_hz}/s`);
  assert.ok(sampling.effective_hz < 600, `${sampling.effective_hz} ticks a second`);
  const table = giltrace(['stats', data]);
  assert.match(table.stdout, /\(asked 1000; at times \d+\/s, to keep the sampler within 5 % of a CPU: --sample-cpu to change\)/);
  // the threads are all there, each seen on its CPU now and then
  const threads = (JSON.parse(stats.stdout) as StatsJson).processes[0].threads.filter((t) => t.name.startsWith('busy-'));
  assert.equal(threads.length, 30);
});
