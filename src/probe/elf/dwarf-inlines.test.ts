import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { spawn } from 'node:child_process';
import fc from 'fast-check';
import { GiltraceError } from '../../base/errors.js';
import { ElfBytes } from './elf-bytes.js';
import { openElf, type ElfFile, type SectionHeader } from './elf-file.js';
import { findInlinedInstances } from './dwarf-inlines.js';
import { findDebugFile } from './debug-file.js';
import { hasReadelf, pyenvVersion } from '../../../test/support/probe-oracle.js';

const DEBIAN_PY = '/usr/bin/python3.11';
const debianDebug = fs.existsSync(DEBIAN_PY) ? findDebugFile(openElf(DEBIAN_PY)).found : undefined;

/**
 * Oracle: binutils' DWARF dump, streamed. Inlined instances of drop_gil/take_gil as
 * "name entry_pc die" strings.
 */
async function readelfInlines(file: string, names: ReadonlySet<string>): Promise<string[]> {
  // grep (C) thins the ~450 MB dump to the lines that matter before node reads it
  const keep = 'DW_TAG_|DW_AT_abstract_origin|DW_AT_entry_pc|DW_AT_name.*(drop_gil|take_gil)$';
  const child = spawn('bash', ['-c', `readelf --debug-dump=info "$0" | LC_ALL=C grep -E '${keep}'`, file], { stdio: ['ignore', 'pipe', 'ignore'] });
  const lines = readline.createInterface({ input: child.stdout });
  const abstractNames = new Map<number, string>();
  const inlined = new Map<number, { origin: number; entry?: number }>();
  let die = -1;
  let tag = '';
  for await (const line of lines) {
    const d = /^\s*<\d+><([0-9a-f]+)>: Abbrev Number: \d+ \((DW_TAG_\w+)\)/.exec(line);
    if (d) {
      die = parseInt(d[1], 16);
      tag = d[2];
      continue;
    }
    const name = /DW_AT_name\s*:\s*(?:\(indirect[^)]*\): )?(\S+)\s*$/.exec(line);
    if (name && tag === 'DW_TAG_subprogram' && names.has(name[1])) abstractNames.set(die, name[1]);
    if (tag !== 'DW_TAG_inlined_subroutine') continue;
    const origin = /DW_AT_abstract_origin: <0x([0-9a-f]+)>/.exec(line);
    if (origin) inlined.set(die, { ...inlined.get(die), origin: parseInt(origin[1], 16) });
    const entry = /DW_AT_entry_pc\s*:\s*0x([0-9a-f]+)/.exec(line);
    if (entry) inlined.set(die, { ...(inlined.get(die) as { origin: number }), entry: parseInt(entry[1], 16) });
  }
  const out: string[] = [];
  for (const [offset, inst] of inlined) {
    const name = abstractNames.get(inst.origin);
    if (name) out.push(`${name} ${inst.entry?.toString(16)} ${offset.toString(16)}`);
  }
  return out.sort();
}

test("Debian python3.11's inlined drop_gil copies equal readelf's DWARF dump", { skip: !debianDebug || !hasReadelf() }, async () => {
  const names = new Set(['drop_gil', 'take_gil']);
  const ours = findInlinedInstances(debianDebug!, names).map((i) => `${i.name} ${i.entry?.toString(16)} ${i.die.toString(16)}`).sort();
  assert.ok(ours.length >= 2, `found ${ours.length}`);
  assert.deepEqual(ours, await readelfInlines(debianDebug!.path, names));
  assert.ok(ours.every((s) => s.startsWith('drop_gil ')), 'take_gil is never inlined there');
});

test('a pyenv libpython (no LTO) has no inlined copies of take_gil or drop_gil', { skip: !pyenvVersion(12) }, () => {
  assert.deepEqual(findInlinedInstances(openElf(pyenvVersion(12)!.libpython), new Set(['drop_gil', 'take_gil'])), []);
});

// ---- a hand-made DWARF 5 unit: subprogram "drop_gil" (inline string), inlined once at 0x401234 ----

