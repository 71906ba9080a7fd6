import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findOnPath, followToElf } from '../probe/find-interpreter.js';
import { askShortSlice, SAMPLER_SLICE_NS, shortSliceAllowed } from './sampler-slice.js';

/** The calling thread's slice as the scheduler's debug file says (undefined: not shown by this kernel). */
function ownSlice(): number | undefined {
  const match = /^se\.slice\s*:\s*(\d+)/m.exec(readFileSync('/proc/thread-self/sched', 'latin1'));
  return match ? Number(match[1]) : undefined;
}

test('the sampler thread gets the short slice that lets its tick preempt a running thread', { skip: ownSlice() === undefined && 'the kernel does not show slices' }, () => {
  assert.equal(askShortSlice(false), true);
  assert.equal(ownSlice(), SAMPLER_SLICE_NS);
});

test('without perl, python3 makes the call where allowed; with neither, the answer is no (ticks may then wake late)', () => {
  const python = followToElf(findOnPath('python3', process.env), process.env);
  const dir = mkdtempSync(join(tmpdir(), 'giltrace-slice-'));
  const path = process.env.PATH;
  try {
    symlinkSync(python, join(dir, 'python3'));
    process.env.PATH = dir;
    assert.equal(askShortSlice(true), true);
    assert.equal(askShortSlice(false), false);
    assert.equal(shortSliceAllowed(), true);
    process.env.PATH = join(dir, 'none');
    assert.equal(shortSliceAllowed(), false, 'no helper: doctor says ticks may come late');
  } finally {
    process.env.PATH = path;
    rmSync(dir, { recursive: true, force: true });
  }
});
