/**
 * The one place tests learn where their data is. Every path is resolved from where this file sits
 * inside the repo (tests run compiled, from dist/test/support/), so a clone works wherever it is
 * and no test reads anything outside it. See test/fixtures/third-party/README.md for how each
 * third-party file was made.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** The nearest folder above this file with a package.json: the repo, whether run from dist/ or not. */
function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}: cannot locate the repo`);
  }
}

export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the repo, from repo-relative parts ('test/programs', 'x.py'). */
export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}

/** Golden recordings made by giltrace itself: test/fixtures/python3.X/<case>.data + .golden.json + .golden.timeline.txt. */
export const GOLDEN_FIXTURES = repoPath('test/fixtures');
/** Python programs the tests trace. */
export const TEST_PROGRAMS = repoPath('test/programs');
/** The bundled examples (also traced by the tests). */
export const EXAMPLES = repoPath('examples');
/** The built CLI. */
export const CLI = repoPath('dist/src/cli/main.js');
/** Our restatement of Perfetto's trace schema, the oracle for the Perfetto encoder's tests. */
export const PERFETTO_SCHEMA = repoPath('test/fixtures/perfetto/trace-subset.proto');

const THIRD_PARTY = repoPath('test/fixtures/third-party');

/**
 * A file made by a third-party tool (perf, VizTracer, the python-gil-tracer script). Throws when it is not
 * there: the data is committed, so a missing file is a broken checkout, not a reason to skip.
 */
export function thirdParty(name: string): string {
  const path = join(THIRD_PARTY, name);
  if (!existsSync(path)) throw new Error(`missing test fixture ${path} (see test/fixtures/third-party/README.md)`);
  return path;
}

/** A text fixture; `.gz` files (the big perf script dumps) are decompressed. */
export function readFixtureText(path: string): string {
  const bytes = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

/** The text of a third-party fixture: thirdParty + readFixtureText. */
export function thirdPartyText(name: string): string {
  return readFixtureText(thirdParty(name));
}

/** Line tables of each pyenv build with CPython's own lines for them: test/fixtures/line-tables/python3.X.json. */
export const LINE_TABLE_FIXTURES = repoPath('test/fixtures/line-tables');
