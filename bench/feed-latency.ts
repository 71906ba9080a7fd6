/**
 * How long a record sits between the kernel writing it and createPerfFeed releasing it, when
 * perf writes a pipe (`perf record -o -`) at a low event rate: a process that sleeps 0.1 s
 * thirty times, one clock_nanosleep tracepoint hit each. Needs root and perf.
 *
 *   node dist/bench/feed-latency.js [extra perf record options...]
 *   e.g. node dist/bench/feed-latency.js --no-buffering
 *
 * Prints when perf's stdout chunks arrived, how many FINISHED_ROUNDs had come by then, and the
 * release latency of the samples (now minus the sample's CLOCK_MONOTONIC time, which is Node's
 * hrtime clock on Linux).
 *
 * Measured 12-04 (perf 6.1.187, 2 vCPUs, a busy machine):
 * - default: perf wrote the 30 samples only when it exited (1 round in all; latency median 2.2 s,
 *   max 3.6 s). The kernel wakes perf when a CPU's buffer is half full (512 KiB each for root),
 *   so in a long recording at 10 events/s records would sit for many minutes.
 * - `-m 1` (4 KiB buffers): 20 rounds, still median 1.6 s; `-m 8`: nothing before the exit.
 *   `--mmap-flush` is a minimum read size (default 1 byte already), not a wakeup: no help.
 * - `--no-buffering` (wakeup_events = 1): a round after every event (32 rounds), latency median
 *   101 ms, max 116 ms — one event interval, since a round's records go out with the next round.
 *   Its cost at a high rate: `perf bench sched pipe -l 100000` took 20.8 µs per round trip
 *   untraced, 27.2 with sched_switch recorded to a pipe, 54.0 with --no-buffering (perf's own
 *   CPU 1.8 s → 6.5 s). So: --no-buffering for a live view of a low-rate recording only.
 */
import { spawn } from 'node:child_process';
import { createPerfFeed } from '../src/perfdata/index.js';

const SLEEPER = 'import time\nfor _ in range(30): time.sleep(0.1)';

export async function main(extra: readonly string[]): Promise<void> {
  const args = ['record', '-o', '-', '-q', '-k', 'CLOCK_MONOTONIC', '-e', 'syscalls:sys_enter_clock_nanosleep', ...extra, '--', 'python3', '-c', SLEEPER];
  const start = process.hrtime.bigint();
  const ms = (t: bigint): string => (Number(t - start) / 1e6).toFixed(0);
  const perf = spawn('perf', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const feed = createPerfFeed({ name: 'perf record -o -' });
  const latencies: number[] = [];
  const chunks: string[] = [];
  let releasedBeforeExit = 0;
  let exited = false;
  perf.on('exit', () => { exited = true; });
  perf.stdout.on('data', (chunk: Buffer) => {
    const now = process.hrtime.bigint();
    feed.push(chunk);
    let samples = 0;
    for (const r of feed.available()) {
      if (r.type !== 'sample') continue;
      samples++;
      latencies.push(Number(now - (feed.timeBaseNs + BigInt(Math.round(r.time)))) / 1e6);
    }
    if (!exited) releasedBeforeExit += samples;
    chunks.push(`${ms(now)} ms: ${chunk.length} B, ${feed.stats.finishedRounds} rounds, ${samples} samples released`);
  });
  await new Promise<void>((resolve) => perf.stdout.on('end', resolve));
  feed.end();
  for (const r of feed.available()) {
    if (r.type === 'sample') latencies.push(Number(process.hrtime.bigint() - (feed.timeBaseNs + BigInt(Math.round(r.time)))) / 1e6);
  }
  console.log(`perf record ${args.slice(1, -3).join(' ')}`);
  for (const c of chunks) console.log(`  ${c}`);
  latencies.sort((a, b) => a - b);
  const at = (q: number): string => (latencies.length === 0 ? '-' : latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(0));
  console.log(`  ${latencies.length} samples, ${releasedBeforeExit} released before perf exited; latency ms: median ${at(0.5)}, p90 ${at(0.9)}, max ${at(1)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
