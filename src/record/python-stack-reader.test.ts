import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProcessMemory } from '../probe/process-memory.js';
import { NO_PYTHON_FRAME, PythonStackReader } from './python-stack-reader.js';

/** A few regions of a process's memory, read as ProcessMemory reads it. */
class FakeMemory {
  private readonly regions: { base: number; bytes: Buffer }[] = [];

  region(base: number, size = 4096): Buffer {
    const bytes = Buffer.alloc(size);
    this.regions.push({ base, bytes });
    return bytes;
  }

  readInto(address: number, into: Buffer, length = into.length): boolean {
    const r = this.regions.find((x) => address >= x.base && address + length <= x.base + x.bytes.length);
    if (!r) return false;
    r.bytes.copy(into, 0, address - r.base, address - r.base + length);
    return true;
  }

  readU64(address: number): number | undefined {
    const b = Buffer.alloc(8);
    return this.readInto(address, b) ? Number(b.readBigUInt64LE(0)) : undefined;
  }

  readI32(address: number): number | undefined {
    const b = Buffer.alloc(4);
    return this.readInto(address, b) ? b.readInt32LE(0) : undefined;
  }
}

// 3.12's layout (probe/frame-layout.ts): tstate+56 → cframe, +0 → current frame; frame+0 → code,
// +8 → previous; code+128 → co_qualname, +112 → co_filename, +68 → co_firstlineno; a compact
// ASCII str's text at +40
const TSTATE = 0x10000;
const CFRAME = 0x11000;
const FRAME = 0x20000;
const CODE = 0x30000;

function str(memory: FakeMemory, at: number, text: string): void {
  const bytes = memory.region(at, 512);
  bytes[32] = 0x64; // state: compact, ASCII, one byte per character
  bytes.write(text + '\0', 40, 'latin1');
}

/** A 3.12 thread state whose one frame runs the code object at CODE: that code object's memory. */
function oneFrame(memory: FakeMemory): Buffer {
  memory.region(TSTATE).writeBigUInt64LE(BigInt(CFRAME), 56);
  memory.region(CFRAME).writeBigUInt64LE(BigInt(FRAME), 0);
  memory.region(FRAME).writeBigUInt64LE(BigInt(CODE), 0);
  return memory.region(CODE);
}

