/**
 * The report's timeline at a resolution a browser can draw: a long recording's tracks hold tens
 * of millions of steps (a 2.3 GB recording: 24 M, a 93 MB page no browser opens in time), while
 * a screen shows a few thousand pixels. Above REPORT_MAX_STEPS, the report's step tracks are
 * drawn at a resolution R (ReportData.resolutionNs): time is cut into spans of R from the
 * recording's start, a span with one change keeps it where it is, and a span with several shows
 * the value that filled most of it (and the stack of its longest step), as the report's own
 * zoomed-out view does for a pixel (report-ui/lod.ts). Drops keep one per span (a forced one
 * first). The numbers the report shows (stats, tables, histograms) come from the exact timeline:
 * only the drawing is coarser.
 */

/**
 * Steps (and drops) a report draws exactly; above it, its tracks are coarsened. A page of 5.5 M
 * steps (1 M GIL intervals) first paints in ~2.0-2.3 s here (bench/report-load.ts), the goal is 3 s.
 */
export const REPORT_MAX_STEPS = 6_000_000;

export interface Steps {
  readonly times: Float64Array;
  readonly values: ArrayLike<number>;
  /** A value per step that goes with it (a GIL step's Python stack). */
  readonly extra?: ArrayLike<number>;
}

export interface CoarseSteps {
  readonly times: Float64Array;
  readonly values: number[];
  readonly extra: number[] | undefined;
}

/**
 * `steps` (lasting to `end`) at `resolution` ns, spans counted from `origin`. At most two steps a
 * span with a change: the value carried into it (at its start) and its one change, or the value
 * that filled it and the one it ends in (at the next span's start).
 */
export function coarsenSteps(steps: Steps, end: number, origin: number, resolution: number): CoarseSteps {
  const { times, values, extra } = steps;
  const n = times.length;
  const outTimes: number[] = [];
  const outValues: number[] = [];
  const outExtra: number[] | undefined = extra ? [] : undefined;
  const emit = (time: number, value: number, more: number) => {
    const last = outTimes.length - 1;
    if (last >= 0 && outTimes[last] === time) {
      // the later value at one instant wins, and may equal the one before it
      outTimes.pop();
      outValues.pop();
      outExtra?.pop();
    }
    const previous = outValues.length - 1;
    if (previous >= 0 && outValues[previous] === value) return;
    outTimes.push(time);
    outValues.push(value);
    outExtra?.push(more);
  };
  let i = 0;
  while (i < n) {
    const span = Math.floor((times[i] - origin) / resolution);
    const spanStart = origin + span * resolution;
    const spanEnd = spanStart + resolution;
    let j = i + 1;
    while (j < n && times[j] < spanEnd) j++;
    const from = Math.max(spanStart, times[0]);
    if (j - i === 1) {
      // one change: the value carried in, then the change where it is
      if (i > 0) emit(from, values[i - 1], extra ? extra[i - 1] : 0);
      emit(times[i], values[i], extra ? extra[i] : 0);
    } else {
      const [value, more] = dominant(steps, i, j, from, Math.min(spanEnd, end));
      emit(from, value, more);
      // what the span ends in goes on after it
      if (spanEnd < end) emit(spanEnd, values[j - 1], extra ? extra[j - 1] : 0);
    }
    i = j;
  }
  return { times: Float64Array.from(outTimes), values: outValues, extra: outExtra };
}

/** The value that covers most of [from, to) (the one carried in from step i − 1 too), and the extra of its longest step there. */
function dominant(steps: Steps, i: number, j: number, from: number, to: number): [number, number] {
  const { times, values, extra } = steps;
  const totals = new Map<number, number>();
  const longest = new Map<number, { length: number; extra: number }>();
  let best = values[i];
  let bestTotal = -1;
  for (let k = Math.max(0, i - 1); k < j; k++) {
    const length = Math.max(0, Math.min(k + 1 < times.length ? times[k + 1] : to, to) - Math.max(times[k], from));
    const value = values[k];
    const total = (totals.get(value) ?? 0) + length;
    totals.set(value, total);
    const step = longest.get(value);
    if (!step || length > step.length) longest.set(value, { length, extra: extra ? extra[k] : 0 });
    if (total > bestTotal) {
      bestTotal = total;
      best = value;
    }
  }
  return [best, longest.get(best)!.extra];
}

/** Drops at `resolution`: one per span, a forced one when there is one (flags bit FORCED). */
export function thinDrops(times: Float64Array, flags: Uint8Array, origin: number, resolution: number, forced: number): { times: Float64Array; flags: Uint8Array } {
  const outTimes: number[] = [];
  const outFlags: number[] = [];
  let span = NaN;
  for (let i = 0; i < times.length; i++) {
    const s = Math.floor((times[i] - origin) / resolution);
    if (s !== span) {
      span = s;
      outTimes.push(times[i]);
      outFlags.push(flags[i]);
    } else if ((flags[i] & forced) !== 0 && (outFlags[outFlags.length - 1] & forced) === 0) {
      outTimes[outTimes.length - 1] = times[i];
      outFlags[outFlags.length - 1] = flags[i];
    }
  }
  return { times: Float64Array.from(outTimes), flags: Uint8Array.from(outFlags) };
}

/**
 * The finest resolution (ns, a power of two) at which these step time columns, coarsened, fit in
 * `budget` steps: a column keeps at most two steps for each span that has a change in it, and
 * no more than it had. Undefined when they fit as they are.
 */
export function resolutionFor(columns: readonly Float64Array[], origin: number, budget = REPORT_MAX_STEPS): number | undefined {
  const steps = columns.reduce((sum, c) => sum + c.length, 0);
  if (steps <= budget) return undefined;
  const total = (resolution: number) => {
    let sum = 0;
    for (const times of columns) {
      let spans = 0;
      let last = NaN;
      for (let i = 0; i < times.length; i++) {
        const span = Math.floor((times[i] - origin) / resolution);
        if (span !== last) {
          spans++;
          last = span;
        }
      }
      sum += Math.min(times.length, 2 * spans + 1);
    }
    return sum;
  };
  // from a resolution that cannot be too coarse (every step its own span below it), doubling
  let span = 0;
  for (const times of columns) if (times.length > 0) span = Math.max(span, times[times.length - 1] - times[0]);
  let resolution = 2 ** Math.max(0, Math.floor(Math.log2(Math.max(1, span / steps))));
  while (total(resolution) > budget && resolution < 2 ** 50) resolution *= 2;
  return resolution;
}
