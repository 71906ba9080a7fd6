/**
 * The drop-caller rule of drop-callers.ts as data: the file-offset ranges of the functions whose
 * drop_gil calls are forced (and, for versions newer than those checked, of the known voluntary
 * ones). Written into the recording's manifest at record time, so a recording can be read where
 * the interpreter's symbols are not.
 */
import type { DropCallerTable, FileRange } from '../contract/recording-manifest.js';
import { classifyDropCaller, NEWEST_CHECKED_MINOR } from './drop-callers.js';
import type { FunctionTable } from './elf/symbolizer.js';

export function dropCallerTable(table: FunctionTable, version: { readonly major: number; readonly minor: number }): DropCallerTable {
  const checked = version.major === 3 && version.minor <= NEWEST_CHECKED_MINOR;
  const forced: FileRange[] = [];
  const voluntary: FileRange[] = [];
  for (const fn of table.functions) {
    if (fn.size === 0) continue;
    const kind = classifyDropCaller(fn.name, version);
    const range: FileRange = [fn.fileOffset, fn.fileOffset + fn.size];
    if (kind === 'forced') forced.push(range);
    else if (kind === 'voluntary' && !checked) voluntary.push(range);
  }
  return { forced: mergeRanges(forced), voluntary: mergeRanges(voluntary), otherwise: checked ? 'voluntary' : 'unknown' };
}

/** Sorted, overlapping and touching ranges joined (aliases share one range). */
function mergeRanges(ranges: FileRange[]): FileRange[] {
  ranges.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [start, end] of ranges) {
    const last = out[out.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}
