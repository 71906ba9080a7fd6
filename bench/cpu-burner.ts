/**
 * The sampling bench's anchor: a process that wakes TICKS_PER_SECOND times a second, as the
 * sampler does, and spins for a given CPU time each time, doing nothing else. Run beside the
 * untraced program with the CPU a sampler's tick took in the same round, it shows what any
 * process using that much CPU costs the program on this machine.
 *
 *   node dist/bench/cpu-burner.js MICROSECONDS_A_TICK [--short-slice]
 *
 * `--short-slice`: with the time slice the sampler asks for (record/sampler-slice.ts), so that it
 * preempts the program at each tick as the sampler does. Runs until killed; prints "ready" once
 * it ticks.
 */
import { askShortSlice } from '../src/record/sampler-slice.js';

const TICKS_PER_SECOND = 1000;

const burnNs = BigInt(Math.round(Number(process.argv[2]) * 1000));
if (!(burnNs > 0n)) throw new Error('usage: cpu-burner.js MICROSECONDS_A_TICK [--short-slice]');
if (process.argv[3] === '--short-slice' && !askShortSlice(true)) throw new Error('cpu-burner.js: no helper could ask for the short slice');
const periodNs = BigInt(1e9 / TICKS_PER_SECOND);
const wake = new Int32Array(new SharedArrayBuffer(4));
console.log('ready');
let next = process.hrtime.bigint();
for (;;) {
  const start = process.hrtime.bigint();
  while (process.hrtime.bigint() - start < burnNs);
  next += periodNs;
  const waitMs = Number(next - process.hrtime.bigint()) / 1e6;
  if (waitMs > 0) Atomics.wait(wake, 0, 0, waitMs);
  else next = process.hrtime.bigint();
}
