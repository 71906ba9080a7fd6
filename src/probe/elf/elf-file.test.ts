import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { GiltraceError } from '../../base/errors.js';
import { openElf, vaddrToFileOffset, PT_LOAD } from './elf-file.js';
import { readSymbolTable, isDefinedFunction } from './elf-symbols.js';
import { readDynamic } from './elf-dynamic.js';
import { readBuildId, readDebugLink } from './elf-notes.js';
import { findDebugFile } from './debug-file.js';
import { readFunctionTable } from './symbolizer.js';
import {
  hasReadelf,
  makeTempDir,
  oracleFileOffset,
  pyenvVersions,
  readelfBuildId,
  readelfDynamic,
  readelfLoads,
  readelfSymbols,
} from '../../../test/support/probe-oracle.js';

const versions = pyenvVersions();
const DEBIAN_PY = '/usr/bin/python3.11';

test('program headers, symbols, dynamic section and build-id equal readelf on every pyenv libpython and python', { skip: !hasReadelf() || versions.length === 0 }, () => {
  for (const v of versions) {
    for (const file of [v.libpython, fs.realpathSync(v.python)]) {
      const elf = openElf(file);
      const loads = elf.programHeaders.filter((p) => p.type === PT_LOAD).map((p) => ({ offset: p.offset, vaddr: p.vaddr, filesz: p.filesz }));
      assert.deepEqual(loads, readelfLoads(file), `${file} LOAD segments`);

      const ours = [...readSymbolTable(elf, 'dynsym'), ...readSymbolTable(elf, 'symtab')].filter(isDefinedFunction);
      const oracle = readelfSymbols(file).filter((s) => s.type === 'FUNC' && s.ndx !== 'UND' && s.name !== '');
      const key = (name: string, value: number, size: number): string => `${name}@${value.toString(16)}+${size}`;
      assert.deepEqual(
        ours.map((s) => key(s.name, s.value, s.size)).sort(),
        oracle.map((s) => key(s.name, s.value, s.size)).sort(),
        `${file} FUNC symbols`,
      );

      const dyn = readDynamic(elf);
      const oracleDyn = readelfDynamic(file);
      assert.deepEqual(dyn.needed, oracleDyn.needed, `${file} DT_NEEDED`);
      assert.equal(dyn.runpath, oracleDyn.runpath, `${file} DT_RUNPATH`);
      assert.equal(dyn.rpath, oracleDyn.rpath, `${file} DT_RPATH`);
      assert.equal(dyn.soname, oracleDyn.soname, `${file} DT_SONAME`);
      assert.equal(readBuildId(elf), readelfBuildId(file), `${file} build-id`);
    }
  }
});

test('take_gil/drop_gil file offsets equal readelf value mapped through the LOAD segments', { skip: !hasReadelf() || versions.length === 0 }, () => {
  for (const v of versions) {
    const table = readFunctionTable(v.libpython);
    const loads = readelfLoads(v.libpython);
    const oracle = readelfSymbols(v.libpython).filter((s) => /^(take|drop)_gil/.test(s.name));
    assert.ok(oracle.length >= 2, `${v.version}: oracle has take/drop`);
    for (const o of oracle) {
      const ours = table.functions.find((f) => f.name === o.name && f.vaddr === o.value);
      assert.ok(ours, `${v.version} ${o.name} found`);
      assert.equal(ours.fileOffset, oracleFileOffset(loads, o.value), `${v.version} ${o.name} file offset`);
      assert.equal(ours.size, o.size);
    }
  }
});

test('symbolAtFileOffset names the function containing an offset, and nothing outside functions', { skip: versions.length === 0 }, () => {
  const v = versions[versions.length - 1];
  const table = readFunctionTable(v.libpython);
  const loads = readelfLoads(v.libpython);
  for (const name of ['PyEval_SaveThread', 'drop_gil', 'take_gil', '_PyEval_EvalFrameDefault']) {
    const o = readelfSymbols(v.libpython).find((s) => s.name === name && s.type === 'FUNC');
    assert.ok(o, name);
    const start = oracleFileOffset(loads, o.value) as number;
    assert.equal(table.symbolAtFileOffset(start), name);
    assert.equal(table.symbolAtFileOffset(start + o.size - 1), name);
    assert.notEqual(table.symbolAtFileOffset(start + o.size), name, 'one past the end is not inside');
  }
  assert.equal(table.symbolAtFileOffset(0), undefined, 'ELF header is no function');
  assert.equal(table.symbolAtFileOffset(1e12), undefined);
  assert.equal(table.symbolAtFileOffset(-5), undefined);
});

