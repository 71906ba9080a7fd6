import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_BUDGET_HZ, TickBudget } from './tick-budget.js';

const MS = 1e6;
const S = 1e9;

/**
 * Drives a budget as the session does, with a sampler whose tick costs `tickCpuNs(period)` of CPU:
 * returns the periods it ticked at, one per window, from `from` to `to` ns.
 */
function drive(budget: TickBudget, tickCpuNs: (periodNs: number) => number, to: number, from = 0, cpuBefore = 0): { periods: number[]; cpu: number; at: number } {
  let cpu = cpuBefore;
  const periods: number[] = [];
  for (let now = from; now <= to; now += budget.periodNs) {
    cpu += tickCpuNs(budget.periodNs);
    if (!budget.due(now)) continue;
    budget.observe(now, cpu);
    periods.push(budget.periodNs);
  }
  return { periods, cpu, at: to };
}

test('a sampler within its budget ticks as often as asked', () => {
  const budget = new TickBudget(1 * MS, 0.1);
  // 60 µs a tick at 1 kHz: 6 % of a CPU
  const { periods } = drive(budget, () => 60e3, 10 * S);
  assert.ok(periods.every((p) => p === 1 * MS));
});

test('over its budget after the start it ticks less often, in proportion, until within it; no budget: never', () => {
  const budget = new TickBudget(1 * MS, 0.1);
  // 300 µs a tick (many busy threads): 30 % of a CPU at 1 kHz, under the start's allowance
  const start = drive(budget, () => 300e3, 2.9 * S);
  assert.ok(start.periods.every((p) => p === 1 * MS), 'the first seconds may use five times the budget');
  const after = drive(budget, () => 300e3, 10 * S, start.at + budget.periodNs, start.cpu);
  const settled = after.periods.at(-1)!;
  // 300 µs every 3.3 ms is 9 % of a CPU: aimed a little under the budget
  assert.ok(settled > 3 * MS && settled < 3.6 * MS, `settled at ${settled / MS} ms`);
  const none = new TickBudget(1 * MS, Infinity);
  assert.ok(drive(none, () => 900e3, 10 * S).periods.every((p) => p === 1 * MS));
});

test("an attach's sampler (no start allowance) is held to its budget from its first seconds", () => {
  const budget = new TickBudget(1 * MS, 0.1, 1);
  // 300 µs a tick: 30 % of a CPU at 1 kHz, which the first seconds of a command's sampler may use
  const start = drive(budget, () => 300e3, 2.9 * S);
  assert.ok(start.periods.at(-1)! > 3 * MS, `at ${start.periods.at(-1)! / MS} ms by 2.9 s`);
  assert.ok(start.cpu / (2.9 * S) < 0.1 * 1.5, `${((100 * start.cpu) / (2.9 * S)).toFixed(1)} % of a CPU over its first 2.9 s`);
});

test('however dear its ticks, it ticks at least MIN_BUDGET_HZ times a second', () => {
  const budget = new TickBudget(1 * MS, 0.01);
  const { periods } = drive(budget, () => 5 * MS, 20 * S);
  assert.equal(periods.at(-1), S / MIN_BUDGET_HZ);
});

test('slowed, it ticks more often again once well within its budget, by a fifth a window at most, back to the asked rate exactly', () => {
  const budget = new TickBudget(1 * MS, 0.1);
  const dear = drive(budget, () => 400e3, 8 * S);
  const slowed = budget.periodNs;
  assert.ok(slowed > 4 * MS);
  // the threads went idle: 20 µs a tick
  const cheap = drive(budget, () => 20e3, 20 * S, dear.at + budget.periodNs, dear.cpu);
  const steps = cheap.periods.filter((p, i) => i === 0 || p !== cheap.periods[i - 1]);
  for (let i = 1; i < steps.length; i++) assert.ok(steps[i] >= steps[i - 1] / 1.25 - 1, `from ${steps[i - 1]} to ${steps[i]}`);
  assert.equal(cheap.periods.at(-1), 1 * MS);
});

test('at the slowest rate, readings still over the budget change nothing (each change is a line of the recording)', () => {
  const budget = new TickBudget(1 * MS, 0.01);
  const first = drive(budget, () => 5 * MS, 20 * S);
  assert.equal(budget.periodNs, S / MIN_BUDGET_HZ);
  let changes = 0;
  const observe = budget.observe.bind(budget);
  budget.observe = (now, cpu) => {
    const changed = observe(now, cpu);
    if (changed) changes++;
    return changed;
  };
  drive(budget, () => 5 * MS, 30 * S, first.at + budget.periodNs, first.cpu);
  assert.equal(changes, 0);
});
