/**
 * The code lookup for inferred GIL waits on the real libpython 3.11.7 that the third-party
 * scheduler-only recording (seed_sched_dwarf_py311.perf.data) traced: its addresses are the ones
 * perf script unwound there.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { makeGilWaitClassifier } from './gil-wait-classifier.js';

const LIBPYTHON = path.join(os.homedir(), '.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0');

describe('makeGilWaitClassifier on the real libpython 3.11.7', { skip: fs.existsSync(LIBPYTHON) ? false : `needs pyenv Python 3.11.7 (${LIBPYTHON})` }, () => {
  // The recording's mapping of its code segment (mmap pgoff 0xf5000, length 0x23c000).
  const code = (offset: number, extra: { mapLength?: number; buildId?: string } = {}) => ({
    file: LIBPYTHON,
    offset,
    mapOffset: 0xf5000,
    mapLength: extra.mapLength ?? 0x23c000,
    buildId: extra.buildId,
  });

  it('return sites in take_gil, in other functions, and non-return-sites', () => {
    const { classify, symbolized, unusable } = makeGilWaitClassifier();
    assert.equal(classify(code(0x24f86f)), 'take_gil'); // after call pthread_cond_timedwait
    assert.equal(classify(code(0x24f9d7)), 'take_gil'); // after call pthread_mutex_unlock
    assert.equal(classify(code(0x24f6b0)), 'other'); // take_gil's first byte: a function pointer, not a return site
    assert.equal(classify(code(0x1a7332)), 'python'); // after call *%rax in cfunction_vectorcall_FASTCALL_KEYWORDS (perf script prints 1a7331)
    assert.equal(classify({ ...code(0x24f86f), file: '/usr/lib/x86_64-linux-gnu/libc.so.6' }), 'other');
    assert.deepEqual([...symbolized], [LIBPYTHON]);
    assert.equal(unusable.size, 0);
  });

  it('a file that cannot be the recorded one is not used, and says why', () => {
    const other = makeGilWaitClassifier();
    assert.equal(other.classify(code(0x24f86f, { mapLength: 0x23d000 })), 'other');
    assert.match(other.unusable.get(LIBPYTHON)!, /not the one mapped/);
    const rebuilt = makeGilWaitClassifier();
    assert.equal(rebuilt.classify(code(0x24f86f, { buildId: '00'.repeat(20) })), 'other');
    assert.match(rebuilt.unusable.get(LIBPYTHON)!, /build-id .* is not the recorded/);
  });
});

