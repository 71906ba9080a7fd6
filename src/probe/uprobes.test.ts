import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { GiltraceError } from '../base/errors.js';
import { resolvePythonExecutable, type PythonTarget } from './python-target.js';
import { addEvents, listProbeGroups, probeDefinitions, registerGilProbes, removeStaleProbeGroups, type GilProbeGroup } from './uprobes.js';
import { ensureTracefs } from './tracefs.js';
import { canRecord, recordProgram, recordTwoThreads } from '../../test/support/probe-recording.js';
import { makeTempDir, pyenvVersion } from '../../test/support/probe-oracle.js';

const py312 = pyenvVersion(12);
const py38 = pyenvVersion(8);
const py313 = pyenvVersion(13);
const live = canRecord();

function uprobeLines(group: string): string[] {
  return fs.readFileSync(path.join(ensureTracefs(), 'uprobe_events'), 'utf8').split('\n').filter((l) => l.includes(`${group}/`));
}

test('event names and fetchargs: take/drop (take_ret with takeReturns), then _1, _2 for further copies', () => {
  const target: PythonTarget = {
    executable: '/x/python3.8',
    version: '3.8.18',
    major: 3,
    minor: 8,
    freeThreaded: false,
    gilLibrary: '/x/libpython3.8.so.1.0',
    symbolSource: '/x/libpython3.8.so.1.0',
    takeGil: [
      { symbol: 'take_gil', fileOffset: 0x174160, vaddr: 0x174160 },
      { symbol: 'take_gil.constprop.0', fileOffset: 0x1743c0, vaddr: 0x1743c0 },
    ],
    dropGil: [{ symbol: 'drop_gil', fileOffset: 0x172c30, vaddr: 0x172c30 }],
    dropCallers: { forced: [], voluntary: [], otherwise: 'voluntary' },
  };
  assert.deepEqual(probeDefinitions(target, 'giltrace_1_1'), [
    { name: 'take', definition: 'p:giltrace_1_1/take /x/libpython3.8.so.1.0:0x174160' },
    { name: 'take_1', definition: 'p:giltrace_1_1/take_1 /x/libpython3.8.so.1.0:0x1743c0' },
    { name: 'drop', definition: 'p:giltrace_1_1/drop /x/libpython3.8.so.1.0:0x172c30 ret=+0(%sp):x64' },
  ]);
  assert.deepEqual(probeDefinitions(target, 'giltrace_1_1', { takeReturns: true }), [
    { name: 'take', definition: 'p:giltrace_1_1/take /x/libpython3.8.so.1.0:0x174160' },
    { name: 'take_ret', definition: 'r:giltrace_1_1/take_ret /x/libpython3.8.so.1.0:0x174160' },
    { name: 'take_1', definition: 'p:giltrace_1_1/take_1 /x/libpython3.8.so.1.0:0x1743c0' },
    { name: 'take_ret_1', definition: 'r:giltrace_1_1/take_ret_1 /x/libpython3.8.so.1.0:0x1743c0' },
    { name: 'drop', definition: 'p:giltrace_1_1/drop /x/libpython3.8.so.1.0:0x172c30 ret=+0(%sp):x64' },
  ]);
  const withInterp = probeDefinitions({ ...target, interpArg: 'interp=+16(%di):x64', takeGil: target.takeGil.slice(0, 1) }, 'g');
  assert.equal(withInterp[0].definition, 'p:g/take /x/libpython3.8.so.1.0:0x174160 interp=+16(%di):x64');
  assert.throws(() => probeDefinitions({ ...target, gilLibrary: '/x y/lib.so' }, 'g'), /paths containing spaces/);
});

