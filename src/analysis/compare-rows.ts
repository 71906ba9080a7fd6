/**
 * The rows of `giltrace diff` inside one pair of processes: threads matched by name pattern
 * (a pool in one run is the pool in the other, however many workers and whatever their numbers)
 * and Python functions matched by name and file.
 */
import type { Compared, FunctionDiff, Presence, ThreadNumbers, ThreadRowDiff } from '../contract/diff.js';
import type { FunctionStats, ProcessStats, ThreadStats } from '../contract/stats.js';
import { pairUp, type Pair } from './pair-up.js';
import { groupName, threadNamePattern } from './thread-groups.js';

/** The main thread's row key, whatever its name (a program may rename it; without the Python hook it has the OS name). */
export const MAIN_THREAD_KEY = 'MainThread';

export function compared(a: number | undefined, b: number | undefined): Compared {
  if (a === undefined) return b === undefined ? {} : { b };
  if (b === undefined) return { a };
  const change = b - a;
  return a === 0 ? { a, b, change } : { a, b, change, relative_change: change / a };
}

export function presenceOf<T>(pair: Pair<T>): Presence {
  return pair.a && pair.b ? 'both' : pair.a ? 'a' : 'b';
}

/** Threads of one run that share a row: the main thread alone, the others by name pattern. */
interface ThreadBucket {
  readonly key: string;
  readonly mainThread: boolean;
  readonly threads: readonly ThreadStats[];
}

interface ThreadSums {
  readonly lifetime_ns: number;
  readonly active_ns: number;
  readonly held_ns: number;
  readonly wait_ns: number;
  readonly acquisitions: number;
}

function sumThreads(threads: readonly ThreadStats[]): ThreadSums {
  const sum = (key: keyof ThreadSums) => threads.reduce((n, t) => n + t[key], 0);
  return {
    lifetime_ns: sum('lifetime_ns'),
    active_ns: sum('active_ns'),
    held_ns: sum('held_ns'),
    wait_ns: sum('wait_ns'),
    acquisitions: sum('acquisitions'),
  };
}

const waitShare = (sums: ThreadSums | undefined) => (sums && sums.active_ns > 0 ? sums.wait_ns / sums.active_ns : undefined);

/** A, B and change of every thread number; a side without threads (undefined) has no values. */
export function compareThreadNumbers(a: readonly ThreadStats[] | undefined, b: readonly ThreadStats[] | undefined): ThreadNumbers {
  const sa = a && sumThreads(a);
  const sb = b && sumThreads(b);
  const both = (key: keyof ThreadSums) => compared(sa?.[key], sb?.[key]);
  return {
    lifetime_ns: both('lifetime_ns'),
    active_ns: both('active_ns'),
    held_ns: both('held_ns'),
    wait_ns: both('wait_ns'),
    wait_share: compared(waitShare(sa), waitShare(sb)),
    acquisitions: both('acquisitions'),
  };
}

function threadBuckets(process: ProcessStats): ThreadBucket[] {
  const byKey = new Map<string, ThreadStats[]>();
  const main = process.threads.filter((t) => t.tid === process.pid);
  for (const thread of process.threads) {
    if (thread.tid === process.pid) continue;
    const key = threadNamePattern(thread.name);
    let list = byKey.get(key);
    if (!list) byKey.set(key, (list = []));
    list.push(thread);
  }
  const buckets: ThreadBucket[] = [...byKey].map(([key, threads]) => ({ key, mainThread: false, threads }));
  return main.length ? [{ key: MAIN_THREAD_KEY, mainThread: true, threads: main }, ...buckets] : buckets;
}

function rowSide(bucket: ThreadBucket | undefined) {
  if (!bucket) return undefined;
  const name = bucket.mainThread ? bucket.threads[0].name : groupName(bucket.threads, bucket.key);
  return { name, tids: bucket.threads.map((t) => t.tid) };
}

/** GIL time at stake in a row: the larger of the two runs', so the rows that matter lead whichever run they grew in. */
function weight(values: readonly Compared[]): number {
  const side = (pick: (c: Compared) => number | undefined) => values.reduce((n, c) => n + (pick(c) ?? 0), 0);
  return Math.max(side((c) => c.a), side((c) => c.b));
}

export function compareThreadRows(a: ProcessStats | undefined, b: ProcessStats | undefined): ThreadRowDiff[] {
  // The main-thread flag is part of the key: a worker named like the main thread stays a worker.
  const key = (bucket: ThreadBucket) => `${bucket.mainThread ? 'main' : 'other'}\0${bucket.key}`;
  const pairs = pairUp(a ? threadBuckets(a) : [], b ? threadBuckets(b) : [], [{ key }]);
  const rows = pairs.map((pair): ThreadRowDiff => {
    const bucket = (pair.a ?? pair.b)!;
    return {
      key: bucket.key,
      main_thread: bucket.mainThread,
      in: presenceOf(pair),
      ...(pair.a && { a: rowSide(pair.a) }),
      ...(pair.b && { b: rowSide(pair.b) }),
      threads: compared(pair.a?.threads.length, pair.b?.threads.length),
      ...compareThreadNumbers(pair.a?.threads, pair.b?.threads),
    };
  });
  return sortByWeight(rows, [(row) => weight([row.held_ns, row.wait_ns])], (row) => row.key);
}

/** `/x/lib/python3.12/threading.py` → `threading.py`; `<frozen site>` stays as it is. */
function fileName(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}

export function compareFunctions(a: readonly FunctionStats[], b: readonly FunctionStats[]): FunctionDiff[] {
  const pairs = pairUp(a, b, [
    { key: (f) => `${f.name}\0${f.file}` },
    // Another Python's stdlib, another checkout of the program: the same file name is the same file when nothing else could be.
    { key: (f) => `${f.name}\0${fileName(f.file)}`, unique: true },
  ]);
  const rows = pairs.map((pair): FunctionDiff => {
    const both = (key: 'held_ns' | 'held_while_others_wait_ns' | 'wait_ns' | 'waits' | 'forced_drops') => compared(pair.a?.[key], pair.b?.[key]);
    return {
      name: (pair.a ?? pair.b)!.name,
      in: presenceOf(pair),
      ...(pair.a && { a: { file: pair.a.file, line: pair.a.line } }),
      ...(pair.b && { b: { file: pair.b.file, line: pair.b.line } }),
      held_ns: both('held_ns'),
      held_while_others_wait_ns: both('held_while_others_wait_ns'),
      wait_ns: both('wait_ns'),
      waits: both('waits'),
      forced_drops: both('forced_drops'),
    };
  });
  // What others paid and what it paid first; time held with nobody waiting (imports, start-up) only breaks ties.
  return sortByWeight(rows, [(row) => weight([row.held_while_others_wait_ns, row.wait_ns]), (row) => weight([row.held_ns])], (row) => row.name);
}

/** Heaviest first by the first weight, then the next; then by name, so the order is stable. */
function sortByWeight<T>(rows: T[], weights: readonly ((row: T) => number)[], nameOf: (row: T) => string): T[] {
  const keys = new Map(rows.map((row) => [row, weights.map((w) => w(row))]));
  return rows.sort((x, y) => {
    const kx = keys.get(x)!;
    const ky = keys.get(y)!;
    for (let i = 0; i < kx.length; i++) if (kx[i] !== ky[i]) return ky[i] - kx[i];
    return nameOf(x).localeCompare(nameOf(y));
  });
}
