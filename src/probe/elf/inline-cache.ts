/**
 * Walking a libpython's DWARF for inlined take_gil/drop_gil copies takes ~1 s; the answer only
 * changes when the file does. Keep it on disk, keyed by path, size and mtime, so every run after
 * the first starts at once. A cache that cannot be read or written is simply not used.
 */
import * as fs from 'node:fs';
import { cachedAnswer } from '../disk-cache.js';
import type { InlinedInstance } from './dwarf-inlines.js';

const CACHE_VERSION = 1;

function keyOf(file: string): string | undefined {
  try {
    const st = fs.statSync(file);
    return `${file}\0${st.size}\0${st.mtimeMs}`;
  } catch {
    return undefined;
  }
}

export function cachedInlinedInstances(file: string, compute: () => InlinedInstance[]): readonly InlinedInstance[] {
  return cachedAnswer(`inlined-gil-v${CACHE_VERSION}`, keyOf(file), (value): value is InlinedInstance[] => Array.isArray(value), compute);
}
