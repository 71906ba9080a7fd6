import { test } from 'node:test';
import * as fs from 'node:fs';
import assert from 'node:assert/strict';
import { classifyDropCaller } from './drop-callers.js';
import { resolvePythonExecutable } from './python-target.js';
import { loadElfSymbols } from './elf/symbolizer.js';
import { canRecord, recordProgram, recordTwoThreads, toFileOffset } from '../../test/support/probe-recording.js';
import { pyenvVersion, pyenvVersions } from '../../test/support/probe-oracle.js';

/**
 * drop_gil callers seen on this machine when recording the two-thread program with the probes
 * (pyenv builds, see the live test below), by minor version.
 */
const OBSERVED: Record<number, { forced: string[]; voluntary: string[] }> = {
  6: { forced: ['_PyEval_EvalFrameDefault'], voluntary: ['PyEval_SaveThread', 't_bootstrap'] },
  7: { forced: ['_PyEval_EvalFrameDefault'], voluntary: ['PyEval_SaveThread', 't_bootstrap'] },
  8: { forced: ['_PyEval_EvalFrameDefault'], voluntary: ['PyEval_SaveThread', 't_bootstrap'] },
  9: { forced: ['_PyEval_EvalFrameDefault'], voluntary: ['PyEval_SaveThread', '_PyThreadState_DeleteCurrent'] },
  10: { forced: ['_PyEval_EvalFrameDefault'], voluntary: ['PyEval_SaveThread', '_PyThreadState_DeleteCurrent'] },
  11: { forced: ['_PyEval_EvalFrameDefault'], voluntary: ['PyEval_SaveThread', '_PyThreadState_DeleteCurrent'] },
  12: { forced: ['_Py_HandlePending'], voluntary: ['PyEval_SaveThread', '_PyThreadState_DeleteCurrent', 'PyInterpreterState_Delete'] },
  13: { forced: ['_Py_HandlePending'], voluntary: ['PyEval_SaveThread', '_PyThreadState_DeleteCurrent', 'PyInterpreterState_Delete', '_PySemaphore_Wait'] },
};

test('observed callers classify as observed, per version', () => {
  for (const [minor, seen] of Object.entries(OBSERVED)) {
    const version = { major: 3, minor: Number(minor) };
    for (const name of seen.forced) assert.equal(classifyDropCaller(name, version), 'forced', `3.${minor} ${name}`);
    for (const name of seen.voluntary) assert.equal(classifyDropCaller(name, version), 'voluntary', `3.${minor} ${name}`);
  }
});

test('the eval-loop handler of one version is not mistaken for that of another', () => {
  assert.equal(classifyDropCaller('_Py_HandlePending', { major: 3, minor: 11 }), 'voluntary', 'no such handler before 3.12');
  assert.equal(classifyDropCaller('eval_frame_handle_pending', { major: 3, minor: 10 }), 'forced', 'not inlined in some builds');
  assert.equal(classifyDropCaller('eval_frame_handle_pending', { major: 3, minor: 8 }), 'voluntary');
  // An LTO build may inline _Py_HandlePending into the eval loop; the loop itself never drops voluntarily.
  assert.equal(classifyDropCaller('_PyEval_EvalFrameDefault', { major: 3, minor: 12 }), 'forced');
});

test('compiler clone suffixes are ignored', () => {
  assert.equal(classifyDropCaller('_Py_HandlePending.part.0', { major: 3, minor: 13 }), 'forced');
  assert.equal(classifyDropCaller('_PyEval_EvalFrameDefault.cold', { major: 3, minor: 11 }), 'forced');
  assert.equal(classifyDropCaller('PyEval_SaveThread.lto_priv.0', { major: 3, minor: 11 }), 'voluntary');
  assert.equal(classifyDropCaller('take_gil.lto_priv.0.cold', { major: 3, minor: 11 }), 'voluntary', 'exiting thread during finalisation');
});

test('no symbol, non-CPython-3 versions and strangers on unchecked versions are unknown', () => {
  assert.equal(classifyDropCaller(undefined, { major: 3, minor: 12 }), 'unknown');
  assert.equal(classifyDropCaller('', { major: 3, minor: 12 }), 'unknown');
  assert.equal(classifyDropCaller('PyEval_SaveThread', { major: 4, minor: 0 }), 'unknown');
  assert.equal(classifyDropCaller('some_new_function', { major: 3, minor: 15 }), 'unknown');
  assert.equal(classifyDropCaller('PyEval_SaveThread', { major: 3, minor: 15 }), 'voluntary');
  assert.equal(classifyDropCaller('_Py_HandlePending', { major: 3, minor: 15 }), 'forced');
  // On a checked version, any other caller is voluntary: tail calls land the return address anywhere.
  assert.equal(classifyDropCaller('os_stat', { major: 3, minor: 12 }), 'voluntary');
});

