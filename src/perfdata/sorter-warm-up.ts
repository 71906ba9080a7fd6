import { BlockPool } from './block-pool.js';
import { Sorter } from './sorter.js';

let warmedUp = false;

/**
 * Primes V8's type feedback for every path through the sorter before the first real round: a
 * path first taken inside an optimized call deoptimizes it, and the rest of that call — hundreds
 * of thousands of entries — would run in the interpreter. Rounds of one, two, three and many
 * runs, with untimed entries, stragglers, a forced flush and a compaction; each path a few dozen
 * times (V8 collects no feedback for a function's first few calls). Runs once per process, when
 * the first reader is made (not at import: importing the module costs nothing).
 */
export function warmUpSorter(): void {
  if (warmedUp) return;
  warmedUp = true;
  for (let round = 0; round < 8; round++) {
    const pool = new BlockPool(1024);
    const sorter = new Sorter(pool, 1 << 20, 4, 16);
    const block = pool.acquire(0);
    const drain = (): void => { while (sorter.nextChunk()) sorter.batch.next = sorter.batch.count; };
    for (const values of [[1, 2, 3], [6, 4, 5], [9, 8, 7], [14, 13, 12, 11, 10], [-Infinity, 15, 16], [20, 19, 18, 17, 21, 22, 23, 24, 25, 26, 27, 28, 29]]) {
      for (const v of values) sorter.add(block, 0, 8, v, 0, 0);
      sorter.finishedRound();
      drain();
    }
    sorter.forceFlush();
    drain();
    sorter.finish();
    drain();
  }
}
