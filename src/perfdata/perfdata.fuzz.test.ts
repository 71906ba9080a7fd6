import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { it } from 'node:test';
import { GiltraceError } from '../base/errors.js';
import { hasPayload, openPerfData, readSampleInt, readSampleString, readTracepointInt, readTracepointString } from './index.js';
import { thirdParty } from '../../test/support/fixture-paths.js';
import { seededRandom } from '../../test/support/seeded-random.js';

/**
 * Seeded mutation fuzzing over the real recordings: truncations, byte flips, record-size and
 * u64 corruptions. Every mutant must end in a result or a GiltraceError that names the file —
 * never another exception, a hang or an out-of-memory.
 */

const SEED = Number(process.env.GILTRACE_FUZZ_SEED ?? 20261125);
const CASES = Number(process.env.GILTRACE_FUZZ_CASES ?? 3000);
const FILES = ['uprobe_sched_py312.perf.data', 'uprobe_sched_py312_pipe.perf.data', 'uprobe_sched_py312_zstd.perf.data', 'per4m_native_py312.perf.data', 'seed_sched_dwarf_py311.perf.data'];


/** Offsets of record headers in the data, to aim size corruptions at real size fields. */
function recordOffsets(bytes: Uint8Array): number[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pipe = dv.getUint32(8, true) === 16;
  let p = pipe ? 16 : dv.getUint32(40, true);
  const end = pipe ? bytes.length : p + dv.getUint32(48, true);
  const out: number[] = [];
  while (p + 8 <= end) {
    out.push(p);
    const size = dv.getUint16(p + 6, true);
    const type = dv.getUint32(p, true);
    p += size + (type === 66 ? (dv.getUint32(p + 8, true) + 7) & ~7 : 0);
    if (size < 8) break;
  }
  return out;
}

function mutate(src: Uint8Array, offsets: number[], rnd: () => number): { bytes: Uint8Array; what: string } {
  const pick = (n: number): number => Math.floor(rnd() * n);
  const kind = pick(6);
  if (kind === 0) {
    const at = pick(src.length);
    return { bytes: src.slice(0, at), what: `truncate at ${at}` };
  }
  const bytes = src.slice();
  const dv = new DataView(bytes.buffer);
  switch (kind) {
    case 1: {
      const n = 1 + pick(8);
      const at: number[] = [];
      for (let i = 0; i < n; i++) {
        const o = pick(bytes.length);
        bytes[o] ^= 1 << pick(8);
        at.push(o);
      }
      return { bytes, what: `bit flips at ${at.join(',')}` };
    }
    case 2: {
      const o = pick(Math.min(bytes.length, 4096));
      bytes[o] = pick(256);
      return { bytes, what: `header byte ${o}` };
    }
    case 3: {
      const o = offsets[pick(offsets.length)];
      const sizes = [0, 1, 7, 8, 16, 0xffff, pick(0x10000), dv.getUint16(o + 6, true) + 8, dv.getUint16(o + 6, true) - 8];
      const size = sizes[pick(sizes.length)] & 0xffff;
      dv.setUint16(o + 6, size, true);
      return { bytes, what: `record at ${o} size ${size}` };
    }
    case 4: {
      const o = offsets[pick(offsets.length)];
      const type = [0, 9, 3, 66, 64, 80, 81, 68, 13, 200, pick(0x10000)][pick(11)];
      dv.setUint32(o, type, true);
      return { bytes, what: `record at ${o} type ${type}` };
    }
    default: {
      const o = pick(bytes.length - 8) & ~7;
      const v = [0xffffffffffffffffn, 0x8000000000000000n, 0x100000000n, BigInt(pick(1 << 30))][pick(4)];
      dv.setBigUint64(o, v, true);
      return { bytes, what: `u64 at ${o} = ${v}` };
    }
  }
}

/** What a consumer does: every record, every tracepoint field decoded. */
function consume(file: string): number {
  const pd = openPerfData(file);
  let n = 0;
  for (const r of pd.records()) {
    n++;
    if (r.type === 'sample' && hasPayload(r)) {
      for (const f of r.event.fields) {
        // in place (the model's way) and from the `raw` copy
        if (f.dataLoc || f.type.startsWith('char[')) {
          readSampleString(r, f);
          readTracepointString(r.raw!, f);
        } else if (f.size === 1 || f.size === 2 || f.size === 4 || f.size === 8) {
          readSampleInt(r, f);
          readTracepointInt(r.raw!, f);
        }
      }
    }
  }
  return n;
}

it(`fuzz: ${CASES} mutated recordings end in a result or a clean GiltraceError (seed ${SEED})`, { timeout: 120_000 }, () => {
  const rnd = seededRandom(SEED);
  // tmpfs when there is one: thousands of small writes are the slow part on disk
  const dir = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'giltrace-fuzz-'));
  const sources = FILES.map((f) => {
    const bytes = new Uint8Array(fs.readFileSync(thirdParty(f)));
    return { name: f, bytes, offsets: recordOffsets(bytes) };
  });
  const outcomes = { ok: 0, error: 0 };
  const started = Date.now();
  try {
    for (let i = 0; i < CASES; i++) {
      const src = sources[i % sources.length];
      const { bytes, what } = mutate(src.bytes, src.offsets, rnd);
      const file = path.join(dir, `m${i % 8}.data`);
      fs.writeFileSync(file, bytes);
      try {
        consume(file);
        outcomes.ok++;
      } catch (err) {
        if (!(err instanceof GiltraceError)) {
          assert.fail(`case ${i} (${src.name}, ${what}): not a GiltraceError: ${(err as Error).stack}`);
        }
        // errors about a field of a decoded payload have no file; all others name it
        if (!err.message.startsWith('tracepoint field')) {
          assert.equal(err.file, file, `case ${i} (${src.name}, ${what}): ${err.message}`);
          assert.equal(typeof err.offset, 'number', `case ${i} (${src.name}, ${what}): ${err.message}`);
        }
        outcomes.error++;
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  // the mutants must exercise both paths
  assert.ok(outcomes.ok > CASES / 20 && outcomes.error > CASES / 5, JSON.stringify(outcomes));
  console.log(`fuzz: ${JSON.stringify(outcomes)} in ${Date.now() - started} ms`);
});
