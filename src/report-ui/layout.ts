/** Rows of the timeline canvas, top to bottom: per process a header, per interpreter its GIL holder and waiters rows, per thread a GIL row with a thin CPU row under it. */
import type { UiData, UiGil, UiProcess, UiThread } from './data.js';

export type RowKind = 'process' | 'holder' | 'waiters' | 'gil' | 'cpu';

export interface Row {
  readonly kind: RowKind;
  readonly y: number;
  readonly h: number;
  readonly process: UiProcess;
  readonly thread?: UiThread;
  readonly gil?: UiGil;
  /** Index of the thread in its process (for colours), -1 otherwise. */
  readonly threadIndex: number;
}

export const GUTTER = 240;
export const RULER_H = 28;
const PROCESS_H = 26;
const HOLDER_H = 20;
const WAITERS_H = 24;
export const GIL_H = 16;
export const CPU_H = 7;
const ROW_GAP = 3;
const THREAD_GAP = 7;

export function layoutRows(data: UiData): { rows: Row[]; height: number } {
  const rows: Row[] = [];
  let y = RULER_H + 4;
  const add = (row: Omit<Row, 'y'>, gapAfter: number) => {
    rows.push({ ...row, y });
    y += row.h + gapAfter;
  };
  for (const process of data.processes) {
    add({ kind: 'process', h: PROCESS_H, process, threadIndex: -1 }, 2);
    for (const gil of process.gils) {
      add({ kind: 'holder', h: HOLDER_H, process, gil, threadIndex: -1 }, ROW_GAP);
      add({ kind: 'waiters', h: WAITERS_H, process, gil, threadIndex: -1 }, THREAD_GAP + 2);
    }
    process.threads.forEach((thread, threadIndex) => {
      add({ kind: 'gil', h: GIL_H, process, thread, threadIndex }, 1);
      add({ kind: 'cpu', h: CPU_H, process, thread, threadIndex }, THREAD_GAP);
    });
    y += 8;
  }
  return { rows, height: y + 4 };
}
