/**
 * A recording's stats kept between commands (stats-cache.ts): served again only for the same
 * unchanged file, exactly as computed (the JSON and the summary table), what `run`'s report
 * analysis keeps is what `stats` computes, and recordings whose analysis reads this machine's
 * files are never kept. Golden recordings made by giltrace (with their manifest) and a
 * third-party perf.data (without), copied into a scratch folder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GOLDEN_FIXTURES, repoPath } from '../../test/support/fixture-paths.js';
import { withScratchCache } from '../../test/support/scratch-cache.js';
import { analyzeRecordingReport, analyzeRecordingStats } from './analyze-recording.js';
import { keepRecordingStats, recordingStats } from './stats-cache.js';
import { formatSummary } from './summary-table.js';

/** Runs `body` in a scratch folder that also holds the caches (`kept`: the stats' files there), with GILTRACE_NO_CACHE unset. */
function withScratch(body: (dir: string, kept: () => string[]) => void): void {
  withScratchCache('giltrace-stats-cache-', (dir) => {
    const keptDir = join(dir, 'cache', 'giltrace', 'stats-v1');
    body(dir, () => (existsSync(keptDir) ? readdirSync(keptDir).map((name) => join(keptDir, name)) : []));
  });
}

/** recordingStats of `file`, counting the analyses it had to make. */
function counted(file: string) {
  let analyses = 0;
  return {
    get analyses() {
      return analyses;
    },
    stats: () =>
      recordingStats(file, () => {
        analyses++;
        return analyzeRecordingStats(file);
      }),
  };
}

test('the stats of a recording giltrace made are kept: served again exactly as computed while the file is unchanged, computed again once it changes', () => {
  withScratch((dir, kept) => {
    const file = join(dir, 'two_lines.data');
    copyFileSync(join(GOLDEN_FIXTURES, 'python3.12', 'two_lines.data'), file);
    const reader = counted(file);
    const first = reader.stats();
    assert.equal(reader.analyses, 1);
    assert.equal(kept().length, 1);
    const second = reader.stats();
    assert.equal(reader.analyses, 1, 'served from what was kept');
    assert.equal(JSON.stringify(second.stats), JSON.stringify(first.stats));
    assert.equal(formatSummary(second.stats, second.verdict, false), formatSummary(first.stats, first.verdict, false));
    assert.deepEqual(second.verdict, first.stats.verdict);

    // really from the kept file: a value changed there by hand comes back
    const [entry] = kept();
    const stored = JSON.parse(readFileSync(entry, 'utf8'));
    stored.answer.recording.events = -1;
    writeFileSync(entry, JSON.stringify(stored));
    assert.equal(reader.stats().stats.recording.events, -1);

    // the recording written again (same bytes, a new write): read again
    copyFileSync(join(GOLDEN_FIXTURES, 'python3.12', 'two_lines.data'), file);
    assert.equal(reader.stats().stats.recording.events, first.stats.recording.events);
    assert.equal(reader.analyses, 2);

    // GILTRACE_NO_CACHE=1: read every time
    process.env.GILTRACE_NO_CACHE = '1';
    reader.stats();
    assert.equal(reader.analyses, 3);
  });
});

test("what the HTML report's analysis (run, report) keeps is what stats computes, and a later stats is served from it", () => {
  withScratch((dir) => {
    const file = join(dir, 'hashlib_threads.data');
    copyFileSync(join(GOLDEN_FIXTURES, 'python3.12', 'hashlib_threads.data'), file);
    const fresh = analyzeRecordingStats(file);
    keepRecordingStats(file, analyzeRecordingReport(file));
    const reader = counted(file);
    assert.equal(JSON.stringify(reader.stats().stats), JSON.stringify(fresh.stats));
    assert.equal(reader.analyses, 0);
  });
});

test("a recording giltrace did not make (its drops told apart by this machine's files) is never kept", () => {
  withScratch((dir, kept) => {
    const file = join(dir, 'per4m.perf.data');
    copyFileSync(repoPath('test/fixtures/third-party/per4m_native_py312.perf.data'), file);
    const reader = counted(file);
    reader.stats();
    reader.stats();
    assert.equal(reader.analyses, 2);
    assert.deepEqual(kept(), []);
  });
});