test('stripped Debian python: symbols come from the build-id debug file, offsets from the stripped file', { skip: !fs.existsSync(DEBIAN_PY) || !hasReadelf() }, (t) => {
  const real = fs.realpathSync(DEBIAN_PY);
  const elf = openElf(real);
  assert.equal(readSymbolTable(elf, 'symtab').length, 0, 'stripped');
  assert.ok(readDebugLink(elf), 'has .gnu_debuglink');
  const search = findDebugFile(elf);
  const id = readelfBuildId(real) as string;
  assert.equal(search.buildId, id);
  assert.equal(search.looked[0], `/usr/lib/debug/.build-id/${id.slice(0, 2)}/${id.slice(2)}.debug`);
  if (!search.found) {
    t.diagnostic('python3.11-dbg not installed: debug-file half skipped');
    const table = readFunctionTable(real);
    assert.equal(table.fullSymbols, false);
    return;
  }
  const table = readFunctionTable(real);
  assert.equal(table.symbolSource, search.found.path);
  const loads = readelfLoads(real);
  for (const o of readelfSymbols(search.found.path).filter((s) => /^(take|drop)_gil/.test(s.name))) {
    const ours = table.functions.find((f) => f.name === o.name);
    assert.ok(ours, o.name);
    // the debug file's own LOAD headers say offset 0 for everything: the stripped file's must be used
    assert.equal(ours.fileOffset, oracleFileOffset(loads, o.value), o.name);
  }
  const fn = table.functions.find((f) => f.name === 'PyEval_SaveThread');
  assert.ok(fn);
  assert.equal(table.symbolAtFileOffset(fn.fileOffset + 3), 'PyEval_SaveThread');
  // with no debug roots, only .dynsym is left
  assert.equal(readFunctionTable(real, ['/nonexistent-debug-root']).fullSymbols, false);
});

test('not-ELF, truncated and foreign files give a GiltraceError naming file and offset', () => {
  const dir = makeTempDir('elf');
  try {
    const write = (name: string, bytes: Uint8Array | string): string => {
      const p = path.join(dir, name);
      fs.writeFileSync(p, bytes);
      return p;
    };
    const cases: Array<[string, RegExp]> = [
      [write('empty', ''), /not an ELF file/],
      [write('text', '#!/bin/sh\necho hi\n'), /not an ELF file/],
      [write('magic-only', Buffer.from([0x7f, 0x45, 0x4c, 0x46])), /shorter than an ELF64 header/],
      [write('elf32', Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]), Buffer.alloc(60)])), /32-bit ELF/],
      [write('bigendian', Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 2, 1]), Buffer.alloc(60)])), /big-endian/],
    ];
    for (const [file, message] of cases) {
      assert.throws(() => openElf(file), (e: unknown) => e instanceof GiltraceError && e.file === file && message.test(e.message), file);
    }
    assert.throws(() => openElf(dir), (e: unknown) => e instanceof GiltraceError && /not a regular file/.test(e.message));
    assert.throws(() => openElf(path.join(dir, 'missing')), (e: unknown) => e instanceof GiltraceError && /cannot read/.test(e.message));

    if (versions.length > 0) {
      const whole = fs.readFileSync(versions[0].libpython);
      const cut = write('cut', whole.subarray(0, 4096));
      assert.throws(
        () => readFunctionTable(cut),
        (e: unknown) => e instanceof GiltraceError && e.file === cut && typeof e.offset === 'number' && /outside the 4096-byte file/.test(e.message),
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('random corruption of a real ELF never escapes as anything but GiltraceError', { skip: versions.length === 0 }, () => {
  const dir = makeTempDir('fuzz');
  // A real python executable: small, with dynamic section, notes, symtab.
  const original = fs.readFileSync(fs.realpathSync(versions[0].python));
  const file = path.join(dir, 'mutant');
  try {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(Math.min(original.length, 8192) - 1), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 12 }),
        fc.option(fc.nat(original.length), { nil: undefined }),
        fc.boolean(),
        (edits, truncateAt, editTail) => {
          const bytes = Buffer.from(truncateAt === undefined ? original : original.subarray(0, truncateAt));
          for (const e of edits) {
            // also hit the section header table at the end, where most structure lives
            const at = editTail ? bytes.length - 1 - e.at : e.at;
            if (at >= 0 && at < bytes.length) bytes[at] = e.value;
          }
          fs.writeFileSync(file, bytes);
          try {
            const table = readFunctionTable(file, []);
            readDynamic(table.elf);
            readBuildId(table.elf);
            table.symbolAtFileOffset(0x1000);
          } catch (e) {
            if (!(e instanceof GiltraceError)) throw e;
            assert.equal(e.file, file);
          }
        },
      ),
      { numRuns: 300 },
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('vaddrToFileOffset uses the containing segment, not a fixed bias', () => {
  const phs = [
    { type: PT_LOAD, flags: 4, offset: 0, vaddr: 0x400000, filesz: 0x1000, memsz: 0x1000 },
    { type: PT_LOAD, flags: 5, offset: 0x1000, vaddr: 0x401000, filesz: 0x2000, memsz: 0x2000 },
    { type: PT_LOAD, flags: 6, offset: 0x2e00, vaddr: 0x603e00, filesz: 0x100, memsz: 0x900 },
  ];
  assert.equal(vaddrToFileOffset(phs, 0x401234), 0x1234);
  assert.equal(vaddrToFileOffset(phs, 0x603e10), 0x2e10);
  assert.equal(vaddrToFileOffset(phs, 0x603f80), undefined, 'bss part has no file bytes');
  assert.equal(vaddrToFileOffset(phs, 0x10), undefined);
});