test('3.12: register, record the two-thread program with perf, read take/take_ret/drop with args, remove', { skip: !live || !py312 }, () => {
  const target = resolvePythonExecutable(py312!.python);
  const rec = recordTwoThreads(target);
  assert.match(rec.group, new RegExp(`^giltrace_${process.pid}_\\d+$`));
  assert.deepEqual(rec.eventNames, ['take', 'take_ret', 'drop'].map((n) => `${rec.group}:${n}`));
  const count = (name: string): number => rec.events.filter((e) => e.name === name).length;
  assert.ok(count('take') > 50, `take events: ${count('take')}`);
  assert.equal(count('take'), count('take_ret'), 'every take returns (no daemon threads)');
  assert.ok(Math.abs(count('drop') - count('take')) <= 1, `drops ${count('drop')} vs takes ${count('take')}`);
  const threads = new Set(rec.events.map((e) => e.tid));
  assert.equal(threads.size, 3, 'main thread + 2 workers');
  const interps = new Set(rec.events.filter((e) => e.name === 'take').map((e) => e.args.interp));
  assert.equal(interps.size, 1, 'one interpreter: tstate->interp is the same for every thread');
  assert.match([...interps][0], /^0x[0-9a-f]{6,}$/);
  assert.ok(rec.events.filter((e) => e.name === 'drop').every((e) => /^0x[0-9a-f]+$/.test(e.args.ret)), 'drop carries ret');
  assert.deepEqual(rec.busyAfterPerfExit, []);
  assert.deepEqual(rec.leftAfterRemove, [], 'nothing of the group left in uprobe_events');
  assert.ok(!listProbeGroups().includes(rec.group));
  assert.ok(!fs.existsSync(path.join(ensureTracefs(), 'events', rec.group)), 'events dir gone');
});

test('3.8: two take_gil copies each get an entry and a return probe', { skip: !live || !py38 }, () => {
  const rec = recordTwoThreads(resolvePythonExecutable(py38!.python));
  const names = new Set(rec.events.map((e) => e.name));
  for (const n of ['take', 'take_ret', 'take_1', 'take_ret_1', 'drop']) assert.ok(names.has(n), `${n} fired`);
  assert.deepEqual(rec.leftAfterRemove, []);
});

