/**
 * Function context, recorded for real on every interpreter here: the functions giltrace names
 * are the ones the programs were in (checked against the programs' own account of where they
 * were, and against a program whose GIL behaviour is known).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeRecording } from '../../src/cli/analyze-recording.js';
import type { FunctionStats } from '../../src/contract/stats.js';
import { debianPythonWithSymbols } from '../support/probe-oracle.js';
import { PROGRAMS, PYENV_MINORS, dropsDuring, giltrace, leftoverProbes, pyenvPython, scratchDir, tracedProcess } from './giltrace-cli.js';

const dir = scratchDir();
after(() => rmSync(dir, { recursive: true, force: true }));

const interpreters: { label: string; python: string | undefined }[] = [
  ...PYENV_MINORS.map((minor) => ({ label: `pyenv ${minor}`, python: pyenvPython(minor) })),
  { label: "Debian's python3.11 (LTO, symbols from python3.11-dbg)", python: debianPythonWithSymbols() },
];

function record(python: string, program: string, name: string): string {
  const data = join(dir, `${name}.data`);
  const result = giltrace(['record', '-o', data, '--', python, join(PROGRAMS, program)]);
  assert.equal(result.code, 0, result.stderr);
  return data;
}

function fn(functions: readonly FunctionStats[], name: string): FunctionStats {
  const found = functions.find((f) => f.name === name);
  assert.ok(found, `no function ${name} among ${functions.map((f) => f.name).join(', ')}`);
  return found;
}

for (const { label, python } of interpreters) {
  test(`root, ${label}: hot() holds the GIL while the hasher waits, and the hasher waits in hasher()`, { skip: !python && `${label} not here` }, () => {
    const data = record(python!, 'hot_and_hasher.py', `hot-${label.replace(/\W+/g, '_')}`);
    const { stats } = analyzeRecording(data);
    const process = tracedProcess(stats);
    const functions = process.functions;
    assert.ok(functions, 'the recording has function context');
    assert.equal(functions[0].name, 'hot', `top by held while others wait: ${functions.slice(0, 3).map((f) => f.name).join(', ')}`);
    const hot = functions[0];
    assert.match(hot.file, /hot_and_hasher\.py$/);
    assert.equal(hot.line, 11, 'the line of `def hot`');
    assert.ok(hot.held_while_others_wait_ns > 0.5 * process.gil.contended_ns, 'hot() is most of the contention');
    assert.ok(hot.forced_drops > 0, 'the switch interval catches hot() in the act');
    assert.equal(hot.stacks[0].callers[0], 'spin', 'called from spin()');
    const hasher = fn(functions, 'hasher');
    assert.ok(hasher.waits >= 8 && hasher.wait_ns > 0, `the hasher asked for the GIL in hasher() (${hasher.waits} waits)`);
    const hasherThread = process.threads.find((t) => t.name === 'hasher')!;
    assert.equal(hasherThread.top_functions?.[0].name, 'hasher');
    assert.deepEqual(leftoverProbes(), []);
  });

  test(`root, ${label}: non-ASCII function names are read as they are`, { skip: !python && `${label} not here` }, () => {
    const data = record(python!, 'non_ascii_names.py', `names-${label.replace(/\W+/g, '_')}`);
    const functions = tracedProcess(analyzeRecording(data).stats).functions!;
    const mine = functions.filter((f) => f.file.endsWith('non_ascii_names.py')).map((f) => f.name);
    for (const name of ['café', '計算']) assert.ok(mine.includes(name), `${name} among ${mine.join(', ')}`);
    assert.ok(!mine.includes('<non-ASCII name>'), mine.join(', '));
  });

  test(`root, ${label}: the recorded functions are where the program says it was`, { skip: !python && `${label} not here` }, () => {
    const data = join(dir, `sites-${label.replace(/\W+/g, '_')}.data`);
    const result = giltrace(['record', '-o', data, '--', python!, join(PROGRAMS, 'known_call_sites.py')]);
    assert.equal(result.code, 0, result.stderr);
    const log = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as [number, number, number, string]);
    assert.equal(log.length, 40);
    const { timeline } = analyzeRecording(data);
    // the sleep released the GIL inside the logged function: a drop in [start, end] names it
    for (const { tid, name, drops } of dropsDuring(timeline, log)) {
      assert.ok(drops, `thread ${tid} recorded`);
      assert.ok(drops.length > 0, `a drop of ${tid} during ${name}`);
      for (const drop of drops) {
        const stack = timeline.stacks[drop.stack];
        assert.equal(timeline.functions[stack.leaf].name, name, `drop at ${drop.time}`);
        assert.equal(stack.callers[0], 'worker');
      }
    }
  });
}

const scraperPython = pyenvPython('3.12') ?? pyenvPython('3.13') ?? pyenvPython('3.11');

test('root: a scraper (4 threads fetch from a local http.server and parse with html.parser): the parsing holds the GIL, request threads are one group, the verdict names both', { skip: !scraperPython && 'no pyenv 3.11+' }, () => {
  const data = record(scraperPython!, 'http_scraper.py', 'scraper');
  const { stats, verdict } = analyzeRecording(data);
  const process = tracedProcess(stats);
  const groups = new Map(process.thread_groups.map((g) => [g.name, g]));
  assert.equal(groups.get('scraper-*')?.tids.length, 4);
  assert.equal(groups.get('Thread-* (process_request_thread)')?.tids.length, 60, [...groups.keys()].join(', '));
  const caught = [...process.functions!].sort((a, b) => b.forced_held_while_others_wait_ns - a.forced_held_while_others_wait_ns).slice(0, 5);
  const parsing = caught.filter((f) => /html\/parser\.py$|_markupbase\.py$/.test(f.file));
  assert.ok(parsing.length >= 2, `parsing among the top holders while others waited: ${caught.map((f) => `${f.name} ${f.file}`).join(', ')}`);
  const said = [verdict.headline, ...verdict.details].join('\n');
  assert.ok(['gil-bound', 'gil-contended'].includes(verdict.kind), verdict.headline);
  assert.match(said, /scraper-\* \(4 threads\)/);
  assert.match(said, /parser\.py/);
  const table = giltrace(['stats', data]).stdout;
  assert.match(table, /×60 +Thread-\* \(process_request_thread\)/);
  assert.ok(!/Thread-\d+ \(process_request_thread\)/.test(table), 'no row per request thread');
});

test('root: lambdas called from C, generators consumed by C and asyncio coroutines are named', { skip: !scraperPython && 'no pyenv 3.11+' }, () => {
  const data = record(scraperPython!, 'lambdas_generators_coroutines.py', 'lambdas');
  const functions = tracedProcess(analyzeRecording(data).stats).functions!;
  const caught = (name: string) => functions.find((f) => f.name === name && f.forced_drops > 0);
  assert.ok(caught('lambdas.<locals>.<lambda>'), 'the lambda map() calls');
  assert.equal(caught('squares')?.stacks[0].callers[0], 'generators', 'the generator sum() consumes, called from generators()');
  assert.ok(caught('crunch'), 'the coroutine asyncio runs');
});

test('root: C code that keeps the GIL (json.loads of 7.7 MB in 8 threads) reads gil-held-long, naming the Python function that called it', { skip: !scraperPython && 'no pyenv 3.11+' }, () => {
  const data = record(scraperPython!, 'json_loads_threads.py', 'json');
  const { verdict, stats } = analyzeRecording(data);
  // json.loads → JSONDecoder.decode → raw_decode, the Python function that calls the C scanner
  const decode = tracedProcess(stats).functions!.find((f) => f.name === 'JSONDecoder.raw_decode')!;
  assert.ok(decode.longest_contended_run_ns > 50e6, `one parse kept the GIL ${decode.longest_contended_run_ns / 1e6} ms while others waited`);
  assert.deepEqual(decode.stacks[0].callers, ['JSONDecoder.decode', 'loads']);
  assert.equal(verdict.kind, 'gil-held-long', verdict.headline);
  // at the line that calls the scanner, from the holder samples taken during the parse
  assert.match(verdict.headline, /^JSONDecoder\.raw_decode \(decoder\.py:\d+\) at line \d+ `obj, end = self\.scan_once\(s, idx\)`, called from JSONDecoder\.decode ← loads, kept the GIL for .* in one go/);
});

// A script's top level and a lambda are code of the program: the verdict names them like any function
// (it left out every name in angle brackets until 12-07, and then had no culprit to name).
for (const minor of ['3.8', '3.12']) {
  const python = pyenvPython(minor);
  test(`root, pyenv ${minor}: the verdict names a script's top level (<module>) and a <lambda> that held the GIL while others waited`, { skip: !python && `pyenv ${minor} not here` }, () => {
    const data = join(dir, `angle-${minor}.data`);
    const run = giltrace(['record', '-o', data, '--', python!, join(PROGRAMS, 'angle_bracket_code.py')]);
    assert.equal(run.code, 0, run.stderr);
    const { loop_line } = JSON.parse(run.stdout.trim().split('\n').pop()!) as { loop_line: number };
    const verdict = analyzeRecording(data).stats.verdict!;
    assert.equal(verdict.kind, 'gil-bound', verdict.headline);
    assert.match(verdict.headline, /held it \(.*<module>.*\)|while <module> \(angle_bracket_code\.py:1\) held it/, verdict.headline);
    // (a forced switch lands on the loop's body or its `for` line, the line before)
    const atLoop = new RegExp(`came after <module> \\(angle_bracket_code\\.py:1\\) let the GIL go at line (${loop_line}|${loop_line - 1}) `);
    assert.ok(verdict.details.some((d) => atLoop.test(d)), verdict.details.join('\n'));
    // the worker's lambda (its comprehension to 3.11)
    assert.ok(verdict.details.some((d) => /came after <(lambda|listcomp)> \(angle_bracket_code\.py:\d+\) let the GIL go/.test(d)), verdict.details.join('\n'));
    assert.deepEqual(leftoverProbes(), []);
  });
}
