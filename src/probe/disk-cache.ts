/**
 * Answers that are slow to find and change only with what their key names (a file's size and
 * mtime, the kernel release), kept in one JSON file each under ~/.cache/giltrace. A cache that
 * cannot be read or written is simply not used; GILTRACE_NO_CACHE=1 turns them all off.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Answers kept per cache file, the latest written: every run reads a whole file, and keys name
 * things that come and go (temporary programs, /proc/PID/root paths of attached processes, a
 * file's ctime). Unbounded, the files grew to 1.8 MB on this machine in two days of tests and
 * cost each run ~45 ms to read; a user's few interpreters fit many times over.
 */
export const MAX_ANSWERS = 64;

/** Where the caches are (~/.cache/giltrace), or undefined when GILTRACE_NO_CACHE=1 turns them off. */
function cacheFolder(): string | undefined {
  if (process.env.GILTRACE_NO_CACHE === '1') return undefined;
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'giltrace');
}

/**
 * The answer kept for `key`, else `compute`d and kept. `isFresh`: an answer kept too long is
 * computed again, and `compute` is given it (a measure that drifts: its history).
 */
export function cachedAnswer<T>(name: string, key: string | undefined, isAnswer: (value: unknown) => value is T, compute: (stale: T | undefined) => T, isFresh?: (value: T) => boolean): T {
  const folder = cacheFolder();
  if (folder === undefined || key === undefined) return compute(undefined);
  const file = path.join(folder, `${name}.json`);
  const all = readAll(file);
  const hit = all[key];
  const kept = isAnswer(hit) ? hit : undefined;
  if (kept !== undefined && (isFresh?.(kept) ?? true)) return kept;
  const found = compute(kept);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // the newest last (objects keep their string keys in insertion order), the oldest dropped
    delete all[key];
    all[key] = found;
    const keys = Object.keys(all);
    for (const old of keys.slice(0, Math.max(0, keys.length - MAX_ANSWERS))) delete all[old];
    const temporary = `${file}.${process.pid}`;
    fs.writeFileSync(temporary, JSON.stringify(all));
    fs.renameSync(temporary, file); // atomic: concurrent runs never read half a file
  } catch {
    // Read-only home or full disk: the next run computes again.
  }
  return found;
}

