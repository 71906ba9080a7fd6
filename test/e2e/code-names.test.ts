/**
 * The drop probe reads code object addresses and giltrace names them from the process's memory
 * while it runs (record/drop-codes.ts): recorded for real, including code made at run time and
 * freed at once, whose addresses other code objects take next (a drop must never be named after
 * another code object than its own), a compressed (-z) recording, read as perf writes it, and
 * attached recordings (perf's pipe output, kept by giltrace, read as giltrace writes it).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { analyzeRecording } from '../../src/cli/analyze-recording.js';
import { HOLDER_SAMPLES_FEATURE } from '../../src/contract/sampled-recording.js';
import { openPerfData } from '../../src/perfdata/index.js';
import { debianPythonWithSymbols } from '../support/probe-oracle.js';
import { PROGRAMS, dropsDuring, giltrace, leftoverProbes, pyenvPython, scratchDir } from './giltrace-cli.js';

const dir = scratchDir();
after(() => rmSync(dir, { recursive: true, force: true }));

const ROUNDS = 100;

const interpreters: { label: string; python: string | undefined; compress?: boolean }[] = [
  { label: 'pyenv 3.8', python: pyenvPython('3.8') },
  { label: 'pyenv 3.10', python: pyenvPython('3.10') },
  { label: "Debian's python3.11", python: debianPythonWithSymbols() },
  { label: 'pyenv 3.12', python: pyenvPython('3.12') },
  { label: 'pyenv 3.13, -z', python: pyenvPython('3.13'), compress: true },
];

/** The O lines of a recording's holder samples, by `${pid} ${address}`: how many namings each address had. */
function namingsByAddress(data: string): Map<string, number> {
  const section = openPerfData(data).features.otherSections?.get(HOLDER_SAMPLES_FEATURE);
  assert.ok(section, 'holder samples in the recording');
  const counts = new Map<string, number>();
  for (const line of inflateRawSync(section).toString('utf8').split('\n')) {
    if (!line.startsWith('O ')) continue;
    const [, , pid, code] = line.split(' ');
    counts.set(`${pid} ${code}`, (counts.get(`${pid} ${code}`) ?? 0) + 1);
  }
  return counts;
}

for (const { label, python, compress } of interpreters) {
  test(`root, ${label}: drops in code made and freed at run time are named after their own code, never another's`, { skip: !python && `${label} not here` }, () => {
    const data = join(dir, `reuse-${label.replace(/\W+/g, '_')}.data`);
    const result = giltrace(['record', ...(compress ? ['-z'] : []), '-o', data, '--', python!, join(PROGRAMS, 'code_reuse.py'), String(ROUNDS)]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(leftoverProbes(), []);
    const log = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as [number, number, number, string]);
    assert.equal(log.length, ROUNDS);
    const { timeline, stats } = analyzeRecording(data);
    /** Drops of the slow rounds (odd: their code lives ~30 ms, read while it runs) named after their function. */
    let named = 0;
    let unknown = 0;
    for (const { tid, name, drops } of dropsDuring(timeline, log)) {
      assert.ok(drops, `thread ${tid} recorded`);
      assert.ok(drops.length >= 2, `${name}: its two sleeps let the GIL go`);
      for (const drop of drops) {
        const fn = timeline.functions[timeline.stacks[drop.stack].leaf];
        // named after its own code, or not named: never after the code object before it at that address
        assert.ok(fn.name === name || fn.name === '<unknown>', `a drop in ${name} named ${fn.name} (${fn.file})`);
        if (fn.name === '<unknown>') unknown++;
        if (fn.name === name) {
          assert.equal(fn.file, `<round ${name.slice(2)}>`);
          assert.equal(timeline.stacks[drop.stack].callers[0], 'main');
          if (Number(name.slice(2)) % 2 === 1) named++;
        }
      }
    }
    assert.ok(named >= ROUNDS * 0.9, `${named} of the slow rounds' ${ROUNDS} drops named`);
    // the test means something only if addresses were taken again by other code objects
    const reused = [...namingsByAddress(data).values()].filter((n) => n > 1).length;
    assert.ok(reused >= 3, `${reused} addresses named more than once`);
    // drops left unnamed are said, as soon as they are more than 1 in 50
    const drops = timeline.processes.flatMap((p) => p.threads).reduce((n, t) => n + t.drops.length, 0);
    const said = stats.recording.warnings.find((w) => /in code giltrace could not read/.test(w));
    if (unknown * 50 > drops) assert.ok(said, `${unknown} of ${drops} drops unnamed, and no warning`);
    if (said) assert.ok(Number(/^(\d+) of/.exec(said)?.[1]) >= unknown, said);
  });
}

test('root: code made and freed after a quiet second, when perf is pinged less often, is named after its own code', { skip: !pyenvPython('3.11') && 'no pyenv 3.11' }, () => {
  const data = join(dir, 'late-code.data');
  const result = giltrace(['record', '-o', data, '--', pyenvPython('3.11')!, join(PROGRAMS, 'late_code.py')]);
  assert.equal(result.code, 0, result.stderr);
  const { timeline } = analyzeRecording(data);
  const drops = timeline.processes.flatMap((p) => p.threads).flatMap((t) => t.drops);
  const named = drops.filter((d) => timeline.functions[timeline.stacks[d.stack].leaf].name === 'late_work');
  assert.equal(named.length, 3, `late_work's three sleeps: ${named.length} drops named after it`);
  assert.equal(timeline.functions[timeline.stacks[named[0].stack].leaf].file, 'late_code.py');
});

const attachPython = pyenvPython('3.12') ?? pyenvPython('3.11');

test('root: attached (-p), streamed and -z, the drops are named from the running process too', { skip: !attachPython && 'no pyenv 3.12 or 3.11' }, async () => {
  for (const how of ['streamed', '-z']) {
    const target = spawn(attachPython!, [join(PROGRAMS, 'attach_target.py'), '3'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise<void>((resolve) => target.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve()));
      const data = join(dir, `attached-${how}.data`);
      const run = giltrace(['record', '-p', String(target.pid), '--duration', '1.5', ...(how === 'streamed' ? [] : [how]), '-o', data]);
      assert.equal(run.code, 0, run.stderr);
      const drop = openPerfData(data).eventTypes.find((t) => /:drop$/.test(t.name));
      assert.ok(drop?.field('co0'), `${how}: the drop probe read code addresses`);
      const { stats } = analyzeRecording(data);
      const functions = stats.processes.find((p) => p.pid === target.pid)?.functions ?? [];
      // the crunchers are caught by forced switches in crunch(), where each then waits
      const crunch = functions.find((f) => f.name === 'crunch');
      assert.ok(crunch && crunch.waits > 50, `${how}: ${JSON.stringify(functions.map((f) => [f.name, f.waits]))}`);
      const unknown = functions.find((f) => f.name === '<unknown>');
      assert.ok(!unknown || unknown.waits * 20 < crunch.waits, `${how}: ${unknown?.waits} waits after drops in unnamed code`);
    } finally {
      target.kill('SIGKILL');
    }
  }
  assert.deepEqual(leftoverProbes(), []);
});
