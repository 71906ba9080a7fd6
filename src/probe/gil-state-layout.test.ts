/**
 * The GIL state offsets the sampled mode reads, checked against the DWARF of every real build
 * here as gdb reads it. A build whose layout differs fails here, not in a user's run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { debianPythonWithSymbols, pyenvVersions } from '../../test/support/probe-oracle.js';
import { gdbPrint, hasGdb, offset } from '../../test/support/gdb-oracle.js';
import { GLIBC_COND_WREFS } from './cond-waiters.js';
import { GIL_STRUCT, gilPlaceOfStruct, gilReadsOf, gilStateLayoutFor, SAMPLED_MINORS, type GilStateLayout } from './gil-state-layout.js';

function builds(): { label: string; file: string; minor: number }[] {
  // 3.6 has no _PyRuntime: its own test below
  const out = pyenvVersions().filter((v) => SAMPLED_MINORS.includes(v.minor) && v.minor >= 7).map((v) => ({ label: `pyenv ${v.version}`, file: v.libpython, minor: v.minor }));
  const debian = debianPythonWithSymbols();
  if (debian) out.push({ label: "Debian's python3.11", file: debian, minor: 11 });
  return out;
}

function layoutFromDwarf(file: string, minor: number): GilStateLayout {
  const threadField = minor >= 11 ? 'native_thread_id' : 'thread_id';
  const [interpreters, interpNext, head, next, thread] = gdbPrint(file, [
    '&((struct pyruntimestate *)0)->interpreters.head', offset('struct _is', 'next'),
    offset('struct _is', minor >= 11 ? 'threads.head' : 'tstate_head'), offset('struct _ts', 'next'), offset('struct _ts', threadField),
  ]);
  const threadList = { interpreters: interpreters!, interpNext: interpNext!, head: head!, next: next! };
  const threadId = { offset: thread!, kind: minor >= 11 ? ('native' as const) : ('pthread' as const) };
  if (minor <= 11) return { anchor: '_PyRuntime', runtimeGil: gdbPrint(file, ['&((struct pyruntimestate *)0)->ceval.gil'])[0]!, threadId, threadList };
  return { anchor: '_PyRuntime', interpreters: { head: interpreters!, next: interpNext!, gil: gdbPrint(file, [offset('struct _is', 'ceval.gil')])[0]! }, threadId, threadList };
}

function gilStructFromDwarf(file: string): Record<keyof typeof GIL_STRUCT, number> {
  const type = 'struct _gil_runtime_state';
  const [interval, lastHolder, locked, switchNumber, waitFrom, size] = gdbPrint(file, [
    offset(type, 'interval'), offset(type, 'last_holder'), offset(type, 'locked'), offset(type, 'switch_number'), offset(type, 'cond'), `sizeof(${type})`,
  ]);
  return { interval: interval!, lastHolder: lastHolder!, locked: locked!, switchNumber: switchNumber!, waitFrom: waitFrom!, size: size! };
}

test('GIL state layouts equal the DWARF of every build here (gdb)', { skip: !hasGdb ? 'gdb not installed' : builds().length === 0 ? 'no CPython builds here' : false }, () => {
  for (const build of builds()) {
    assert.deepEqual(gilStateLayoutFor(3, build.minor), layoutFromDwarf(build.file, build.minor), build.label);
    assert.deepEqual(GIL_STRUCT, gilStructFromDwarf(build.file), `${build.label}: struct _gil_runtime_state`);
    // the GIL's cond is a glibc pthread_cond_t, its waiters counted at the same place in each
    assert.deepEqual(gdbPrint(build.file, [offset('pthread_cond_t', '__data.__wrefs')]), [GLIBC_COND_WREFS], `${build.label}: __wrefs`);
  }
});

test("3.6's layout equals its DWARF, and its GIL's static variables are ints, pointers and the futexes' sizes (gdb)", {
  skip: !hasGdb ? 'gdb not installed' : !pyenvVersions().some((v) => v.minor === 6) ? 'no pyenv 3.6 here' : false,
}, () => {
  const file = pyenvVersions().find((v) => v.minor === 6)!.libpython;
  const layout = gilStateLayoutFor(3, 6)!;
  const [interpNext, head, next, thread] = gdbPrint(file, [offset('struct _is', 'next'), offset('struct _is', 'tstate_head'), offset('struct _ts', 'next'), offset('struct _ts', 'thread_id')]);
  assert.deepEqual(layout.threadList, { interpreters: 0, interpNext, head, next });
  assert.deepEqual(layout.threadId, { offset: thread, kind: 'pthread' });
  const gil = layout.staticGil!;
  const sizes = gdbPrint(file, [layout.anchor, gil.locked, gil.interval, gil.lastHolder, gil.switchNumber, ...gil.waits].map((name) => `sizeof(${name})`));
  // interp_head a pointer; locked an int (in an atomic struct); interval, last_holder, switch_number 8 bytes; conds 48, mutexes 40
  assert.deepEqual(sizes, [8, 4, 8, 8, 8, 48, 40, 48, 40]);
});

test('versions without a known GIL state layout have none', () => {
  assert.equal(gilStateLayoutFor(3, 5), undefined);
  assert.equal(gilStateLayoutFor(2, 7), undefined);
  assert.deepEqual(SAMPLED_MINORS, [6, 7, 8, 9, 10, 11, 12, 13]);
});

test('a GIL struct is read in one piece; fields far apart (3.6) in as many as it takes', () => {
  const struct = gilReadsOf(gilPlaceOfStruct(0x1000));
  assert.deepEqual(struct.spans.map((s) => [s.address, s.bytes.length]), [[0x1000, 32]]);
  assert.deepEqual(struct.fields, { interval: { span: 0, offset: 0 }, lastHolder: { span: 0, offset: 8 }, locked: { span: 0, offset: 16 }, switchNumber: { span: 0, offset: 24 } });
  // as the pyenv 3.6 build lays them out: locked and interval in .data, the others in .bss
  const apart36 = { locked: 0x2a4fb8, interval: 0x2a4fc0, lastHolder: 0x2fab10, switchNumber: 0x2fab18, cond: 0x2fab40, waits: [] };
  const apart = gilReadsOf(apart36);
  assert.deepEqual(apart.spans.map((s) => [s.address, s.bytes.length]), [[0x2a4fb8, 16], [0x2fab10, 16]]);
  assert.deepEqual(apart.fields, { locked: { span: 0, offset: 0 }, interval: { span: 0, offset: 8 }, lastHolder: { span: 1, offset: 0 }, switchNumber: { span: 1, offset: 8 } });
  // glibc's count of the cond's waiters, 36 bytes into the cond, comes with them: no read more
  assert.deepEqual(gilReadsOf(gilPlaceOfStruct(0x1000), true).spans.map((s) => [s.address, s.bytes.length]), [[0x1000, 72]]);
  assert.deepEqual(gilReadsOf(gilPlaceOfStruct(0x1000), true).fields.condWaiters, { span: 0, offset: 68 });
  // 3.6's cond is a variable of its own (here too far from the others to share their read)
  assert.deepEqual(gilReadsOf(apart36, true).spans.map((s) => [s.address, s.bytes.length]), [[0x2a4fb8, 16], [0x2fab10, 16], [0x2fab64, 4]]);
});
