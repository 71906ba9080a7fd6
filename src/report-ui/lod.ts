/**
 * Level of detail: a step track squeezed into pixel columns. Each column gets the state that
 * covers most of its time span, so a million intervals cost one pass over the visible steps
 * plus one fillRect per run of equal columns — never one draw call per interval.
 */
import { stepAt, type Track } from './data.js';

export const UNCOVERED = -1;
/** A column no state fills to MIXED_SHARE: drawn as proportional stacked bars instead of one colour. */
export const MIXED = -2;
export const MIXED_SHARE = 0.85;

export interface View {
  readonly start: number;
  readonly nsPerPx: number;
  readonly width: number;
}

/** Reusable scratch so redraws allocate nothing while panning. */
export class ColumnScratch {
  private acc = new Float64Array(0);
  /** Per column and state, the share of the column's covered time (filled when asked for a mix). */
  mix = new Float32Array(0);
  mixFor(size: number): Float32Array {
    if (this.mix.length < size) this.mix = new Float32Array(size);
    return this.mix;
  }
  coverage(size: number): Float64Array {
    if (this.acc.length < size) this.acc = new Float64Array(size);
    this.acc.fill(0, 0, size);
    return this.acc;
  }
}

/** Writes the dominant state of each column into `out` (UNCOVERED where the track has no time). */
export function dominantStates(
  track: Track,
  ownerStart: number,
  ownerEnd: number,
  view: View,
  stateCount: number,
  scratch: ColumnScratch,
  out: Int32Array,
  withMix = false,
): void {
  const { width } = view;
  const acc = scratch.coverage(width * stateCount);
  forEachVisibleStep(track, ownerStart, ownerEnd, view, (state, x0, x1) => {
    if (state < 0 || state >= stateCount) return;
    let c0 = Math.floor(x0);
    const c1 = Math.min(Math.floor(x1), width - 1);
    if (c0 === c1) {
      acc[c0 * stateCount + state] += x1 - x0;
      return;
    }
    acc[c0 * stateCount + state] += c0 + 1 - x0;
    for (c0++; c0 < c1; c0++) acc[c0 * stateCount + state] += 1;
    if (c1 < width) acc[c1 * stateCount + state] += Math.min(x1, width) - c1;
  });
  const mix = withMix ? scratch.mixFor(width * stateCount) : undefined;
  for (let c = 0; c < width; c++) out[c] = pickState(acc, c * stateCount, stateCount, mix);
}

/** The dominant state of one column's coverage, or MIXED (with shares written to `mix`). */
function pickState(acc: ArrayLike<number>, at: number, stateCount: number, mix: Float32Array | undefined): number {
  let best = UNCOVERED;
  let bestCover = 1e-9;
  let total = 0;
  for (let s = 0; s < stateCount; s++) {
    const cover = acc[at + s];
    total += cover;
    if (cover > bestCover) (bestCover = cover), (best = s);
  }
  if (!mix || best === UNCOVERED || bestCover >= MIXED_SHARE * total) return best;
  for (let s = 0; s < stateCount; s++) mix[at + s] = acc[at + s] / total;
  return MIXED;
}

/** Highest value of a step track within each column (UNCOVERED where it has none). */
export function maxPerColumn(track: Track, ownerStart: number, ownerEnd: number, view: View, out: Int32Array): void {
  out.fill(UNCOVERED, 0, view.width);
  forEachVisibleStep(track, ownerStart, ownerEnd, view, (value, x0, x1) => {
    const c1 = Math.min(Math.floor(x1 - 1e-9), view.width - 1);
    for (let c = Math.floor(x0); c <= c1; c++) if (value > out[c]) out[c] = value;
  });
}

/** Visits each step overlapping the view, clipped, with its x range in (fractional) pixels. */
export function forEachVisibleStep(
  track: Track,
  ownerStart: number,
  ownerEnd: number,
  view: View,
  visit: (state: number, x0: number, x1: number) => void,
): void {
  const { times, states } = track;
  const n = times.length;
  if (n === 0) return;
  const viewEnd = view.start + view.width * view.nsPerPx;
  const lo = Math.max(ownerStart, view.start);
  const hi = Math.min(ownerEnd, viewEnd);
  if (!(hi > lo)) return;
  // hot path: runs over every visible step on each redraw.
  for (let i = Math.max(0, stepAt(times, lo)); i < n && times[i] < hi; i++) {
    const s = times[i] > lo ? times[i] : lo;
    const next = i + 1 < n ? times[i + 1] : ownerEnd;
    const e = next < hi ? next : hi;
    if (e > s) visit(states[i], (s - view.start) / view.nsPerPx, (e - view.start) / view.nsPerPx);
  }
}

