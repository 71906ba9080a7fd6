/**
 * The package as a user gets it (needs npm, root and perf): `npm pack` of this repo, installed
 * globally into a temporary prefix, must hold only what runs and give a working `giltrace` that
 * traces a real program from another folder, with Python thread names (which proves the python
 * hook folder shipped and is found from the installed code).
 *
 * The prefix path holds a space on purpose: the installed code must find its files by real paths,
 * not by URL paths (%20). The repo is packed with --ignore-scripts: `npm test` has just built
 * dist/, and `prepare` would rebuild it under the running suite.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { EXAMPLES, REPO, leftoverProbes } from './giltrace-cli.js';

/** What the tarball may hold: the compiled CLI, the python hook, and npm's usual three files. */
const SHIPPABLE = /^(package\.json|README\.md|LICENSE|dist\/src\/.+\.js|python\/giltrace_site\/[^/]+\.py)$/;
const TEST_ONLY = /\.test\.js$|\/testing\/|\/test-[^/]+\.js$|\.map$|^dist\/(test|bench)\//;
const RUNTIME_DEPENDENCIES = ['commander', 'fzstd'];
const BIN = 'dist/src/cli/main.js';
/**
 * Modules the CLI starts on their own beside those it imports: the sampled mode's worker thread
 * (new Worker(URL)), bundled beside main.js (scripts/build-cli-bundle.mjs). The cleanup watcher
 * is a shell script inside its module.
 */
const SPAWNED = ['dist/src/cli/sample-worker.js'];

/** The user's environment without what `npm test` adds (npm_config_*, npm_package_*, ...). */
const userEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));

