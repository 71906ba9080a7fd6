/**
 * The folders are the pipeline (STYLE.md): perfdata → model → analysis → export, cli on top,
 * base/contract for all; I/O only at the edges; no import cycles. Test helpers live in
 * test/support/, outside the shipped code: shipped src/ never imports anything outside src/, and
 * test/support/ builds only on src/ and itself. This test reads every import and fails on a
 * crossing or a cycle, so the layering cannot rot silently.
 *
 * Imports are read by TypeScript's own scanner (ts.preProcessFile), not a regex: it sees every
 * form (`import`, `import type`, `export … from`, side-effect `import './x.js'`, dynamic
 * `import('./x.js')`) and skips comments and strings that merely look like imports.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ts from 'typescript';
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

/** Every module specifier a source text imports or re-exports, statically or with import(). */
function importsOfText(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

function importsOf(file: string): string[] {
  return importsOfText(readFileSync(file, 'utf8'));
}

/** The repo-relative path a relative specifier of `file` points at. */
function importedPath(file: string, spec: string): string {
  return relative(REPO, join(file, '..', spec));
}

/** The .ts file a relative `./x.js` specifier of `file` compiles from, when it is one. */
function importedSource(file: string, spec: string): string | undefined {
  const target = join(file, '..', spec).replace(/\.js$/, '.ts');
  return target.endsWith('.ts') && existsSync(target) ? target : undefined;
}

/**
 * The strongly connected components of more than one file (or a file importing itself): each
 * is an import cycle. Tarjan's algorithm, iterative so that long chains cannot overflow the stack.
 */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let next = 0;
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; edge: number }[] = [{ node: root, edge: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const edges = graph.get(frame.node) ?? [];
      if (frame.edge < edges.length) {
        const to = edges[frame.edge++];
        if (!graph.has(to)) continue;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.node);
      if (component.length > 1 || edges.includes(frame.node)) cycles.push(component.sort());
    }
  }
  return cycles;
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
    for (const spec of importsOfText(text)) {
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

test('the import reader sees every form of import and nothing in comments or strings', () => {
  const text = [
    "// import x from './in-a-comment.js'",
    "/* export * from './in-a-block-comment.js' */",
    "import type { A } from './a.js';",
    'import {',
    '  b,',
    "} from './b.js';",
    "import './side-effect.js';",
    "export * from './star.js';",
    "export type { T } from './t.js';",
    "const late = await import('./dynamic.js');",
    "const text = \"import('./in-a-string.js')\";",
  ].join('\n');
  assert.deepEqual(importsOfText(text), ['./a.js', './b.js', './side-effect.js', './star.js', './t.js', './dynamic.js']);
});

test('the cycle finder finds each cycle once, with every file in it', () => {
  const graph = new Map<string, string[]>([
    ['a', ['b']],
    ['b', ['c', 'x']],
    ['c', ['a']],
    ['d', ['d']],
    ['e', ['a']],
    ['x', []],
  ]);
  assert.deepEqual(findCycles(graph).sort(), [['a', 'b', 'c'], ['d']]);
  assert.deepEqual(findCycles(new Map([['a', ['b']], ['b', []]])), []);
});

test('no import cycles, counting import type, export … from and dynamic import()', () => {
  const files = [...typeScriptFiles(SRC), ...typeScriptFiles(repoPath('test')), ...typeScriptFiles(repoPath('bench'))];
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = importsOf(file)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => importedSource(file, spec))
      .filter((target): target is string => target !== undefined);
    graph.set(relative(REPO, file), targets.map((target) => relative(REPO, target)));
  }
  const cycles = findCycles(graph);
  assert.deepEqual(cycles, [], `import cycles:\n${cycles.map((c) => c.join(' ⇄ ')).join('\n')}`);
});
