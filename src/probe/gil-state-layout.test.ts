/**
 * The GIL state offsets the sampled mode reads, checked against the DWARF of every real build
 * here as gdb reads it. A build whose layout differs fails here, not in a user's run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { debianPythonWithSymbols, pyenvVersions } from '../../test/support/probe-oracle.js';
import { gdbPrint, hasGdb, offset } from '../../test/support/gdb-oracle.js';
import { GIL_STRUCT, gilStateLayoutFor, SAMPLED_MINORS, type GilStateLayout } from './gil-state-layout.js';

function builds(): { label: string; file: string; minor: number }[] {
  const out = pyenvVersions().filter((v) => SAMPLED_MINORS.includes(v.minor)).map((v) => ({ label: `pyenv ${v.version}`, file: v.libpython, minor: v.minor }));
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
  if (minor <= 11) return { runtimeGil: gdbPrint(file, ['&((struct pyruntimestate *)0)->ceval.gil'])[0]!, threadId, threadList };
  return { interpreters: { head: interpreters!, next: interpNext!, gil: gdbPrint(file, [offset('struct _is', 'ceval.gil')])[0]! }, threadId, threadList };
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
  }
});

test('versions without a known GIL state layout have none', () => {
  assert.equal(gilStateLayoutFor(3, 7), undefined);
  assert.equal(gilStateLayoutFor(2, 7), undefined);
  assert.deepEqual(SAMPLED_MINORS, [8, 9, 10, 11, 12, 13]);
});
