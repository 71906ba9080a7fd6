import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { BlockPool } from './block-pool.js';
import { sortByKey } from './run-merge.js';
import { Sorter } from './sorter.js';

it('sortByKey is a stable sort by key (property test against Array.prototype.sort)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 300 }), (values) => {
      const n = values.length;
      const keys = Float64Array.from(values);
      const order = Int32Array.from({ length: n }, (_, i) => i);
      sortByKey(order, new Int32Array(n), n, keys, new Int32Array(n + 1));
      const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b);
      assert.deepEqual(Array.from(order), expected);
    }),
    { numRuns: 500 },
  );
});

it('sortByKey merges per-CPU runs of a realistic round', () => {
  const keys = new Float64Array([1, 4, 7, 10, -Infinity, 2, 3, 8, 9, 5, 6]);
  const order = Int32Array.from(keys, (_, i) => i);
  sortByKey(order, new Int32Array(keys.length), keys.length, keys);
  assert.deepEqual(Array.from(order, (i) => keys[i]), [-Infinity, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});

it('a few queued records pinning many blocks are evacuated into dense blocks', () => {
  const pool = new BlockPool(1024);
  const sorter = new Sorter(pool, 1 << 20, 4);
  // 20 read blocks, each with one 64-byte record still queued, then the reader moves on
  for (let b = 0; b < 20; b++) {
    const id = pool.acquire(0);
    pool.blocks[id].fill(b, 0, 64);
    sorter.add(id, 0, 64, 1000 - b, 0, b * 1024);
    pool.drop(id);
  }
  assert.equal(pool.live, 20);
  sorter.maybeEvacuate();
  assert.ok(pool.live <= 2, `live blocks after evacuation: ${pool.live}`);
  sorter.finish();
  // the bytes moved with their records: released in key order (1000 - b), so b = 19 first
  const seen: number[] = [];
  for (const e of drain(sorter)) seen.push(pool.blocks[e.block][e.off + 63]);
  assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => 19 - i));
});

it('a release delivers queued records stably sorted by time, whether two runs merged or more sorted, across chunks (property test)', () => {
  // arrival order is k sorted runs (one per CPU buffer); two runs are merged directly, more are
  // sorted; long runs span several 8192-record chunks
  const run = fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 40 }).map((v) => v.sort((a, b) => a - b));
  const longRun = fc.integer({ min: 0, max: 9000 }).map((n) => Array.from({ length: n }, (_, i) => Math.floor(i / 3)));
  fc.assert(
    fc.property(fc.array(fc.oneof({ weight: 9, arbitrary: run }, { weight: 1, arbitrary: longRun }), { minLength: 1, maxLength: 12 }), (runs) => {
      const keys = runs.flat();
      const pool = new BlockPool(1024);
      const block = pool.acquire(0);
      const sorter = new Sorter(pool, 1 << 20, 4);
      keys.forEach((key, i) => sorter.add(block, 8 * i, 8, key, 0, i));
      sorter.finish();
      const got = drain(sorter).map((e) => [e.key, e.fileOff]);
      const expected = keys.map((key, i) => [key, i]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      assert.deepEqual(got, expected);
    }),
    { numRuns: 300 },
  );
});

/** Every record the sorter hands out from its last release, chunk by chunk. */
function drain(sorter: Sorter): Array<{ key: number; block: number; off: number; fileOff: number }> {
  const out: Array<{ key: number; block: number; off: number; fileOff: number }> = [];
  const b = sorter.batch;
  const p = b.entries;
  while (sorter.nextChunk()) {
    for (let i = 0; i < b.count; i++) {
      const e = b.idx[i];
      out.push({ key: p.keys[e], block: p.block(e), off: p.off(e), fileOff: p.fileOff(e) });
    }
    b.next = b.count;
  }
  return out;
}

it('round after round, every queued record comes out once, each release in time order, with or without forced flushes (property test)', () => {
  // keys drift upwards with jitter and the odd straggler; tiny arrays make the queue grow
  const op = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: -3, max: 6 }).map((step) => ({ kind: 'add' as const, step })) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 60 }).map((back) => ({ kind: 'straggler' as const, back })) },
    { weight: 2, arbitrary: fc.constant({ kind: 'round' as const }) },
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 400 }), fc.constantFrom(1 << 20, 8 * 12), (ops, maxBytes) => {
      const pool = new BlockPool(1024);
      const block = pool.acquire(0);
      // tiny arrays: the queue compacts and grows; a small byte bound forces flushes like the reader does
      const sorter = new Sorter(pool, maxBytes, 4, 4);
      let time = 100;
      let added = 0;
      const out: Array<{ key: number; fileOff: number }> = [];
      const releases: number[][] = [];
      const take = (): void => {
        const got = drain(sorter).map((e) => ({ key: e.key, fileOff: e.fileOff }));
        releases.push(got.map((e) => e.key));
        out.push(...got);
      };
      for (const o of ops) {
        if (o.kind === 'round') {
          sorter.finishedRound();
          take();
          continue;
        }
        if (o.kind === 'add') time += o.step;
        const key = o.kind === 'straggler' ? time - o.back : time;
        sorter.add(block, 0, 8, key, 0, added++);
        if (sorter.overBudget) {
          sorter.forceFlush();
          take();
        }
      }
      sorter.finish();
      take();
      assert.deepEqual(out.map((e) => e.fileOff).sort((a, b) => a - b), Array.from({ length: added }, (_, i) => i), 'each record once');
      for (const keys of releases) for (let i = 1; i < keys.length; i++) assert.ok(keys[i - 1] <= keys[i], 'a release is in time order');
      if (sorter.outOfOrder === 0) for (let i = 1; i < out.length; i++) assert.ok(out[i - 1].key <= out[i].key, 'in order overall');
    }),
    { numRuns: 300 },
  );
});
