/**
 * The frame layouts, thread-state registers and last-holder offsets giltrace uses to read Python
 * stacks, checked against the DWARF of every real build here, as gdb reads it (an oracle that
 * shares no code with giltrace). A new build whose layout differs fails here, not in a user's run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { debianPythonWithSymbols, pyenvVersions } from '../../test/support/probe-oracle.js';
import { gdbPrint, hasGdb, offset } from '../../test/support/gdb-oracle.js';
import { frameLayoutFor, type FrameLayout, type LineLayout } from './frame-layout.js';
import { resolvePythonExecutable } from './python-target.js';

interface Build {
  readonly label: string;
  /** The file with the DWARF (gdb finds a stripped file's debug file itself). */
  readonly file: string;
  readonly python: string;
  readonly minor: number;
}

function builds(): Build[] {
  const out: Build[] = pyenvVersions().map((v) => ({ label: `pyenv ${v.version}`, file: v.libpython, python: v.python, minor: v.minor }));
  const debian = debianPythonWithSymbols();
  if (debian) out.push({ label: "Debian's python3.11", file: debian, python: debian, minor: 11 });
  return out;
}


/** The layout as the DWARF says, in giltrace's terms. */
function layoutFromDwarf(file: string, minor: number): FrameLayout {
  return { ...framesFromDwarf(file, minor), lines: linesFromDwarf(file, minor) };
}

function linesFromDwarf(file: string, minor: number): LineLayout {
  const lineTableFormat = minor <= 9 ? 'lnotab' : minor === 10 ? 'linetable310' : 'locations';
  if (minor <= 10) {
    const [instruction, lineTable] = gdbPrint(file, [offset('struct _frame', 'f_lasti'), offset('PyCodeObject', minor <= 9 ? 'co_lnotab' : 'co_linetable')]);
    return { instruction: instruction!, instructionKind: minor <= 9 ? 'bytes' : 'units', codeUnits: 0, lineTable: lineTable!, lineTableFormat };
  }
  const [instruction, codeUnits, lineTable] = gdbPrint(file, [
    offset('struct _PyInterpreterFrame', minor >= 13 ? 'instr_ptr' : 'prev_instr'), offset('PyCodeObject', 'co_code_adaptive'), offset('PyCodeObject', 'co_linetable'),
  ]);
  return { instruction: instruction!, instructionKind: 'pointer', codeUnits: codeUnits!, lineTable: lineTable!, lineTableFormat };
}

function framesFromDwarf(file: string, minor: number): Omit<FrameLayout, 'lines'> {
  const strOffsets = ['sizeof(PyASCIIObject)', 'sizeof(PyCompactUnicodeObject)'];
  const code = [offset('PyCodeObject', minor >= 11 ? 'co_qualname' : 'co_name'), offset('PyCodeObject', 'co_filename'), offset('PyCodeObject', 'co_firstlineno')];
  if (minor <= 10) {
    const [frame, back, fcode, name, filename, firstLine, asciiData, compactData] = gdbPrint(file, [
      offset('struct _ts', 'frame'), offset('struct _frame', 'f_back'), offset('struct _frame', 'f_code'), ...code, ...strOffsets,
    ]);
    return {
      currentFrame: [frame!], previous: back!, code: fcode!, name: name!, filename: filename!, firstLine: firstLine!,
      asciiData: asciiData!, compactData: compactData!,
    };
  }
  const frameType = 'struct _PyInterpreterFrame';
  const chain = minor >= 13 ? [offset('struct _ts', 'current_frame')] : [offset('struct _ts', 'cframe'), offset('_PyCFrame', 'current_frame')];
  const values = gdbPrint(file, [...chain, offset(frameType, 'previous'), offset(frameType, minor >= 13 ? 'f_executable' : 'f_code'), ...code, ...strOffsets]);
  const currentFrame = values.slice(0, chain.length) as number[];
  const [previous, fcode, name, filename, firstLine, asciiData, compactData] = values.slice(chain.length) as number[];
  return { currentFrame, previous, code: fcode, name, filename, firstLine, asciiData, compactData };
}

/** gdb's `info scope`: the register holding `tstate` at a function's first instruction (`vaddr`). */
function tstateRegister(file: string, vaddr: number): string | undefined {
  // by address: `info scope drop_gil` may answer for an inlined copy of it (3.13)
  const out = spawnSync('gdb', ['-batch', '-nx', '-ex', `info scope *0x${vaddr.toString(16)}`, file], { encoding: 'utf8' }).stdout;
  for (const block of out.split(/^Symbol /m).filter((b) => b.startsWith('tstate '))) {
    for (const m of block.matchAll(/Range 0x([0-9a-f]+)-0x([0-9a-f]+): a variable in \$r(\w+)/g)) {
      if (parseInt(m[1], 16) <= vaddr && vaddr < parseInt(m[2], 16)) return `%${m[3]}`;
    }
  }
  return undefined;
}

test('frame layouts equal the DWARF of every build here (gdb)', { skip: !hasGdb ? 'gdb not installed' : builds().length === 0 ? 'no CPython builds here' : false }, () => {
  for (const build of builds()) {
    // the leaf name is copied from the str's state bit field on (frame-layout.ts STR_STATE)
    assert.equal(gdbPrint(build.file, [offset('PyASCIIObject', 'state')])[0], 32, `${build.label}: PyASCIIObject.state`);
    assert.deepEqual(frameLayoutFor({ major: 3, minor: build.minor }), layoutFromDwarf(build.file, build.minor), build.label);
  }
});

test('thread-state registers at take_gil / drop_gil and the last-holder globals equal the DWARF (gdb)', { skip: !hasGdb ? 'gdb not installed' : builds().length === 0 ? 'no CPython builds here' : false }, () => {
  for (const build of builds()) {
    const target = resolvePythonExecutable(build.python);
    const context = target.frameContext;
    assert.ok(context, `${build.label}: ${target.frameContextMissing}`);
    target.takeGil.forEach((site, i) => {
      assert.equal(context.takeTstate[i], tstateRegister(build.file, site.vaddr), `${build.label} ${site.symbol}`);
    });
    target.dropGil.forEach((site, i) => {
      if (site.inlinedInto === undefined) {
        assert.equal(context.dropTstate[i], tstateRegister(build.file, site.vaddr), `${build.label} ${site.symbol}`);
      } else if (context.dropTstate[i] !== undefined) {
        // `@+N`: the GIL's last_holder, at N from where the file is mapped (the probe's address minus its file offset)
        const expected = gdbPrint(build.file, [build.minor === 6 ? '&gil_last_holder' : '&_PyRuntime.ceval.gil.last_holder'])[0]!;
        assert.equal(context.dropTstate[i], `@+0x${(expected - (site.vaddr - site.fileOffset)).toString(16)}`, `${build.label} drop_gil inlined into ${site.inlinedInto}`);
      }
    });
  }
});