function readAll(file: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * A file's identity and version: device, inode, size, and mtime and ctime to the nanosecond
 * ('-' when it cannot be read). A file replaced (new inode), rewritten (size, mtime) or copied
 * over with its old mtime kept (ctime) gets another stamp.
 */
export function fileStamp(file: string): string {
  try {
    const st = fs.statSync(file, { bigint: true });
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return '-';
  }
}

/** An answer read from files, with the files it was read from. */
export interface FromFiles<T> {
  readonly answer: T;
  readonly files: readonly string[];
}

/**
 * cachedAnswer for answers read out of files (an interpreter, its libraries): kept with the stamp
 * of every file `compute` says it read, and used again only while each of them is unchanged;
 * otherwise computed again and replaced.
 */
export function cachedFromFiles<T>(name: string, key: string | undefined, isAnswer: (value: unknown) => value is T, compute: () => FromFiles<T>): T {
  const isCurrent = (value: unknown): value is StampedAnswer<T> => {
    if (typeof value !== 'object' || value === null) return false;
    const { answer, stamps } = value as Partial<StampedAnswer<T>>;
    return isAnswer(answer) && typeof stamps === 'object' && stamps !== null && stampsHold(stamps);
  };
  return cachedAnswer(name, key, isCurrent, () => {
    const { answer, files } = compute();
    return { answer, stamps: stampsOf(files) };
  }).answer;
}

interface StampedAnswer<T> {
  readonly answer: T;
  readonly stamps: Readonly<Record<string, string>>;
}

function stampsOf(files: readonly string[]): Record<string, string> {
  return Object.fromEntries(files.map((file) => [file, fileStamp(file)]));
}

/** Every file still has the stamp it had. */
function stampsHold(stamps: Readonly<Record<string, string>>): boolean {
  return Object.entries(stamps).every(([file, stamp]) => fileStamp(file) === stamp);
}

/** Answers kept per folder cache (cachedInFolder), the latest used. */
export const MAX_FOLDER_ANSWERS = 32;

/**
 * cachedFromFiles for large answers (a recording's stats, tens to hundreds of KB): one file each
 * in a folder of the cache, named by a hash of the key, so that a run reads only its own; the
 * least recently used beyond MAX_FOLDER_ANSWERS are removed. `compute` may give no files: its
 * answer then depends on more than files can say, and is not kept.
 */
export function cachedInFolder<T>(name: string, key: string, isAnswer: (value: unknown) => value is T, compute: () => { readonly answer: T; readonly files: readonly string[] | undefined }): T {
  const folder = cacheFolder();
  if (folder === undefined) return compute().answer;
  const dir = path.join(folder, name);
  const file = path.join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  const kept = readEntry(file);
  if (kept && kept.key === key && isAnswer(kept.answer) && stampsHold(kept.stamps)) {
    // used: the newest (what the pruning keeps)
    touch(file);
    return kept.answer;
  }
  const { answer, files } = compute();
  if (files === undefined) return answer;
  try {
    fs.mkdirSync(dir, { recursive: true });
    const temporary = `${file}.${process.pid}`;
    fs.writeFileSync(temporary, JSON.stringify({ key, stamps: stampsOf(files), answer }));
    fs.renameSync(temporary, file);
    pruneFolder(dir);
  } catch {
    // Read-only home or full disk: computed again next time.
  }
  return answer;
}

function readEntry(file: string): { key: unknown; stamps: Record<string, string>; answer: unknown } | undefined {
  try {
    const value = JSON.parse(fs.readFileSync(file, 'utf8')) as { key?: unknown; stamps?: unknown; answer?: unknown } | null;
    if (typeof value !== 'object' || value === null || typeof value.stamps !== 'object' || value.stamps === null) return undefined;
    return { key: value.key, stamps: value.stamps as Record<string, string>, answer: value.answer };
  } catch {
    return undefined;
  }
}

function touch(file: string): void {
  try {
    // to the microsecond, as a write's own mtime is finer than a Date's milliseconds
    const now = (performance.timeOrigin + performance.now()) / 1000;
    fs.utimesSync(file, now, now);
  } catch {
    // read-only: pruned a little early
  }
}

/** The folder's entries beyond MAX_FOLDER_ANSWERS removed, least recently used first. */
function pruneFolder(dir: string): void {
  const entries = fs.readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => {
      const file = path.join(dir, name);
      try {
        return { file, used: fs.statSync(file).mtimeMs };
      } catch {
        return undefined;
      }
    })
    .filter((entry) => entry !== undefined)
    .sort((a, b) => a.used - b.used);
  for (const { file } of entries.slice(0, Math.max(0, entries.length - MAX_FOLDER_ANSWERS))) fs.rmSync(file, { force: true });
}

/**
 * The code that computes an answer, as part of its key: the stamps of the compiled files under
 * `dir` (a rebuild or an upgrade of giltrace gets fresh answers, never ones an older version of
 * the code found). Count, newest mtime and total size: a few milliseconds for a folder.
 */
export function codeStamp(dir: string): string {
  let stamp = codeStamps.get(dir);
  if (stamp === undefined) codeStamps.set(dir, (stamp = stampFolder(dir)));
  return stamp;
}

const codeStamps = new Map<string, string>();

function stampFolder(dir: string): string {
  let count = 0;
  let newest = 0n;
  let bytes = 0n;
  // by hand: node 20's recursive readdir takes ~10 ms here for two folders
  const visit = (folder: string): void => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (entry.name.endsWith('.js') && !entry.name.endsWith('.test.js')) {
        const st = fs.statSync(file, { bigint: true });
        count++;
        bytes += st.size;
        if (st.mtimeNs > newest) newest = st.mtimeNs;
      }
    }
  };
  try {
    visit(dir);
  } catch {
    return '-';
  }
  return `${count}:${newest}:${bytes}`;
}