test('events perf has open cannot be removed (reported, not thrown); removal after perf exits works', { skip: !live || !py312 }, async () => {
  const target = resolvePythonExecutable(py312!.python);
  const dir = makeTempDir('busy');
  let group: GilProbeGroup | undefined;
  try {
    group = registerGilProbes(target);
    assert.equal(uprobeLines(group.group).length, 2, 'take and drop');
    const perf = spawn('perf', ['record', '-q', '-N', '-e', `${group.group}:*`, '-o', path.join(dir, 'x.data'), '--', target.executable, '-c', 'import time; time.sleep(2.5)'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => perf.on('exit', resolve));
    await sleep(1200);
    const busy = group.remove();
    assert.deepEqual([...busy].sort(), [...group.eventNames].sort(), 'both are busy while perf runs');
    assert.equal(uprobeLines(group.group).length, 2, 'still defined');
    await exited;
    assert.deepEqual(group.remove(), []);
    assert.deepEqual(uprobeLines(group.group), []);
    assert.deepEqual(group.remove(), [], 'idempotent');
  } finally {
    group?.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a failing registration removes what it added before throwing', { skip: !live || !py312 }, () => {
  const target = resolvePythonExecutable(py312!.python);
  const tracefs = ensureTracefs();
  const group = `giltrace_${process.pid}_900`;
  const lines = probeDefinitions(target, group, { takeReturns: true });
  // The kernel accepts take and take_ret, then refuses a probe on a file that does not exist.
  const broken = [...lines.slice(0, 2), { name: 'drop', definition: `p:${group}/drop /nonexistent/libpython.so:0x10` }];
  assert.throws(
    () => addEvents(tracefs, group, broken),
    (e: unknown) => e instanceof GiltraceError && e.message.startsWith(`could not add uprobe 'p:${group}/drop /nonexistent/libpython.so:0x10' to ${tracefs}/uprobe_events: `),
  );
  assert.deepEqual(uprobeLines(group), [], 'take and take_ret were rolled back');
  assert.deepEqual(addEvents(tracefs, group, lines), ['take', 'take_ret', 'drop']);
  for (const n of ['drop', 'take_ret', 'take']) fs.appendFileSync(path.join(tracefs, 'uprobe_events'), `-:${group}/${n}\n`);
  assert.deepEqual(uprobeLines(group), []);
});

test('stale groups of dead processes are removed; groups of live processes are kept', { skip: !live || !py312 }, () => {
  const target = resolvePythonExecutable(py312!.python);
  const tracefs = ensureTracefs();
  // A pid that surely is dead: a child that already exited.
  const dead = spawnSync('true').pid as number;
  const staleGroup = `giltrace_${dead}_1`;
  const lib = target.gilLibrary;
  const off = `0x${target.takeGil[0].fileOffset.toString(16)}`;
  let mine: GilProbeGroup | undefined;
  try {
    fs.appendFileSync(path.join(tracefs, 'uprobe_events'), `p:${staleGroup}/take ${lib}:${off}\nr:${staleGroup}/take_ret ${lib}:${off}\n`);
    mine = registerGilProbes(target);
    assert.ok(listProbeGroups().includes(staleGroup));
    const removed = removeStaleProbeGroups();
    assert.ok(removed.includes(staleGroup), `removed ${removed.join(',')}`);
    assert.ok(!removed.includes(mine.group), 'own live group kept');
    assert.deepEqual(uprobeLines(staleGroup), []);
    assert.equal(uprobeLines(mine.group).length, 2, 'take and drop');
  } finally {
    mine?.remove();
    fs.appendFileSync(path.join(tracefs, 'uprobe_events'), '');
    for (const n of ['take', 'take_ret']) {
      try {
        fs.appendFileSync(path.join(tracefs, 'uprobe_events'), `-:${staleGroup}/${n}\n`);
      } catch {
        // already removed by the code under test
      }
    }
  }
});

test('two registrations in one process get distinct groups', { skip: !live || !py312 }, () => {
  const target = resolvePythonExecutable(py312!.python);
  const a = registerGilProbes(target);
  let b: GilProbeGroup | undefined;
  try {
    b = registerGilProbes(target);
    assert.notEqual(a.group, b.group);
    a.remove();
    assert.equal(uprobeLines(b.group).length, 2, "removing one leaves the other's probes");
  } finally {
    a.remove();
    b?.remove();
  }
});

/** A subinterpreter with its own GIL (3.12 isolated=True; 3.13's default) next to the main one. */
const SUBINTERPRETER_PY: Record<number, string> = {
  12: 'import _xxsubinterpreters as subs\nsub = subs.create(isolated=True)\n',
  13: 'import _interpreters as subs\nsub = subs.create()\n',
};
const SUBINTERPRETER_BODY = [
  'import threading',
  'def run():',
  '    subs.run_string(sub, "import time\\ns = 0\\nfor i in range(300000): s += i\\ntime.sleep(0.05)")',
  't = threading.Thread(target=run); t.start()',
  's = 0',
  'for i in range(300000): s += i',
  't.join()',
  'subs.destroy(sub)',
  '',
].join('\n');

for (const v of [py312, py313]) {
  test(`${v?.version ?? '3.1x'}: interp=+16(%di) separates a subinterpreter's own GIL from the main one`, { skip: !live || !v }, () => {
    const target = resolvePythonExecutable(v!.python);
    assert.equal(target.interpArg, 'interp=+16(%di):x64');
    const rec = recordProgram(target, SUBINTERPRETER_PY[v!.minor] + SUBINTERPRETER_BODY);
    const takes = rec.events.filter((e) => e.name === 'take');
    const interps = new Map<string, number>();
    for (const e of takes) interps.set(e.args.interp, (interps.get(e.args.interp) ?? 0) + 1);
    assert.equal(interps.size, 2, `two GILs: ${[...interps].join(' ')}`);
    for (const [interp, n] of interps) assert.ok(n > 10, `${interp} taken ${n} times`);
    assert.deepEqual(rec.leftAfterRemove, []);
  });
}

test('withMarker adds the strverscmp marker event to the same group, and remove() takes it away too', { skip: !live || !py312 }, () => {
  const target = resolvePythonExecutable(py312!.python);
  const group = registerGilProbes(target, { withMarker: true });
  try {
    assert.deepEqual(group.eventNames, ['take', 'drop', 'mark'].map((n) => `${group.group}:${n}`));
    const mark = uprobeLines(group.group).find((l) => l.includes(`${group.group}/mark `));
    assert.match(mark ?? '', /libc\.so\.6:0x[0-9a-f]+ text=\+0\(%di\):string magic=\+0\(%si\):string$/);
  } finally {
    assert.deepEqual(group.remove(), []);
  }
  assert.deepEqual(uprobeLines(group.group), []);
});
