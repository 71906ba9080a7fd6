/**
 * What a killed giltrace left in the temporary directory is removed by the next run (or `clean`);
 * a live giltrace's files (this test's process stands for one) and other files stay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeTempFilesOfDeadRuns, tempFilePath } from './temp-files.js';

test("a dead run's temporary files are removed, a live one's and others' are not", () => {
  const gone = spawnSync('/bin/true').pid!; // a pid whose process has exited
  const dead = join(tmpdir(), `giltrace-holders-${gone}-0123456789ab`);
  const deadNames = join(tmpdir(), `giltrace-names-${gone}-ba9876543210`);
  const live = tempFilePath('holders');
  const other = join(tmpdir(), `giltrace-holders-${gone}-not-hex`);
  for (const file of [dead, deadNames, live, other]) writeFileSync(file, '');
  try {
    const removed = removeTempFilesOfDeadRuns();
    assert.ok(removed.includes(dead) && removed.includes(deadNames), removed.join(' '));
    assert.ok(!existsSync(dead) && !existsSync(deadNames));
    assert.ok(existsSync(live), "this process's own file stays");
    assert.ok(existsSync(other), 'a name giltrace does not make stays');
    assert.match(live, new RegExp(`giltrace-holders-${process.pid}-[0-9a-f]{12}$`));
  } finally {
    for (const file of [dead, deadNames, live, other]) rmSync(file, { force: true });
  }
});
