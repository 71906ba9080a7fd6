/**
 * The timeline's side of thread groups: each shown group's members and the tracks of its
 * collapsed row (merge-tracks.ts), plus who among the members was in which state when the
 * pointer asks (a collapsed row's tooltip names them).
 */
import { stepAt, type Track, type UiData, type UiProcess, type UiThread, type UiTracks } from './data.js';
import { mergeSortedColumns, mergeStepTracks } from './merge-tracks.js';
import { shownGroups } from './thread-groups.js';

/** A collapsed row of alike threads; its drops (dropTimes, dropFlags) are every member's, in time order. */
export interface UiThreadGroup extends UiTracks {
  /** `pid:pattern`, unique in the report. */
  readonly key: string;
  readonly process: UiProcess;
  /** The shared name with numbers as `*`. */
  readonly name: string;
  /** In the process' thread order. */
  readonly members: readonly UiThread[];
  /** Per instant: holding if any member held the GIL, else waiting if any waited, else none; GROUP_GIL_GAP where no member lived. */
  readonly gil: Track;
  /** Per instant: running if any member ran, else runnable, else blocked, else sleeping; GROUP_CPU_GAP where no member lived. */
  readonly cpu: Track;
}

/** States out of the painters' range (3 GIL states, 4 CPU states): not drawn, not hit. */
export const GROUP_GIL_GAP = 3;
export const GROUP_CPU_GAP = 4;
/** GIL: holding (2) over waiting (1) over none (0). */
const GIL_RANK = [0, 1, 2];
/** CPU: running (0) over runnable (1) over blocked (3) over sleeping (2). */
const CPU_RANK = [3, 2, 0, 1];

/** Every shown group of every process, with its merged tracks (built once, when the page opens). */
export function buildThreadGroups(data: UiData): UiThreadGroup[] {
  const groups: UiThreadGroup[] = [];
  for (const process of data.processes) {
    const stats = data.raw.stats.processes.find((p) => p.pid === process.pid);
    for (const group of shownGroups(stats)) {
      const tids = new Set(group.tids);
      const members = process.threads.filter((t) => tids.has(t.tid));
      if (members.length < 2) continue; // the stats and the timeline disagree: show the threads as they are
      const gil = mergeStepTracks(members.map((t) => ({ track: t.gil, start: t.start, end: t.end })), GIL_RANK, GROUP_GIL_GAP);
      const cpu = mergeStepTracks(members.map((t) => ({ track: t.cpu, start: t.start, end: t.end })), CPU_RANK, GROUP_CPU_GAP);
      const drops = mergeSortedColumns(members.map((t) => ({ times: t.dropTimes, values: t.dropFlags })));
      groups.push({
        key: `${process.pid}:${group.name}`,
        process,
        name: group.name,
        members,
        start: Math.min(...members.map((t) => t.start)),
        end: Math.max(...members.map((t) => t.end)),
        gil,
        cpu,
        dropTimes: drops.times,
        dropFlags: drops.values,
      });
    }
  }
  return groups;
}

export interface MemberTime {
  readonly thread: UiThread;
  /** Time in the state within the asked range (0 for an instant). */
  readonly ns: number;
}

/** Per state of the members' GIL or CPU track, the members in it at instant `t`. */
export function membersAt(group: UiThreadGroup, which: 'gil' | 'cpu', t: number): MemberTime[][] {
  const byState = emptyLists(which);
  for (const thread of group.members) {
    if (t < thread.start || t >= thread.end) continue;
    const { times, states } = thread[which];
    const i = stepAt(times, t);
    if (i >= 0 && states[i] < byState.length) byState[states[i]].push({ thread, ns: 0 });
  }
  return byState;
}

/** Per state, the members that were in it during [t0, t1) (a pixel column), most time first. */
export function membersDuring(group: UiThreadGroup, which: 'gil' | 'cpu', t0: number, t1: number): MemberTime[][] {
  const byState = emptyLists(which);
  const cover = new Float64Array(byState.length);
  for (const thread of group.members) {
    const lo = Math.max(t0, thread.start);
    const hi = Math.min(t1, thread.end);
    if (!(hi > lo)) continue;
    const { times, states } = thread[which];
    cover.fill(0);
    for (let i = Math.max(0, stepAt(times, lo)); i < times.length && times[i] < hi; i++) {
      const e = Math.min(i + 1 < times.length ? times[i + 1] : thread.end, hi);
      const s = Math.max(times[i], lo);
      if (e > s && states[i] < cover.length) cover[states[i]] += e - s;
    }
    for (let s = 0; s < cover.length; s++) if (cover[s] > 0) byState[s].push({ thread, ns: cover[s] });
  }
  for (const list of byState) list.sort((a, b) => b.ns - a.ns);
  return byState;
}

function emptyLists(which: 'gil' | 'cpu'): MemberTime[][] {
  return which === 'gil' ? [[], [], []] : [[], [], [], []];
}
