/**
 * perf.data parse throughput vs `perf script` on the same recording.
 *
 *   node dist/bench/perfdata-throughput.js RECORDING      (or GILTRACE_BENCH_DATA=RECORDING)
 *   node dist/bench/perfdata-throughput.js --make-big SRC OUT COPIES   (> 2 GB test input from a real recording)
 *
 * Ours: one full iteration that also decodes what the model reads from each record (time, tid,
 * cpu; sched_switch prev_pid/prev_state/next_pid, sched_waking pid, the GIL probes' interp and
 * ret arguments, comm strings). Theirs:
 * `perf script -i F -F tid,cpu,time,event,trace > /dev/null`. Prints events/s, MB/s, the ratio
 * and our peak RSS. Both sides run GILTRACE_BENCH_RUNS times (default 5), each in a fresh process,
 * alternating, and the best run of each is compared (this machine's timings wander by ±30 %).
 *
 * A big input: record one with hand-made uprobes (always delete them afterwards), e.g.
 *   L=~/.pyenv/versions/3.12.1/lib/libpython3.12.so.1.0; G=bench_$$
 *   perf probe -x $L $G:take_gil=take_gil; perf probe -x $L $G:take_ret=take_gil%return; perf probe -x $L $G:drop_gil=drop_gil
 *   perf record -e "$G:*" -e sched:sched_switch -e sched:sched_waking -a -k CLOCK_MONOTONIC -m 4096 -o /tmp/big.data -- python3.12 prog.py
 *   perf probe -d "$G:*"
 * with prog.py running 4 threads that loop on `time.sleep(0)` under sys.setswitchinterval(1e-6)
 * (~200k events/s); then `--make-big /tmp/big.data /tmp/huge.data 11` for > 2 GB.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { hasPayload, openPerfData, readSampleInt, type EventType, type TracepointField } from '../src/perfdata/index.js';
import { readFileHeader } from '../src/perfdata/file-header.js';
import { OWN_MALLOC_TUNABLES } from '../src/cli/own-malloc-settings.js';

interface Needed {
  readonly a: TracepointField | undefined;
  readonly b: TracepointField | undefined;
  readonly c: TracepointField | undefined;
}

/** The payload fields the model (perf-to-timeline-events) reads from each event, by tracepoint. */
function neededFields(e: EventType): Needed {
  if (e.tracepoint === 'sched_switch') return { a: e.field('prev_pid'), b: e.field('prev_state'), c: e.field('next_pid') };
  if (e.tracepoint === 'sched_waking' || e.tracepoint === 'sched_wakeup') return { a: e.field('pid'), b: undefined, c: undefined };
  // GIL probes: the interpreter of take_gil (3.12+ probes), the return address of drop_gil
  return { a: e.field('interp'), b: e.field('ret'), c: undefined };
}

export interface OursResult {
  readonly events: number;
  readonly seconds: number;
  /** CPU seconds (user + system): steadier than wall time on a shared machine. */
  readonly cpuSeconds: number;
  readonly checksum: number;
}

