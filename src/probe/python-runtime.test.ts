/**
 * findPythonRuntime on a process whose files cannot be read to the end: a launcher's short
 * process (a pyenv shim runs several) can exit between two reads of its program, and that must
 * be an answer ("not sampled, why"), never an error that stops the whole sampler (seen on a fresh
 * machine: "sampling failed: /proc/N/root/usr/bin/readlink at byte 824: cannot read section
 * .note.gnu.property", and the run had no holder samples).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { findPythonRuntime } from './python-runtime.js';

/**
 * A copy of /usr/bin/true named as a libpython, whose first note is corrupt: its symbols read
 * (there is no _PyRuntime among them), then the look for its debug file fails on the note, as a
 * file read through /proc/PID/root fails once the process is gone.
 */
function corruptLibpython(dir: string): string {
  const bytes = fs.readFileSync('/usr/bin/true');
  const file = path.join(dir, 'libpython3.11.so.1.0');
  const shoff = Number(bytes.readBigUInt64LE(0x28));
  const shnum = bytes.readUInt16LE(0x3c);
  for (let i = 0; i < shnum; i++) {
    const header = shoff + i * 64;
    if (bytes.readUInt32LE(header + 4) !== 7 /* SHT_NOTE */) continue;
    bytes.writeUInt32LE(0xffff, Number(bytes.readBigUInt64LE(header + 24))); // the note's namesz
    fs.writeFileSync(file, bytes);
    return file;
  }
  throw new Error('/usr/bin/true has no note section');
}

describe('findPythonRuntime', () => {
  it('answers "not sampled" for a process whose mapped files fail part way, never throws', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'giltrace-runtime-'));
    // a Python that maps the corrupt file (as a process maps its libpython) and waits
    const child = spawn(
      'python3',
      ['-c', 'import mmap, sys\nf = open(sys.argv[1], "rb")\nm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)\nprint("ready", flush=True)\nsys.stdin.read()', corruptLibpython(dir)],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        child.on('exit', (code) => reject(new Error(`python exited (${code})`)));
      });
      const runtime = findPythonRuntime(child.pid!);
      assert.ok('why' in runtime, 'not a runtime');
      assert.match(runtime.why, /cannot read .*libpython3\.11\.so\.1\.0/);
      assert.notEqual(runtime.final, true, 'looked at again: the process may have been caught in its exec');
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
