import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newAdapterFacts } from '../model/perf-to-timeline-events.js';
import { unnamedPythonWarnings } from './python-hook-warning.js';

test('a traced Python that named no thread is warned about, by pid; one that named any is not', () => {
  const facts = newAdapterFacts();
  facts.pythonNamedPids.add(100);
  const warnings = unnamedPythonWarnings(['giltrace_1_0:take', 'giltrace_1_0:mark', 'sched:sched_switch'], [100, 200], facts);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /^process 200: threads show OS names/);
  assert.match(warnings[0], /-I, -E and -S/);
});

test('without the marker probe (other tools, or no libc marker) names were never to come: no warning', () => {
  assert.deepEqual(unnamedPythonWarnings(['probe_python:take_gil', 'sched:sched_switch'], [200], newAdapterFacts()), []);
  assert.deepEqual(unnamedPythonWarnings(['giltrace_1_0:take', 'giltrace_1_0:drop'], [200], newAdapterFacts()), []);
});