export function parseOnce(file: string): OursResult {
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const pd = openPerfData(file);
  const needed = pd.eventTypes.map(neededFields);
  let events = 0;
  // int32 folding keeps the consumer's own cost small: we measure the reader, not fmod
  let checksum = 0;
  for (const r of pd.records()) {
    events++;
    switch (r.type) {
      case 'sample': {
        const n = needed[r.event.index];
        if (hasPayload(r)) {
          if (n.a !== undefined) checksum = (checksum + readSampleInt(r, n.a)) | 0;
          if (n.b !== undefined) checksum = (checksum + readSampleInt(r, n.b)) | 0;
          if (n.c !== undefined) checksum = (checksum + readSampleInt(r, n.c)) | 0;
        }
        // one truncated add each: a double add first would overflow int32 and deoptimize
        checksum = (checksum + r.tid) | 0;
        checksum = (checksum + r.cpu) | 0;
        // folded per record: a float kept across iterations was boxed anew for each one
        checksum = (checksum + r.time) | 0;
        break;
      }
      case 'comm': checksum = (checksum + r.comm.length) | 0; break;
      case 'fork':
      case 'exit': checksum = (checksum + r.tid) | 0; break;
      case 'mmap': checksum = (checksum + r.filename.length) | 0; break;
      case 'lost': checksum = (checksum + r.count) | 0; break;
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { events, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, checksum };
}

/** CPU seconds of waited-for children so far (utime + stime of /proc/self/stat's cutime, cstime). */
function childrenCpuSeconds(): number | undefined {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is state (field 3): cutime and cstime are fields 16 and 17
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

export function perfScriptSeconds(file: string): { seconds: number; cpuSeconds: number | undefined } | undefined {
  const start = process.hrtime.bigint();
  const cpu0 = childrenCpuSeconds();
  const out = spawnSync('perf', ['script', '-i', file, '-F', 'tid,cpu,time,event,trace'], { stdio: ['ignore', 'ignore', 'ignore'] });
  if (out.error !== undefined || out.status !== 0) return undefined;
  const cpu1 = childrenCpuSeconds();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, cpuSeconds: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0 };
}

/** Runs per side: each in a fresh process, alternating, so both see the same machine noise. */
const RUNS = Number(process.env.GILTRACE_BENCH_RUNS ?? 5);

/** One cold parse in a fresh node process (what a user's `giltrace stats` pays), with giltrace's malloc settings (cli/main.ts's launcher sets them). */
function oursInChild(file: string): OursResult & { rssMb: number } {
  const env = { ...process.env, GLIBC_TUNABLES: [OWN_MALLOC_TUNABLES, process.env.GLIBC_TUNABLES].filter(Boolean).join(':') };
  const out = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--ours', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env });
  if (out.status !== 0) throw new Error(`the parse run failed (exit ${out.status})`);
  return JSON.parse(out.stdout) as OursResult & { rssMb: number };
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  if (argv[0] === '--make-big') {
    // --make-big SRC OUT COPIES: a big recording from a real one (see scaleRecording)
    const bytes = scaleRecording(argv[1], argv[2], Number(argv[3] ?? 10));
    console.log(`wrote ${argv[2]}: ${(bytes / 1e9).toFixed(2)} GB`);
    return 0;
  }
  if (argv[0] === '--ours') {
    const ours = parseOnce(argv[1]);
    console.log(JSON.stringify({ ...ours, rssMb: process.resourceUsage().maxRSS / 1024 }));
    return 0;
  }
  const file = argv[0] ?? process.env.GILTRACE_BENCH_DATA;
  if (file === undefined || !fs.existsSync(file)) {
    console.error('usage: perfdata-throughput RECORDING (or GILTRACE_BENCH_DATA=RECORDING)');
    return 2;
  }
  const mb = fs.statSync(file).size / 1e6;
  const ours: Array<OursResult & { rssMb: number }> = [];
  const theirs: Array<{ seconds: number; cpuSeconds: number | undefined }> = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(oursInChild(file));
    const t = perfScriptSeconds(file);
    if (t !== undefined) theirs.push(t);
  }
  const best = ours.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const list = (xs: number[]): string => xs.map((x) => x.toFixed(3)).join(' ');
  console.log(`file: ${file} (${mb.toFixed(1)} MB, ${best.events} records); best of ${RUNS} cold runs each, alternating`);
  console.log(`giltrace perfdata: ${best.seconds.toFixed(3)} s wall, ${best.cpuSeconds.toFixed(3)} s CPU  ${(best.events / best.seconds / 1e6).toFixed(2)} M events/s  ${(mb / best.seconds).toFixed(1)} MB/s  peak RSS ${Math.max(...ours.map((o) => o.rssMb)).toFixed(0)} MB  (runs: ${list(ours.map((o) => o.seconds))} s)`);
  if (theirs.length === 0) {
    console.log('perf script: not available (perf not installed or failed)');
    return 0;
  }
  const theirBest = theirs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const theirCpu = theirBest.cpuSeconds === undefined ? '?' : theirBest.cpuSeconds.toFixed(3);
  console.log(`perf script -F tid,cpu,time,event,trace: ${theirBest.seconds.toFixed(3)} s wall, ${theirCpu} s CPU  ${(best.events / theirBest.seconds / 1e6).toFixed(2)} M events/s  (runs: ${list(theirs.map((t) => t.seconds))} s)`);
  const cpuRatio = theirBest.cpuSeconds === undefined ? '' : `, ${(theirBest.cpuSeconds / best.cpuSeconds).toFixed(1)}x by CPU time`;
  console.log(`ratio: ${(theirBest.seconds / best.seconds).toFixed(1)}x faster than perf script by wall time${cpuRatio} (goal: 15x)`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
  process.exitCode = await main();
}

/**
 * Writes OUT: the file-form recording SRC with its data section repeated `copies` times, each copy's
 * timestamps shifted past the previous one, and the feature sections relocated. Gives > 2 GB inputs
 * (offsets past 2^31 and 2^32) with real record contents, without keeping anything in memory.
 */
export function scaleRecording(src: string, out: string, copies: number): number {
  const fd = fs.openSync(src, 'r');
  const size = fs.fstatSync(fd).size;
  const h = readFileHeader(fd, src, size, { present: [] });
  const a = h.attrs[0];
  if (!h.attrs.every((x) => x.timePos === a.timePos && x.trailerTime === a.trailerTime && x.sampleIdAll === a.sampleIdAll) || a.timePos < 0) {
    throw new Error('scaleRecording: attrs disagree on where times are');
  }
  const read = (off: number, len: number): Buffer => {
    const b = Buffer.alloc(len);
    fs.readSync(fd, b, 0, len, off);
    return b;
  };
  const head = read(0, h.dataOffset);
  const tail = read(h.dataOffset + h.dataSize, size - h.dataOffset - h.dataSize);
  const data = read(h.dataOffset, h.dataSize);
  fs.closeSync(fd);
  // time span of the data, to space the copies
  let first = Infinity;
  let last = 0;
  const timeAt = (p: number, type: number, len: number): number => (type === 9 ? p + a.timePos : type < 64 && a.sampleIdAll && a.trailerTime > 0 ? p + len - a.trailerTime : -1);
  for (let p = 0; p + 8 <= data.length; p += data.readUInt16LE(p + 6)) {
    const at = timeAt(p, data.readUInt32LE(p), data.readUInt16LE(p + 6));
    if (at < 0) continue;
    const t = Number(data.readBigUInt64LE(at));
    if (t === 0) continue;
    if (t < first) first = t;
    if (t > last) last = t;
  }
  const step = BigInt(last - first + 1_000_000);
  const newDataSize = h.dataSize * copies;
  head.writeBigUInt64LE(BigInt(newDataSize), 48);
  // feature section table: absolute offsets move by the added data
  const delta = BigInt(newDataSize - h.dataSize);
  const sections = tail.length >= 16 ? countFeatureSections(head) : 0;
  for (let i = 0; i < sections; i++) tail.writeBigUInt64LE(tail.readBigUInt64LE(16 * i) + delta, 16 * i);
  const outFd = fs.openSync(out, 'w');
  fs.writeSync(outFd, head);
  const copy = Buffer.from(data);
  for (let k = 0; k < copies; k++) {
    if (k > 0) {
      const shift = step * BigInt(k);
      for (let p = 0; p + 8 <= data.length; p += data.readUInt16LE(p + 6)) {
        const at = timeAt(p, data.readUInt32LE(p), data.readUInt16LE(p + 6));
        if (at < 0) continue;
        const t = data.readBigUInt64LE(at);
        if (t !== 0n) copy.writeBigUInt64LE(t + shift, at);
      }
    }
    fs.writeSync(outFd, copy);
  }
  fs.writeSync(outFd, tail);
  fs.closeSync(outFd);
  return head.length + newDataSize + tail.length;
}

function countFeatureSections(header: Buffer): number {
  let n = 0;
  for (let word = 0; word < 8; word++) {
    let v = header.readUInt32LE(72 + 4 * word);
    while (v !== 0) { v &= v - 1; n++; }
  }
  return n;
}
