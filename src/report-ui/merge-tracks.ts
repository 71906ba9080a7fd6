/**
 * Several threads' step tracks as one, for a collapsed group row: at every instant the state of
 * the member that ranks highest (for the GIL: any member holding, else any waiting, else none),
 * so the group's track shows the group's GIL state faithfully, change for change. A k-way
 * merge of the members' already sorted steps through a small heap: O(steps · log members), one
 * pass, no sort of all the steps.
 */
import type { Track } from './data.js';

export interface MemberTrack {
  readonly track: Track;
  readonly start: number;
  readonly end: number;
}

/**
 * `rank[state]`: which state wins when members differ (higher wins). Where no member's track
 * covers the time (before a member's first step, after its end) it counts for nothing; where
 * none does, the merged track is in state `gap` (give one the painter does not draw).
 */
export function mergeStepTracks(members: readonly MemberTrack[], rank: readonly number[], gap: number): Track {
  const stateCount = rank.length;
  const n = members.length;
  const memberTimes = members.map((m) => m.track.times);
  const memberStates = members.map((m) => m.track.states);
  const starts = Float64Array.from(members, (m) => m.start);
  const ends = Float64Array.from(members, (m) => m.end);
  // Steps at or after a member's end are not its: its life stops there.
  const stepCount = Int32Array.from(members, ({ track, end }) => {
    let i = track.times.length;
    while (i > 0 && track.times[i - 1] >= end) i--;
    return i;
  });
  // The states in the order they win, so the merged state is the first one with a member in it.
  const byRank = [...rank.keys()].sort((a, b) => rank[b] - rank[a]);
  const cursor = new Int32Array(n);
  const current = new Int32Array(n).fill(-1);
  const counts = new Int32Array(stateCount);
  // Member j's next event: its step cursor[j] (a step before its start counts from its start),
  // or, once past its steps, its end.
  const keys = new Float64Array(n);
  const heap = new IndexHeap(keys);
  for (let j = 0; j < n; j++) {
    keys[j] = stepCount[j] > 0 ? Math.max(memberTimes[j][0], starts[j]) : ends[j];
    heap.push(j);
  }
  let total = n;
  for (let j = 0; j < n; j++) total += stepCount[j];
  const times = new Float64Array(total);
  const states = new Uint8Array(total);
  let length = 0;
  let last = -1;
  // hot path: one heap step per member step.
  while (heap.size > 0) {
    const t = keys[heap.top()];
    do {
      const j = heap.top();
      if (current[j] >= 0) counts[current[j]]--;
      const c = cursor[j]++;
      if (c < stepCount[j]) {
        const state = memberStates[j][c];
        current[j] = state < stateCount ? state : -1;
        if (state < stateCount) counts[state]++;
        keys[j] = c + 1 < stepCount[j] ? Math.max(memberTimes[j][c + 1], starts[j]) : ends[j];
        heap.siftDown(0);
      } else {
        current[j] = -1;
        heap.pop();
      }
    } while (heap.size > 0 && keys[heap.top()] === t);
    let best = gap;
    for (let r = 0; r < stateCount; r++) {
      if (counts[byRank[r]] > 0) {
        best = byRank[r];
        break;
      }
    }
    if (best === last) continue;
    times[length] = t;
    states[length++] = best;
    last = best;
  }
  return { times: times.slice(0, length), states: states.slice(0, length) };
}

/** Several sorted time columns with a value each, as one sorted column (the members' drops). */
export function mergeSortedColumns(columns: readonly { times: Float64Array; values: ArrayLike<number> }[]): { times: Float64Array; values: Uint8Array } {
  const total = columns.reduce((a, c) => a + c.times.length, 0);
  const times = new Float64Array(total);
  const values = new Uint8Array(total);
  const cursor = new Int32Array(columns.length);
  const keys = new Float64Array(columns.length);
  const heap = new IndexHeap(keys);
  columns.forEach((c, j) => {
    if (c.times.length === 0) return;
    keys[j] = c.times[0];
    heap.push(j);
  });
  for (let at = 0; heap.size > 0; at++) {
    const j = heap.top();
    const column = columns[j];
    times[at] = column.times[cursor[j]];
    values[at] = column.values[cursor[j]];
    if (++cursor[j] < column.times.length) (keys[j] = column.times[cursor[j]]), heap.siftDown(0);
    else heap.pop();
  }
  return { times, values };
}

/** A binary min-heap of indices ordered by `keys[index]`; the owner changes a key, then sifts. */
class IndexHeap {
  private readonly items: number[] = [];
  constructor(private readonly keys: Float64Array) {}

  get size(): number {
    return this.items.length;
  }

  top(): number {
    return this.items[0];
  }

  push(index: number): void {
    const { items, keys } = this;
    let at = items.push(index) - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (keys[items[parent]] <= keys[index]) break;
      items[at] = items[parent];
      at = parent;
    }
    items[at] = index;
  }

  pop(): void {
    const last = this.items.pop()!;
    if (this.items.length === 0) return;
    this.items[0] = last;
    this.siftDown(0);
  }

  siftDown(at: number): void {
    const { items, keys } = this;
    const index = items[at];
    const key = keys[index];
    const n = items.length;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= n) break;
      if (child + 1 < n && keys[items[child + 1]] < keys[items[child]]) child++;
      if (keys[items[child]] >= key) break;
      items[at] = items[child];
      at = child;
    }
    items[at] = index;
  }
}
