/**
 * A recording is read the same on a machine without the traced interpreter: every golden
 * recording's `giltrace stats --json`, run in a private mount namespace where the pyenv builds
 * and the debug-symbol folder are hidden behind empty tmpfs mounts, equals its golden.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RECORDING_MANIFEST_FEATURE, type RecordingManifest } from '../../src/contract/recording-manifest.js';
import { openPerfData } from '../../src/perfdata/index.js';
import { CASES, goldenPath, recordingPath } from '../fixtures/fixtures.js';
import { CLI } from './giltrace-cli.js';

const PYENV = process.env.PYENV_ROOT ?? join(homedir(), '.pyenv');
const HIDDEN = [PYENV, '/usr/lib/debug'].filter((dir) => existsSync(dir));
const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['--mount', 'true']).status === 0;

function manifestOf(file: string): RecordingManifest {
  const bytes = openPerfData(file).features.otherSections?.get(RECORDING_MANIFEST_FEATURE);
  assert.ok(bytes, `${file} has no giltrace manifest: re-record it (npm run fixtures -- record)`);
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as RecordingManifest;
}

/** Runs `giltrace stats --json FILE` where HIDDEN are empty; fails if the interpreter is still visible there. */
function statsWithInterpretersHidden(file: string): unknown {
  const manifest = manifestOf(file);
  const mustBeGone = manifest.interpreters.flatMap((i) => [i.gilLibrary, i.executable]);
  const script = [
    'set -e',
    ...HIDDEN.map((dir) => `mount -t tmpfs giltrace-hidden '${dir}'`),
    ...mustBeGone.map((p) => `if [ -e '${p}' ]; then echo 'still visible: ${p}' >&2; exit 99; fi`),
    `exec '${process.execPath}' '${CLI}' stats --json '${file}'`,
  ].join('\n');
  const run = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

test('root: golden recordings give their golden stats with the interpreters hidden (unshare --mount)', { skip: canUnshare ? false : 'needs root and unshare' }, () => {
  for (const c of CASES) {
    const expected = JSON.parse(readFileSync(goldenPath(c), 'utf8'));
    assert.deepEqual(statsWithInterpretersHidden(recordingPath(c)), expected, `${c.name} on ${c.python}`);
  }
});
