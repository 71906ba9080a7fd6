import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProcessMemory } from '../probe/process-memory.js';
import { PythonStackReader } from './python-stack-reader.js';

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

describe('PythonStackReader', () => {
  it('a code object freed and another made at its address is read anew', () => {
    const memory = new FakeMemory();
    memory.region(TSTATE).writeBigUInt64LE(BigInt(CFRAME), 56);
    memory.region(CFRAME).writeBigUInt64LE(BigInt(FRAME), 0);
    memory.region(FRAME).writeBigUInt64LE(BigInt(CODE), 0);
    const code = memory.region(CODE);
    str(memory, 0x40000, '<module>');
    str(memory, 0x41000, '/usr/lib/python3.12/site.py');
    str(memory, 0x42000, 'work');
    str(memory, 0x43000, '/app/work.py');
    code.writeBigUInt64LE(0x40000n, 128);
    code.writeBigUInt64LE(0x41000n, 112);
    code.writeInt32LE(1, 68);
    const reader = PythonStackReader.forVersion(memory as unknown as ProcessMemory, 12)!;
    assert.deepEqual(reader.stackOf(TSTATE), { name: '<module>', file: '/usr/lib/python3.12/site.py', line: 1, callers: [] });
    // site.py's module code is gone once imported; work()'s is made at the same address
    code.writeBigUInt64LE(0x42000n, 128);
    code.writeBigUInt64LE(0x43000n, 112);
    code.writeInt32LE(9, 68);
    assert.deepEqual(reader.stackOf(TSTATE), { name: 'work', file: '/app/work.py', line: 9, callers: [] });
  });
});
