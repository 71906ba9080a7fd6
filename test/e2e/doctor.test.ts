/** `giltrace doctor` as a user would run it without root: it must name the real problem. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CLI } from './giltrace-cli.js';

// setpriv drops to an unprivileged user (nobody) without a login shell; nobody must be able to read
// the checkout (a clone under a mode-700 folder such as /root is not).
const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
const isRoot = process.getuid?.() === 0;
const nobodyReadsCli = isRoot && spawnSync(asNobody[0], [...asNobody.slice(1), 'test', '-r', CLI]).status === 0;
const tracefsMounted = readFileSync('/proc/mounts', 'utf8')
  .split('\n')
  .some((line) => line.split(' ')[2] === 'tracefs');

test(
  'doctor as non-root (uid nobody, needs root to drop to it): tracefs cannot be read without root, not "not mounted"',
  {
    skip:
      (!isRoot && 'needs root, to run doctor as nobody') ||
      (!nobodyReadsCli && `needs a checkout the user nobody can read (${CLI} is not)`) ||
      (!tracefsMounted && 'tracefs is not mounted here'),
    timeout: 60_000,
  },
  () => {
    const result = spawnSync(asNobody[0], [...asNobody.slice(1), process.execPath, CLI, 'doctor'], {
      encoding: 'utf8',
      cwd: '/tmp',
      timeout: 60_000,
    });
    assert.equal(result.status, 2, result.stdout + result.stderr);
    const line = result.stdout.split('\n').find((l) => /^\S+ tracefs:/.test(l));
    assert.ok(line, `a tracefs line in:\n${result.stdout}`);
    assert.match(line, /^FAIL tracefs: mounted at \/\S+, but cannot be read without root/);
    assert.doesNotMatch(result.stdout, /not mounted/);
    assert.match(result.stdout, /fix: run as root/);
    // no root, but the sampled mode needs none: said, with what it may read
    assert.match(result.stdout, /^ok\s+sampled mode: .*without root, --sample reads the programs giltrace starts/m);
    // and whether its ticks preempt (a short time slice: allowed without root)
    assert.match(result.stdout, /^ok\s+sampled mode: .*its ticks preempt the running thread/m);
    assert.match(result.stdout, /The sampled mode \(--sample\) works here all the same/);
  },
);