test('live, every pyenv version: recorded drop callers symbolize and classify; both kinds occur', { skip: !canRecord() || pyenvVersions().length === 0 }, (t) => {
  for (const v of pyenvVersions()) {
    const target = resolvePythonExecutable(v.python);
    const rec = recordTwoThreads(target);
    const symbols = loadElfSymbols(target.gilLibrary);
    const byKind: Record<string, Map<string, number>> = { forced: new Map(), voluntary: new Map(), unknown: new Map() };
    for (const e of rec.events) {
      if (!e.name.startsWith('drop')) continue;
      const offset = toFileOffset(rec.mappings, target.gilLibrary, parseInt(e.args.ret, 16));
      const caller = offset === undefined ? undefined : symbols.symbolAtFileOffset(offset);
      const kind = classifyDropCaller(caller, target);
      const name = caller ?? '?';
      byKind[kind].set(name, (byKind[kind].get(name) ?? 0) + 1);
    }
    const show = (m: Map<string, number>): string => [...m].map(([k, n]) => `${k}×${n}`).join(' ');
    t.diagnostic(`${v.version}: forced ${show(byKind.forced)} | voluntary ${show(byKind.voluntary)} | unknown ${show(byKind.unknown)}`);
    assert.equal(byKind.unknown.size, 0, `${v.version}: every caller symbolized`);
    assert.ok(byKind.forced.size > 0, `${v.version}: the switch interval forces some drops`);
    assert.ok((byKind.voluntary.get('PyEval_SaveThread') ?? 0) > 0, `${v.version}: sleep/join release voluntarily`);
    const expected = OBSERVED[v.minor];
    if (expected) for (const name of byKind.forced.keys()) assert.ok(expected.forced.includes(name), `${v.version}: forced caller ${name}`);
  }
});

test("live, Debian's LTO python3.11: inlined drop sites make drops balance takes; forced only from the eval loop", { skip: !canRecord() || !fs.existsSync('/usr/bin/python3.11') }, (t) => {
  let target;
  try {
    target = resolvePythonExecutable('/usr/bin/python3.11');
  } catch (e) {
    t.skip(`not traceable here: ${(e as Error).message}`);
    return;
  }
  const rec = recordTwoThreads(target);
  const symbols = loadElfSymbols(target.gilLibrary);
  const takes = rec.events.filter((e) => e.name.startsWith('take_ret')).length;
  const drops = rec.events.filter((e) => e.name.startsWith('drop'));
  assert.ok(takes > 50);
  // the main thread may end holding the GIL: at most one take without its drop
  assert.ok(takes - drops.length >= 0 && takes - drops.length <= 1, `takes ${takes} drops ${drops.length}`);
  // per thread, holding (take returned) and dropping alternate: no drop was missed
  const holding = new Map<number, boolean>();
  let violations = 0;
  for (const e of rec.events) {
    if (e.name.startsWith('take_ret')) {
      if (holding.get(e.tid)) violations++;
      holding.set(e.tid, true);
    } else if (e.name.startsWith('drop')) {
      if (!holding.get(e.tid)) violations++;
      holding.set(e.tid, false);
    }
  }
  assert.equal(violations, 0);
  const kinds = new Map<string, number>();
  for (const e of drops) {
    const offset = toFileOffset(rec.mappings, target.gilLibrary, parseInt(e.args.ret, 16));
    const caller = offset === undefined ? undefined : symbols.symbolAtFileOffset(offset);
    const key = `${classifyDropCaller(caller, target)} ${caller}`;
    kinds.set(key, (kinds.get(key) ?? 0) + 1);
  }
  t.diagnostic([...kinds].map(([k, n]) => `${k}×${n}`).join(' | '));
  assert.ok((kinds.get('forced _PyEval_EvalFrameDefault') ?? 0) > 0);
  assert.ok((kinds.get('voluntary PyEval_SaveThread') ?? 0) > 0, 'time.sleep/join release through the inlined copy');
  assert.ok([...kinds.keys()].every((k) => !k.startsWith('unknown') && (k.startsWith('voluntary') || k === 'forced _PyEval_EvalFrameDefault')));
});

test('live, 3.13: the drop_gil inlined into PyEval_ReleaseLock is probed (%ip names it), so drops still balance takes', { skip: !canRecord() || !pyenvVersion(13) }, () => {
  const target = resolvePythonExecutable(pyenvVersion(13)!.python);
  const site = target.dropGil.findIndex((s) => s.inlinedInto === 'PyEval_ReleaseLock');
  assert.ok(site > 0);
  // The deprecated C API, called through ctypes in a single-threaded program.
  const rec = recordProgram(target, 'import ctypes\nfor _ in range(3):\n    ctypes.pythonapi.PyEval_ReleaseLock()\n    ctypes.pythonapi.PyEval_AcquireLock()\n');
  const inlinedDrops = rec.events.filter((e) => e.name === `drop_${site}`);
  assert.equal(inlinedDrops.length, 3);
  const symbols = loadElfSymbols(target.gilLibrary);
  for (const e of inlinedDrops) {
    const caller = symbols.symbolAtFileOffset(toFileOffset(rec.mappings, target.gilLibrary, parseInt(e.args.ret, 16)) ?? -1);
    assert.equal(caller, 'PyEval_ReleaseLock');
    assert.equal(classifyDropCaller(caller, target), 'voluntary');
  }
  const takes = rec.events.filter((e) => e.name === 'take_ret').length;
  const drops = rec.events.filter((e) => e.name.startsWith('drop')).length;
  assert.ok(takes - drops >= 0 && takes - drops <= 1, `takes ${takes} drops ${drops}`);
});
