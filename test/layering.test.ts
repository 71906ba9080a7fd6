/**
 * The folders are the pipeline (STYLE.md): perfdata → model → analysis → export, cli on top,
 * base/contract for all; I/O only at the edges. Test helpers live in test/support/, outside the
 * shipped code: shipped src/ never imports anything outside src/, and test/support/ builds only on
 * src/ and itself. This test reads every import and fails on a crossing, so the layering cannot
 * rot silently.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REPO_ROOT, repoPath } from './support/fixture-paths.js';

const REPO = REPO_ROOT;
const SRC = repoPath('src');
const TEST_SUPPORT = repoPath('test/support');

const ALLOWED: Record<string, readonly string[]> = {
  base: [],
  contract: ['base'],
  perfdata: ['base', 'contract'],
  probe: ['base', 'contract'],
  // record writes giltrace's manifest into the perf.data it made (perfdata knows the format).
  record: ['base', 'contract', 'probe', 'perfdata'],
  model: ['base', 'contract', 'perfdata'],
  analysis: ['base', 'contract', 'model'],
  export: ['base', 'contract', 'model', 'analysis'],
  'report-ui': ['base', 'contract'],
  cli: ['base', 'contract', 'perfdata', 'probe', 'record', 'model', 'analysis', 'export'],
};
/** Pure stages: no file system, processes or environment. */
const PURE = new Set(['model', 'analysis', 'export', 'report-ui', 'contract', 'base']);
const IMPURE_MODULES = /^node:(fs|child_process|os|net|process)|^(fs|child_process)$/;

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return typeScriptFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** Shipped code: everything under src/ except the tests beside it. */
function sourceFiles(dir: string): string[] {
  return typeScriptFiles(dir).filter((path) => !path.endsWith('.test.ts'));
}

/** The module specifiers a file imports or re-exports. */
function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
}

/** The repo-relative path a relative specifier of `file` points at. */
function importedPath(file: string, spec: string): string {
  return relative(REPO, join(file, '..', spec));
}

test('every import follows the pipeline direction and pure stages do no I/O', () => {
  const problems: string[] = [];
  const files = sourceFiles(SRC);
  assert.ok(files.length > 10, `expected source files under ${SRC}`);
  for (const file of files) {
    const stage = relative(SRC, file).split('/')[0];
    const allowed = ALLOWED[stage];
    if (!allowed) {
      problems.push(`${relative(SRC, file)}: folder '${stage}' is not a known stage`);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
      const spec = match[1];
      if (spec.startsWith('.')) {
        const target = relative(SRC, join(file, '..', spec)).split('/')[0];
        if (target !== stage && !allowed.includes(target)) problems.push(`${relative(SRC, file)} imports ${spec} (${stage} → ${target})`);
      } else if (PURE.has(stage) && IMPURE_MODULES.test(spec)) {
        problems.push(`${relative(SRC, file)} is in pure stage '${stage}' but imports ${spec}`);
      }
    }
    if (PURE.has(stage) && /\bprocess\.(env|argv|exit|stdout|stderr|cwd)\b/.test(text)) {
      problems.push(`${relative(SRC, file)} is in pure stage '${stage}' but uses process`);
    }
  }
  assert.deepEqual(problems, []);
});

test('shipped code never imports test code; test helpers build only on src/ and test/support/', () => {
  const problems: string[] = [];
  /** Flags every relative import of `files` that leads outside `allowed` (repo-relative prefixes) or to a test file. */
  const check = (files: readonly string[], allowed: readonly string[], what: string) => {
    for (const file of files) {
      for (const spec of importsOf(file).filter((s) => s.startsWith('.'))) {
        const to = importedPath(file, spec);
        if (!allowed.some((prefix) => to.startsWith(prefix)) || to.endsWith('.test.js')) {
          problems.push(`${relative(REPO, file)} (${what}) imports ${spec}: ${to} is outside ${allowed.join(' and ')}`);
        }
      }
    }
  };
  const all = typeScriptFiles(SRC);
  check(all.filter((path) => !path.endsWith('.test.ts')), ['src/'], 'shipped');
  check(all.filter((path) => path.endsWith('.test.ts')), ['src/', 'test/support/'], 'a test beside the code');
  const helpers = typeScriptFiles(TEST_SUPPORT);
  assert.ok(helpers.length > 3, `expected helpers under ${TEST_SUPPORT}`);
  check(helpers, ['src/', 'test/support/'], 'a test helper');
  for (const file of helpers) if (file.endsWith('.test.ts')) problems.push(`${relative(REPO, file)}: tests do not belong in test/support/`);
  assert.deepEqual(problems, []);
});
