/**
 * userStack (PERF_SAMPLE_STACK_USER) on real recordings: the seed's `--call-graph dwarf` file has
 * an 8 KB copy per sample (after REGS_USER, which is skipped); a recording without it has none.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openPerfData } from './index.js';
import { thirdParty } from '../../test/support/fixture-paths.js';

const SEED = thirdParty('seed_sched_dwarf_py311.perf.data');
const UPROBE = thirdParty('uprobe_sched_py312.perf.data');

describe('userStack', () => {
  it('seed dwarf recording: every sample has its stack copy; the known take_gil return address is where perf unwinds it', () => {
    const data = openPerfData(SEED);
    let libpython = 0;
    let samples = 0;
    let found = false;
    for (const r of data.records()) {
      if (r.type === 'mmap' && r.pid === 8182 && r.executable && r.filename.endsWith('libpython3.11.so.1.0')) libpython = r.start - r.pgoff;
      if (r.type !== 'sample') continue;
      samples++;
      const stack = r.userStack;
      assert.ok(stack && stack.length > 0 && stack.length <= 8192, `stack copy of sample ${samples}`);
      if (r.tid === 8182 && r.event.name === 'sched:sched_switch' && Math.abs(Number(data.timeBaseNs) + r.time - 1986880860214) < 1000) {
        // perf script: 24f86e take_gil (return address 0x24f86f, after the call to pthread_cond_timedwait), 264 bytes above SP.
        const view = new DataView(stack.buffer, stack.byteOffset, stack.byteLength);
        assert.equal(view.getUint32(264, true) + view.getUint32(268, true) * 2 ** 32, libpython + 0x24f86f);
        found = true;
      }
    }
    assert.equal(samples, 395);
    assert.ok(found, 'the 1986.880860214 switch-out of 8182 was seen');
  });

  it('a recording without STACK_USER has none', () => {
    for (const r of openPerfData(UPROBE).records()) if (r.type === 'sample') assert.equal(r.userStack, undefined);
  });
});
