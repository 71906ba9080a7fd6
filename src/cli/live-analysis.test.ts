import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LiveAnalysis } from './live-analysis.js';
import { RECORDING_MANIFEST_SCHEMA } from '../contract/recording-manifest.js';
import { SAMPLED_MAGIC } from '../contract/sampled-recording.js';
import { GOLDEN_FIXTURES } from '../../test/support/fixture-paths.js';

/** A pipe-form recording (perf record -o -), as a live view gets perf's bytes. */
const PIPE = path.join(GOLDEN_FIXTURES, 'third-party', 'uprobe_sched_py312_pipe.perf.data');

/** A live view fed the whole recording, its holder samples' file holding `lines` after the header. */
function liveWith(lines: readonly string[], run: (live: LiveAnalysis, bytes: Buffer, samples: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'giltrace-live-'));
  const samples = path.join(dir, 'holders');
  fs.writeFileSync(samples, [SAMPLED_MAGIC, JSON.stringify({ hz: 250, timeBaseNs: '0', holders: true }), ...lines, ''].join('\n'));
  const live = new LiveAnalysis({ schema: RECORDING_MANIFEST_SCHEMA, giltrace: 'test', command: ['python3'], recorderPid: 0, interpreters: [] });
  try {
    live.holderSamplesFrom(samples);
    const bytes = fs.readFileSync(PIPE);
    live.push(bytes);
    run(live, bytes, samples);
  } finally {
    live.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('a live view with holder samples reads perf\'s bytes only as far as their D lines say the drops are named', () => {
  liveWith([], (live, bytes, samples) => {
    assert.equal(live.tick(), undefined, 'no D line yet: nothing read');
    fs.appendFileSync(samples, `D ${bytes.length}\n`);
    const tick = live.tick();
    assert.ok(tick && tick.window.recording.events > 1000, `all of it once named: ${tick?.window.recording.events} events`);
  });
});

test('a live view reads all of perf\'s bytes once the naming stopped (D -1) or the recording is complete', () => {
  liveWith(['D -1'], (live) => {
    assert.ok((live.tick()?.window.recording.events ?? 0) > 1000);
  });
  liveWith([], (live) => {
    assert.ok((live.tick(true)?.window.recording.events ?? 0) > 1000);
  });
});
