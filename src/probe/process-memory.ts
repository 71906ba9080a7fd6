/**
 * Reads another process's memory through /proc/PID/mem: positioned reads, nothing written, the
 * process never stopped. The kernel allows it to whoever may ptrace the process (root, or its
 * own user when the process is dumpable and Yama's ptrace_scope permits), the same check as
 * process_vm_readv, which node cannot call without an addon.
 */
import * as fs from 'node:fs';

const PAGE_BYTES = 4096;

/**
 * Up to `length` bytes at `address` into `into`: all of them, or those up to the end of the page
 * they start in when the rest cannot be read (an object near the end of its mapping: a read of a
 * fixed size past it fails whole). The count read; 0 when none could be.
 */
export function readUpTo(memory: Pick<ProcessMemory, 'readInto'>, address: number, into: Buffer, length = into.length): number {
  if (memory.readInto(address, into, length)) return length;
  const first = Math.min(length, PAGE_BYTES - (address % PAGE_BYTES));
  return first < length && memory.readInto(address, into, first) ? first : 0;
}

/** The unsigned 64-bit little-endian value at `offset` of bytes read from a process, as a number (exact below 2^53: user-space addresses, thread ids). */
export function u64At(bytes: Buffer, offset: number): number {
  return bytes.readUInt32LE(offset) + bytes.readUInt32LE(offset + 4) * 0x1_0000_0000;
}

export class ProcessMemory {
  private readonly fd: number;
  private readonly scratch = Buffer.alloc(8);
  private closed = false;

  /** Throws the open's error (EACCES / EPERM: not allowed; ENOENT: gone). */
  constructor(readonly pid: number) {
    this.fd = fs.openSync(`/proc/${pid}/mem`, 'r');
  }

  /** `length` bytes at `address` into `into`; false when they cannot be read (unmapped, process gone). */
  readInto(address: number, into: Buffer, length = into.length): boolean {
    if (this.closed || !(address > 0)) return false;
    try {
      return fs.readSync(this.fd, into, 0, length, address) === length;
    } catch {
      return false;
    }
  }

  /** A pointer or unsigned long at `address` (exact below 2^53, which user-space addresses are). */
  readU64(address: number): number | undefined {
    if (!this.readInto(address, this.scratch, 8)) return undefined;
    return u64At(this.scratch, 0);
  }

  readI32(address: number): number | undefined {
    return this.readInto(address, this.scratch, 4) ? this.scratch.readInt32LE(0) : undefined;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      fs.closeSync(this.fd);
    } catch {
      // already gone with the process
    }
  }
}
