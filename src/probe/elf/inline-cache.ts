/**
 * Walking a libpython's DWARF for inlined take_gil/drop_gil copies takes ~1 s; the answer only
 * changes when the file does. Keep it on disk, keyed by path, size and mtime, so every run after
 * the first starts at once. A cache that cannot be read or written is simply not used.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { InlinedInstance } from './dwarf-inlines.js';

const CACHE_VERSION = 1;

function cacheFile(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'giltrace', `inlined-gil-v${CACHE_VERSION}.json`);
}

function keyOf(file: string): string | undefined {
  try {
    const st = fs.statSync(file);
    return `${file}\0${st.size}\0${st.mtimeMs}`;
  } catch {
    return undefined;
  }
}

function readAll(): Record<string, InlinedInstance[]> {
  try {
    const value: unknown = JSON.parse(fs.readFileSync(cacheFile(), 'utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, InlinedInstance[]>) : {};
  } catch {
    return {};
  }
}

export function cachedInlinedInstances(file: string, compute: () => InlinedInstance[]): readonly InlinedInstance[] {
  if (process.env.GILTRACE_NO_CACHE === '1') return compute();
  const key = keyOf(file);
  const all = readAll();
  const hit = key === undefined ? undefined : all[key];
  if (Array.isArray(hit)) return hit;
  const found = compute();
  if (key !== undefined) {
    try {
      fs.mkdirSync(path.dirname(cacheFile()), { recursive: true });
      all[key] = found;
      const temporary = `${cacheFile()}.${process.pid}`;
      fs.writeFileSync(temporary, JSON.stringify(all));
      fs.renameSync(temporary, cacheFile()); // atomic: concurrent runs never read half a file
    } catch {
      // Read-only home or full disk: the next run computes again.
    }
  }
  return found;
}