const ABBREV = Buffer.from([
  1, 0x11, 1, 0x13, 0x0b, 0, 0, // 1: compile_unit, children, language data1
  2, 0x2e, 0, 0x03, 0x08, 0x20, 0x0b, 0, 0, // 2: subprogram, name string, inline data1
  3, 0x1d, 0, 0x31, 0x13, 0x52, 0x01, 0x58, 0x0b, 0, 0, // 3: inlined_subroutine, abstract_origin ref4, entry_pc addr, call_file data1
  0,
]);

function unit(): Buffer {
  const body: number[] = [];
  body.push(1, 0x1d); // CU DIE (offset 12 in the unit)
  const subprogramAt = 12 + body.length;
  body.push(2, ...Buffer.from('drop_gil\0'), 3);
  body.push(3, ...u32(subprogramAt), ...u64(0x401234), 1);
  body.push(0);
  const header = [5, 0, 1, 8, ...u32(0)]; // version 5, DW_UT_compile, address size 8, abbrev offset 0
  return Buffer.from([...u32(header.length + body.length), ...header, ...body]);
}

function u32(n: number): number[] {
  return [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
}

function u64(n: number): number[] {
  return [...u32(n % 2 ** 32), ...u32(Math.floor(n / 2 ** 32))];
}

/** An ElfFile whose only sections are the given byte arrays (enough for the DWARF reader). */
function fakeElf(sections: Record<string, Uint8Array>): ElfFile {
  const headers: SectionHeader[] = Object.keys(sections).map((name, index) => ({ index, name, type: 1, flags: 0, addr: 0, offset: 1000 * index, size: sections[name].length, link: 0, entsize: 0 }));
  return {
    path: '/fake.debug',
    fileSize: 1 << 20,
    header: { type: 3, machine: 62, phoff: 0, shoff: 0, phnum: 0, shnum: headers.length, shstrndx: 0 },
    programHeaders: [],
    sections: headers,
    read: () => {
      throw new Error('unused');
    },
    sectionBytes: (s) => new ElfBytes('/fake.debug', sections[s.name], s.offset),
    section: (name) => headers.find((h) => h.name === name),
    fail: (message, offset) => new GiltraceError(message, { file: '/fake.debug', offset }),
  };
}

test('hand-made DWARF 5 unit: the inlined instance, its entry and its origin name', () => {
  const found = findInlinedInstances(fakeElf({ '.debug_info': unit(), '.debug_abbrev': ABBREV }), new Set(['drop_gil']));
  assert.deepEqual(found, [{ name: 'drop_gil', entry: 0x401234, die: 25 }]); // 12-byte unit header, 2-byte CU DIE, 11-byte subprogram
  assert.deepEqual(findInlinedInstances(fakeElf({ '.debug_info': unit(), '.debug_abbrev': ABBREV }), new Set(['take_gil'])), []);
  assert.deepEqual(findInlinedInstances(fakeElf({ '.debug_abbrev': ABBREV }), new Set(['drop_gil'])), [], 'no .debug_info: nothing');
});

test('truncated or mutated DWARF gives GiltraceError or a result, never another exception', () => {
  const info = unit();
  for (let cut = 0; cut < info.length; cut++) {
    try {
      findInlinedInstances(fakeElf({ '.debug_info': info.subarray(0, cut), '.debug_abbrev': ABBREV }), new Set(['drop_gil']));
    } catch (e) {
      assert.ok(e instanceof GiltraceError, `cut at ${cut}: ${(e as Error).message}`);
    }
  }
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(info.length + ABBREV.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (edits) => {
      const i = Buffer.from(info);
      const a = Buffer.from(ABBREV);
      for (const [at, value] of edits) {
        if (at < i.length) i[at] = value;
        else a[at - i.length] = value;
      }
      try {
        findInlinedInstances(fakeElf({ '.debug_info': i, '.debug_abbrev': a }), new Set(['drop_gil']));
      } catch (e) {
        if (!(e instanceof GiltraceError)) throw e;
      }
    }),
    { numRuns: 2000 },
  );
});