/** Runs of equal values, for one fillRect per run. */
export function forEachRun(values: Int32Array, width: number, visit: (value: number, x0: number, x1: number) => void): void {
  let runStart = 0;
  for (let c = 1; c <= width; c++) {
    if (c === width || values[c] !== values[runStart]) {
      visit(values[runStart], runStart, c);
      runStart = c;
    }
  }
}

/**
 * Precomputed coverage of a track over fixed buckets spanning the whole recording, at two
 * resolutions. Zoomed out, a column is summed from the buckets it spans, so a redraw costs
 * O(buckets in view) instead of O(steps in view): a million intervals pan smoothly. Built
 * once per track on first use (one pass over its steps).
 */
/** One column's shares, copied into the caller's mix array when the column is mixed. */
const scratchMix = new Float32Array(256);

export class TrackSummary {
  private readonly levels: { bucketNs: number; count: number; data: Float32Array }[] = [];

  constructor(
    track: Track,
    ownerStart: number,
    ownerEnd: number,
    private readonly fullStart: number,
    fullEnd: number,
    private readonly stateCount: number,
    private readonly mode: 'dominant' | 'max',
  ) {
    const span = Math.max(fullEnd - fullStart, 1);
    const slots = mode === 'max' ? 1 : stateCount;
    // About one bucket per four steps (finer buys nothing), at most 2^17, at most 16 MB a track.
    let fine = 1 << 17;
    while (fine > 1024 && (fine * slots > 1 << 22 || fine > track.times.length / 4)) fine >>= 1;
    const finest = this.build(track, ownerStart, ownerEnd, span / fine, fine, slots);
    const coarse = { bucketNs: (span / fine) * 16, count: fine / 16, data: new Float32Array((fine / 16) * slots) };
    for (let b = 0; b < fine; b++) {
      for (let s = 0; s < slots; s++) {
        const v = finest.data[b * slots + s];
        const i = (b >> 4) * slots + s;
        coarse.data[i] = mode === 'max' ? Math.max(coarse.data[i], v) : coarse.data[i] + v / 16;
      }
    }
    this.levels.push(coarse, finest);
  }

  private build(track: Track, ownerStart: number, ownerEnd: number, bucketNs: number, count: number, slots: number) {
    const data = new Float32Array(count * slots);
    if (this.mode === 'max') data.fill(-1);
    const view: View = { start: this.fullStart, nsPerPx: bucketNs, width: count };
    forEachVisibleStep(track, ownerStart, ownerEnd, view, (state, x0, x1) => {
      const c1 = Math.min(Math.ceil(x1) - 1, count - 1);
      for (let c = Math.floor(x0); c <= c1; c++) {
        if (this.mode === 'max') {
          if (state > data[c]) data[c] = state;
        } else if (state >= 0 && state < slots) {
          data[c * slots + state] += Math.min(x1, c + 1) - Math.max(x0, c);
        }
      }
    });
    return { bucketNs, count, data };
  }

  /** Fills `out` like dominantStates / maxPerColumn; false when the view is too fine for the buckets. */
  columns(view: View, out: Int32Array, scratch: ColumnScratch, withMix = false): boolean {
    // The coarsest level with several buckets per pixel: fewer buckets to sum, same picture.
    const level = this.levels.find((l) => view.nsPerPx >= 4 * l.bucketNs) ?? this.levels.find((l) => view.nsPerPx >= 2 * l.bucketNs);
    if (!level) return false;
    const slots = this.mode === 'max' ? 1 : this.stateCount;
    const mix = withMix ? scratch.mixFor(view.width * slots) : undefined;
    const column = new Float64Array(slots);
    const { data, count, bucketNs } = level;
    for (let c = 0; c < view.width; c++) {
      const u0 = (view.start + c * view.nsPerPx - this.fullStart) / bucketNs;
      const u1 = u0 + view.nsPerPx / bucketNs;
      const b0 = Math.max(0, Math.floor(u0));
      const b1 = Math.min(count, Math.ceil(u1));
      if (this.mode === 'max') {
        let best = UNCOVERED;
        for (let b = b0; b < b1; b++) if (data[b] > best) best = data[b];
        out[c] = best;
        continue;
      }
      column.fill(0);
      for (let b = b0; b < b1; b++) {
        const w = Math.min(u1, b + 1) - Math.max(u0, b);
        for (let s = 0; s < slots; s++) column[s] += data[b * slots + s] * w;
      }
      if (mix) {
        const state = pickState(column, 0, slots, scratchMix);
        if (state === MIXED) for (let s = 0; s < slots; s++) mix[c * slots + s] = scratchMix[s];
        out[c] = state;
      } else {
        out[c] = pickState(column, 0, slots, undefined);
      }
    }
    return true;
  }
}
