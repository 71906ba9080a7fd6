import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { checkPrerequisites, checkSampling } from './prerequisites.js';
import { pyenvVersion, pyenvVersions } from '../../test/support/probe-oracle.js';

test('doctor checks: every check named, failures carry a fix, and the uprobe round trip leaves nothing', () => {
  const checks = checkPrerequisites();
  const names = checks.map((c) => c.name);
  for (const n of ['root', 'perf', 'tracefs', 'perf_event_paranoid', 'sampled mode', 'python python3']) assert.ok(names.includes(n), n);
  for (const c of checks) {
    assert.ok(c.detail.length > 0, `${c.name} has detail`);
    if (!c.ok) assert.ok(c.fix && c.fix.length > 0, `${c.name} failed without a fix: ${c.detail}`);
  }
  if (process.getuid?.() === 0 && fs.existsSync('/sys/kernel/tracing/uprobe_events')) {
    for (const n of ['uprobe_events', 'sched tracepoints']) assert.equal(checks.find((c) => c.name === n)?.ok, true, n);
    assert.doesNotMatch(fs.readFileSync('/sys/kernel/tracing/uprobe_events', 'utf8'), new RegExp(`giltrace_${process.pid}_0/`));
  }
});

test('doctor: the given python and each pyenv version report their GIL symbols', { skip: !pyenvVersion(12) }, () => {
  const v = pyenvVersion(12)!;
  const checks = checkPrerequisites({ python: v.python });
  const given = checks.find((c) => c.name === `python ${v.python}`);
  assert.ok(given?.ok, given?.detail);
  assert.match(given.detail, /^3\.12\.\d+ .*take_gil@0x[0-9a-f]+ drop_gil@0x[0-9a-f]+; function context: yes; sampled mode: yes$/);
  for (const p of pyenvVersions()) assert.equal(checks.find((c) => c.name === `pyenv ${p.version}`)?.ok, true, p.version);
});

test('doctor: a python that cannot be found fails with the fix from its message', () => {
  const checks = checkPrerequisites({ python: 'python9', env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent' } });
  const c = checks.find((x) => x.name === 'python python9');
  assert.equal(c?.ok, false);
  assert.equal(c?.detail, "python not found: 'python9' is not on PATH; pass --python PATH");
  assert.equal(c?.fix, 'pass --python PATH');
});

test('the sampled mode check says what Yama\'s ptrace_scope lets --sample read, as root and not', () => {
  assert.match(checkSampling(false, undefined).detail, /^no Yama ptrace_scope: without root, --sample reads the programs giltrace starts and your own running processes/);
  assert.match(checkSampling(false, 1).detail, /ptrace_scope = 1: without root, --sample reads the programs giltrace starts \(run --sample -- CMD\); attaching \(-p\) needs root/);
  assert.deepEqual([checkSampling(false, 2).ok, checkSampling(true, 2).ok], [false, true]);
  const none = checkSampling(true, 3);
  assert.equal(none.ok, false);
  assert.match(none.fix!, /reboot/);
});
