/**
 * Rows of the timeline canvas, top to bottom: per process a header, per interpreter its GIL
 * holder and waiters rows, per thread a GIL row with a thin CPU row under it. A group of alike
 * threads (group-tracks.ts) takes the place of its first member: one GIL + CPU row pair for the
 * whole group, followed by its members' own rows when it is expanded.
 */
import type { UiData, UiGil, UiProcess, UiThread } from './data.js';
import type { UiThreadGroup } from './group-tracks.js';

export type RowKind = 'process' | 'holder' | 'waiters' | 'gil' | 'cpu' | 'group' | 'group-cpu';

export interface Row {
  readonly kind: RowKind;
  readonly y: number;
  readonly h: number;
  readonly process: UiProcess;
  readonly thread?: UiThread;
  readonly gil?: UiGil;
  /** The group of a 'group' / 'group-cpu' row, or the group a member's rows belong to. */
  readonly group?: UiThreadGroup;
  /** Index of the thread in its process (for colours), -1 otherwise. */
  readonly threadIndex: number;
  /** A 'group' row: whether its members' rows are shown under it. */
  readonly expanded?: boolean;
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

/** `expanded`: keys of the groups whose members' rows are shown under the group's row. */
export function layoutRows(data: UiData, groups: readonly UiThreadGroup[] = [], expanded: ReadonlySet<string> = new Set()): { rows: Row[]; height: number } {
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
    const groupOf = new Map<number, UiThreadGroup>();
    for (const group of groups) if (group.process === process) for (const member of group.members) groupOf.set(member.tid, group);
    const placed = new Set<UiThreadGroup>();
    const indexOf = new Map(process.threads.map((t, i) => [t, i]));
    const addThread = (thread: UiThread, threadIndex: number, group?: UiThreadGroup) => {
      add({ kind: 'gil', h: GIL_H, process, thread, threadIndex, group }, 1);
      add({ kind: 'cpu', h: CPU_H, process, thread, threadIndex, group }, THREAD_GAP);
    };
    process.threads.forEach((thread, threadIndex) => {
      const group = groupOf.get(thread.tid);
      if (!group) return addThread(thread, threadIndex);
      if (placed.has(group)) return;
      placed.add(group);
      const open = expanded.has(group.key);
      add({ kind: 'group', h: GIL_H, process, group, threadIndex: -1, expanded: open }, 1);
      add({ kind: 'group-cpu', h: CPU_H, process, group, threadIndex: -1 }, THREAD_GAP);
      if (open) for (const member of group.members) addThread(member, indexOf.get(member)!, group);
    });
    y += 8;
  }
  return { rows, height: y + 4 };
}

/** GIL rows (a thread's or a group's) take the thin CPU row under them as part of their block. */
export function isGilRow(row: Row): boolean {
  return row.kind === 'gil' || row.kind === 'group';
}