describe('PythonStackReader', () => {
  it('a code object freed and another made at its address is read anew, within RECHECK_AFTER_LOOKUPS lookups', () => {
    const memory = new FakeMemory();
    const code = oneFrame(memory);
    str(memory, 0x40000, '<module>');
    str(memory, 0x41000, '/usr/lib/python3.12/site.py');
    str(memory, 0x42000, 'work');
    str(memory, 0x43000, '/app/work.py');
    code.writeBigUInt64LE(0x40000n, 128);
    code.writeBigUInt64LE(0x41000n, 112);
    code.writeInt32LE(1, 68);
    const reader = PythonStackReader.forVersion(memory as unknown as ProcessMemory, 12)!;
    assert.deepEqual(reader.stackOf(TSTATE), { name: '<module>', file: '/usr/lib/python3.12/site.py', line: 1, callers: [], at: 0 });
    // site.py's module code is gone once imported; work()'s is made at the same address
    code.writeBigUInt64LE(0x42000n, 128);
    code.writeBigUInt64LE(0x43000n, 112);
    code.writeInt32LE(9, 68);
    // its pointers are not read again at every lookup: named as the old one for a while
    const names: string[] = [];
    for (let lookup = 0; lookup < 70; lookup++) names.push(reader.stackOf(TSTATE)!.name);
    const firstNew = names.indexOf('work');
    assert.ok(firstNew > 0 && firstNew <= 64 && names.slice(firstNew).every((n) => n === 'work'), names.join(' '));
    assert.deepEqual(reader.stackOf(TSTATE), { name: 'work', file: '/app/work.py', line: 9, callers: [], at: 0 });
  });

  it('a name and a file whose strs end their mappings are read up to there', () => {
    const memory = new FakeMemory();
    const code = oneFrame(memory);
    // each str's text ends 8 bytes short of a page boundary where its mapping ends: a name read
    // as 64 bytes from its state byte, a file as 256, would run past it
    const nameAt = 0x41000 - 72;
    const name = memory.region(nameAt, 72);
    name[32] = 0x64;
    name.write('gamma\0', 40, 'latin1');
    const fileAt = 0x43000 - 64;
    const file = memory.region(fileAt, 64);
    file[32] = 0x64;
    file.write('/a.py\0', 40, 'latin1');
    code.writeBigUInt64LE(BigInt(nameAt), 128);
    code.writeBigUInt64LE(BigInt(fileAt), 112);
    code.writeInt32LE(26, 68);
    const reader = PythonStackReader.forVersion(memory as unknown as ProcessMemory, 12)!;
    assert.deepEqual(reader.stackOf(TSTATE), { name: 'gamma', file: '/a.py', line: 26, callers: [], at: 0 });
    assert.equal(reader.codeAt(CODE)?.stack.name, 'gamma');
  });

  it("giltrace's own hook frames are left out: the stack is its caller's", () => {
    const memory = new FakeMemory();
    memory.region(TSTATE).writeBigUInt64LE(BigInt(CFRAME), 56);
    memory.region(CFRAME).writeBigUInt64LE(BigInt(FRAME), 0);
    // hook (innermost) → _bootstrap_inner → _bootstrap: three frames on one page, each 0x100 apart
    const frames = memory.region(FRAME);
    const functions: [string, string, number][] = [
      ['_also_to_names_file.<locals>.emit_both', '/opt/giltrace/python/giltrace_site/sitecustomize.py', 116],
      ['Thread._bootstrap_inner', '/usr/lib/python3.12/threading.py', 1030],
      ['Thread._bootstrap', '/usr/lib/python3.12/threading.py', 995],
    ];
    functions.forEach(([name, file, line], k) => {
      const code = CODE + k * 0x1000;
      const bytes = memory.region(code);
      str(memory, 0x40000 + k * 0x2000, name);
      str(memory, 0x41000 + k * 0x2000, file);
      bytes.writeBigUInt64LE(BigInt(0x40000 + k * 0x2000), 128);
      bytes.writeBigUInt64LE(BigInt(0x41000 + k * 0x2000), 112);
      bytes.writeInt32LE(line, 68);
      frames.writeBigUInt64LE(BigInt(code), k * 0x100);
      frames.writeBigUInt64LE(BigInt(k < 2 ? FRAME + (k + 1) * 0x100 : 0), k * 0x100 + 8);
    });
    const reader = PythonStackReader.forVersion(memory as unknown as ProcessMemory, 12)!;
    assert.deepEqual(reader.stackOf(TSTATE), { name: 'Thread._bootstrap_inner', file: '/usr/lib/python3.12/threading.py', line: 1030, callers: ['Thread._bootstrap'], at: 0 });
  });

  it("the line the innermost frame runs: its instruction pointer into the code, through the code's line table", () => {
    const memory = new FakeMemory();
    memory.region(TSTATE).writeBigUInt64LE(BigInt(CFRAME), 56);
    memory.region(CFRAME).writeBigUInt64LE(BigInt(FRAME), 0);
    const frame = memory.region(FRAME);
    frame.writeBigUInt64LE(BigInt(CODE), 0);
    const code = memory.region(CODE);
    str(memory, 0x40000, 'gap');
    str(memory, 0x41000, '/app/gap.py');
    code.writeBigUInt64LE(0x40000n, 128);
    code.writeBigUInt64LE(0x41000n, 112);
    code.writeInt32LE(527, 68);
    // gap()'s co_linetable as 3.12 made it (test/fixtures/line-tables/python3.12.json): its five
    // code units run lines 527, 528, 528, 829, 829; a bytes object's size at +16, its bytes at +32
    const table = Buffer.from('8000d808098041f05a09000c0d8048', 'hex');
    const bytes = memory.region(0x50000);
    bytes.writeBigUInt64LE(BigInt(table.length), 16);
    table.copy(bytes, 32);
    code.writeBigUInt64LE(0x50000n, 136);
    const CODE_UNITS = CODE + 192; // co_code_adaptive
    const reader = PythonStackReader.forVersion(memory as unknown as ProcessMemory, 12)!;
    const at = (unit: number) => {
      frame.writeBigUInt64LE(BigInt(CODE_UNITS + 2 * unit), 56); // prev_instr
      return reader.stackOf(TSTATE)!.at;
    };
    assert.deepEqual([at(0), at(1), at(3), at(4)], [527, 528, 829, 829]);
    assert.equal(at(-1), 0, 'a frame that has not begun (prev_instr one unit before the code)');
    assert.equal(at(50), 0, 'past the table');
  });

  it('a thread with no Python frame reads as such, one whose memory cannot be read as unknown', () => {
    const memory = new FakeMemory();
    memory.region(TSTATE).writeBigUInt64LE(BigInt(CFRAME), 56);
    memory.region(CFRAME).writeBigUInt64LE(0n, 0);
    const reader = PythonStackReader.forVersion(memory as unknown as ProcessMemory, 12)!;
    assert.equal(reader.stackOf(TSTATE), NO_PYTHON_FRAME);
    assert.equal(reader.stackOf(TSTATE + 0x100000), undefined);
  });
});
