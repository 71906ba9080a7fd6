/**
 * The folders are the pipeline (STYLE.md): perfdata → model → analysis → export, cli on top,
 * base/contract for all; I/O only at the edges. This test reads every import and fails on a
 * crossing, so the layering cannot rot silently.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';

const SRC = new URL('../../src/', import.meta.url).pathname;

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

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
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