function run(file: string, args: readonly string[], cwd: string, timeoutMs: number): SpawnSyncReturns<string> {
  const result = spawnSync(file, args, { cwd, env: userEnv, encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) throw new Error(`${file} ${args.join(' ')}: ${result.error.message}\n${result.stderr ?? ''}`);
  return result;
}

function succeeds(file: string, args: readonly string[]): boolean {
  return spawnSync(file, args, { stdio: 'ignore', timeout: 30_000 }).status === 0;
}

const skip =
  process.getuid?.() !== 0
    ? 'needs root (giltrace records with perf)'
    : !succeeds('npm', ['--version'])
      ? 'needs npm on PATH'
      : !succeeds('perf', ['--version'])
        ? 'needs perf on PATH'
        : false;

describe('npm pack, installed globally into a temporary prefix (needs npm, root and perf)', { skip }, () => {
  let scratch = '';
  let prefix = '';
  let installed = '';
  let giltrace = '';
  let packed: readonly string[] = [];

  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'giltrace npm-install-'));
    prefix = join(scratch, 'prefix');
    const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], REPO, 120_000);
    assert.equal(pack.status, 0, `npm pack failed:\n${pack.stderr}`);
    const [report] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    packed = report.files.map((file) => file.path).sort();
    // --ignore-scripts: giltrace needs no install step, and npm 11 would otherwise list the
    // `prepare` of a tarball (which it never runs) as an unreviewed install script.
    const install = run(
      'npm',
      ['install', '--global', '--prefix', prefix, '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', join(scratch, report.filename)],
      scratch,
      300_000,
    );
    assert.equal(install.status, 0, `npm install -g failed:\n${install.stderr}`);
    assert.doesNotMatch(install.stderr, /npm warn/i, 'installing the tarball prints no warning');
    installed = join(prefix, 'lib/node_modules/giltrace');
    giltrace = join(prefix, 'bin/giltrace');
  });

  after(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test('the tarball holds what runs and nothing else', () => {
    assert.ok(packed.includes(BIN), `the bin ${BIN} is packed`);
    assert.ok(packed.includes('python/giltrace_site/sitecustomize.py'), 'the python hook is packed');
    assert.deepEqual(packed.filter((path) => !SHIPPABLE.test(path) || TEST_ONLY.test(path)), [], 'files that do not run');

    // Every module the CLI imports (or starts) is there; every other packed module is type-only (empty).
    const reached = new Set([BIN, ...SPAWNED].flatMap((entry) => [...importClosure(join(installed, entry))]));
    const unreached = packed
      .filter((path) => path.endsWith('.js') && !reached.has(join(installed, path)))
      .filter((path) => withoutComments(readFileSync(join(installed, path), 'utf8')) !== 'export {};');
    assert.deepEqual(unreached, [], 'packed modules the CLI never imports');
    // the bundle: main.js, the worker, and the chunks the commands share
    assert.ok(reached.size > 10, `the CLI imports ${reached.size} modules`);

    const dependencies = readdirSync(join(installed, 'node_modules')).filter((name) => !name.startsWith('.'));
    assert.deepEqual(dependencies.sort(), RUNTIME_DEPENDENCIES, 'only the runtime dependencies are installed');
  });

  test('giltrace is an installed copy, not a link into this repo', () => {
    assert.ok(existsSync(giltrace), `${giltrace} exists`);
    const target = realpathSync(giltrace);
    assert.equal(target, join(realpathSync(installed), BIN));
    assert.ok(!target.startsWith(realpathSync(REPO)), `${target} lies outside the repo`);
  });

  test('giltrace --help', { timeout: 60_000 }, () => {
    const result = run(giltrace, ['--help'], scratch, 30_000);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^Usage: giltrace /);
    for (const command of ['run', 'record', 'stats', 'report', 'doctor', 'clean']) assert.match(result.stdout, new RegExp(`^  ${command} `, 'm'));
  });

  test('giltrace doctor', { timeout: 120_000 }, () => {
    const result = run(giltrace, ['doctor'], scratch, 60_000);
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    assert.match(result.stdout, /^ok +perf: /m);
    assert.match(result.stdout, /^All good: giltrace can trace\.$/m);
  });

  test('giltrace run -- python3 two_threads.py, from another folder', { timeout: 180_000 }, () => {
    const work = join(scratch, 'elsewhere');
    mkdirSync(work);
    copyFileSync(join(EXAMPLES, 'two_threads.py'), join(work, 'two_threads.py'));
    const result = run(giltrace, ['run', '--', 'python3', 'two_threads.py'], work, 120_000);
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    // `run` prints its summary on stderr: stdout is the traced program's.
    const summary = result.stderr;
    assert.match(summary, /^PID \d+ .*\btwo_threads\.py +\(Python 3\.\d+/m, `the summary names the traced program:\n${summary}`);
    // Python's thread names, not the OS's (python3): only the shipped hook can tell them.
    for (const name of ['MainThread', 'Thread-1 (some_computation)', 'Thread-2 (some_computation)']) {
      assert.match(summary, new RegExp(`^ +\\d+ +${name.replace(/[()]/g, '\\$&')} `, 'm'), `thread ${name} in the summary:\n${summary}`);
    }
    assert.match(summary, /^(GIL-bound|The GIL is contended|GIL is not the bottleneck)/m, 'a verdict');
    assert.match(summary, /^giltrace: report written to giltrace\.html; recording kept in giltrace\.data$/m);
    const report = readFileSync(join(work, 'giltrace.html'), 'utf8');
    assert.match(report, /^<!doctype html>/i);
    assert.ok(report.includes('Thread-1 (some_computation)'), 'the report shows the Python thread names');
    assert.ok(statSync(join(work, 'giltrace.data')).size > 10_000, 'the recording is kept');
    assert.deepEqual(leftoverProbes(), []);
  });
});

/** tsc starts every static import and re-export on a line of its own; dynamic imports anywhere. */
const RELATIVE_IMPORT = /^(?:import|export)\b[^;]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]|^import\s*['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/gm;

/** Every module reached from `entry` by relative static imports; fails on an import that is missing. */
function importClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    assert.ok(existsSync(file), `${relative(dirname(entry), file)} is imported but not packed`);
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)) pending.push(resolve(dirname(file), match[1] ?? match[2] ?? match[3]));
  }
  return seen;
}

function withoutComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '').replace(/^#!.*$/m, '').trim();
}
