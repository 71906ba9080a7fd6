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
 *
 * Everything here streams (steps pushed in time order, a span given out once a later one
 * begins), so a recording read window by window is coarsened as it is read, into the same
 * tracks as its whole timeline would be.
 */

/**
 * Steps (and drops) a report draws exactly; above it, its tracks are coarsened. A page of 5.5 M
 * steps (1 M GIL intervals) first paints in ~2.0-2.3 s here (bench/report-load.ts), the goal is 3 s.
 */
export const REPORT_MAX_STEPS = 6_000_000;

export interface CoarseSteps {
  readonly times: Float64Array;
  readonly values: Uint8Array | Uint16Array | Int32Array;
  readonly extra: Int32Array | undefined;
}

/** A step track written in time order: times, values and (optionally) an extra value per step, growable. */
export class StepColumns {
  times = new Float64Array(16);
  values = new Int32Array(16);
  extra: Int32Array | undefined;
  length = 0;

  constructor(withExtra: boolean) {
    this.extra = withExtra ? new Int32Array(16) : undefined;
  }

  push(time: number, value: number, extra: number): void {
    if (this.length === this.times.length) this.grow();
    this.times[this.length] = time;
    this.values[this.length] = value;
    if (this.extra) this.extra[this.length] = extra;
    this.length++;
  }

  private grow(): void {
    const capacity = this.times.length * 2;
    const times = new Float64Array(capacity);
    times.set(this.times);
    this.times = times;
    const values = new Int32Array(capacity);
    values.set(this.values);
    this.values = values;
    if (this.extra) {
      const extra = new Int32Array(capacity);
      extra.set(this.extra);
      this.extra = extra;
    }
  }

  /** Exact-length copies. */
  finish(): CoarseSteps {
    return {
      times: this.times.slice(0, this.length),
      values: this.values.slice(0, this.length),
      extra: this.extra?.slice(0, this.length),
    };
  }
}

/**
 * A step track (pushed in time order, lasting to the `end` given at finish) at `resolution` ns,
 * spans counted from `origin`. At most two steps a span with a change: the value carried into it
 * (at its start) and its one change, or the value that filled it and the one it ends in (at the
 * next span's start).
 */
export class StepCoarsener {
  private readonly out: StepColumns;
  /** The span being gathered and its steps. */
  private span = NaN;
  private readonly times: number[] = [];
  private readonly values: number[] = [];
  private readonly extras: number[] = [];
  /** The step before the span's first: its value is carried into the span. */
  private before: { value: number; extra: number } | undefined = undefined;
  private first = NaN;

  constructor(
    private readonly origin: number,
    private readonly resolution: number,
    withExtra: boolean,
  ) {
    this.out = new StepColumns(withExtra);
  }

  push(time: number, value: number, extra = 0): void {
    const span = Math.floor((time - this.origin) / this.resolution);
    if (span !== this.span && this.times.length > 0) this.flush(Infinity);
    if (this.first !== this.first) this.first = time;
    this.span = span;
    this.times.push(time);
    this.values.push(value);
    this.extras.push(extra);
  }

  finish(end: number): CoarseSteps {
    if (this.times.length > 0) this.flush(end);
    return this.out.finish();
  }

  private flush(end: number): void {
    const { times, values, extras } = this;
    const n = times.length;
    const spanStart = this.origin + this.span * this.resolution;
    const spanEnd = spanStart + this.resolution;
    const from = Math.max(spanStart, this.first);
    if (n === 1) {
      // one change: the value carried in, then the change where it is
      if (this.before) this.emit(from, this.before.value, this.before.extra);
      this.emit(times[0], values[0], extras[0]);
    } else {
      const [value, extra] = this.dominant(from, Math.min(spanEnd, end));
      this.emit(from, value, extra);
      // what the span ends in goes on after it
      if (spanEnd < end) this.emit(spanEnd, values[n - 1], extras[n - 1]);
    }
    this.before = { value: values[n - 1], extra: extras[n - 1] };
    times.length = 0;
    values.length = 0;
    extras.length = 0;
  }

  /** The value that covers most of [from, to) (the one carried in too), and the extra of its longest step there. */
  private dominant(from: number, to: number): [number, number] {
    const { times, values, extras } = this;
    // few distinct values a span: lists beat maps here
    const seen: number[] = [];
    const totals: number[] = [];
    const longest: number[] = [];
    const longestExtra: number[] = [];
    let best = values[0];
    let bestTotal = -1;
    const add = (value: number, length: number, extra: number) => {
      let k = seen.indexOf(value);
      if (k < 0) {
        k = seen.push(value) - 1;
        totals.push(0);
        longest.push(-1);
        longestExtra.push(0);
      }
      totals[k] += length;
      if (length > longest[k]) {
        longest[k] = length;
        longestExtra[k] = extra;
      }
      if (totals[k] > bestTotal) {
        bestTotal = totals[k];
        best = value;
      }
    };
    if (this.before) add(this.before.value, Math.max(0, Math.min(times[0], to) - from), this.before.extra);
    for (let k = 0; k < times.length; k++) {
      const next = k + 1 < times.length ? times[k + 1] : to;
      add(values[k], Math.max(0, Math.min(next, to) - Math.max(times[k], from)), extras[k]);
    }
    return [best, longestExtra[seen.indexOf(best)]];
  }

  private emit(time: number, value: number, extra: number): void {
    const out = this.out;
    if (out.length > 0 && out.times[out.length - 1] === time) {
      // the later value at one instant wins, and may equal the one before it
      out.length--;
    }
    if (out.length > 0 && out.values[out.length - 1] === value) return;
    out.push(time, value, extra);
  }
}

/** Drops (pushed in time order) at `resolution`: one per span, a forced one when there is one (flags bit `forced`). */
export class DropThinner {
  private times: number[] = [];
  private flags: number[] = [];
  private span = NaN;

  constructor(
    private readonly origin: number,
    private readonly resolution: number,
    private readonly forced: number,
  ) {}

  push(time: number, flags: number): void {
    const span = Math.floor((time - this.origin) / this.resolution);
    const last = this.times.length - 1;
    if (span !== this.span) {
      this.span = span;
      this.times.push(time);
      this.flags.push(flags);
    } else if ((flags & this.forced) !== 0 && (this.flags[last] & this.forced) === 0) {
      this.times[last] = time;
      this.flags[last] = flags;
    }
  }

  finish(): { times: Float64Array; flags: Uint8Array } {
    return { times: Float64Array.from(this.times), flags: Uint8Array.from(this.flags) };
  }
}

/** Resolutions tried: 2^0 … 2^MAX_LEVEL ns (2^50 ns: 13 days a span). */
const MAX_LEVEL = 50;
/** The coarsest resolution: drawn when even it does not fit (more tracks than the budget has steps). */
export const MAX_RESOLUTION = 2 ** MAX_LEVEL;
const TWO_32 = 2 ** 32;

/**
 * How many spans one time column (pushed in time order) touches at every power-of-two
 * resolution, counted as it streams: two times are in different spans of 2^k ns from `origin`
 * exactly when their offsets (whole ns) differ in a bit at or above k, so each time adds one to
 * the count of the highest bit in which it differs from the one before.
 */
export class SpanCounts {
  length = 0;
  /** byLevel[k]: times whose offset first differs from the previous one's at bit k. */
  private readonly byLevel = new Float64Array(MAX_LEVEL + 1);
  private last = NaN;

  constructor(private readonly origin: number) {}

  push(time: number): void {
    const offset = Math.max(0, Math.floor(time - this.origin));
    if (this.length++ > 0 && offset !== this.last) this.byLevel[Math.min(MAX_LEVEL, highestDifferingBit(offset, this.last))]++;
    this.last = offset;
  }

  /** Spans of 2^level ns with a time in them. */
  spans(level: number): number {
    if (this.length === 0) return 0;
    let spans = 1;
    for (let k = level; k <= MAX_LEVEL; k++) spans += this.byLevel[k];
    return spans;
  }
}

function highestDifferingBit(a: number, b: number): number {
  const high = (Math.floor(a / TWO_32) ^ Math.floor(b / TWO_32)) >>> 0;
  if (high !== 0) return 63 - Math.clz32(high);
  return 31 - Math.clz32(((a % TWO_32) ^ (b % TWO_32)) >>> 0);
}

/**
 * What the columns will be once the whole recording is read, guessed from a share of it: each
 * column's steps and spans grow by 1/share, but no column can touch more spans than the whole
 * recording's `length` (ns) has.
 */
export interface Projection {
  readonly share: number;
  readonly length: number;
}

/**
 * The finest resolution (ns, a power of two) at which these columns, coarsened, fit in `budget`
 * steps: a column keeps at most two steps for each span that has a change in it, and no more
 * than it had. Undefined when they fit as they are.
 */
export function resolutionOf(columns: readonly SpanCounts[], budget = REPORT_MAX_STEPS, projection?: Projection): number | undefined {
  const share = projection?.share ?? 1;
  if (columns.reduce((sum, c) => sum + c.length, 0) / share <= budget) return undefined;
  for (let resolution = 1; resolution < MAX_RESOLUTION; resolution *= 2) {
    if (stepsAt(columns, resolution, projection) <= budget) return resolution;
  }
  return MAX_RESOLUTION;
}

/** The steps these columns keep at most, coarsened to `resolution` (a power of two). */
export function stepsAt(columns: readonly SpanCounts[], resolution: number, projection?: Projection): number {
  const level = Math.log2(resolution);
  let total = 0;
  if (!projection) {
    for (const column of columns) total += Math.min(column.length, 2 * column.spans(level) + 1);
    return total;
  }
  const { share, length } = projection;
  const most = Math.floor(length / resolution) + 1;
  for (const column of columns) total += Math.min(column.length / share, 2 * Math.min(column.spans(level) / share, most) + 1);
  return total;
}

/** resolutionOf whole time columns. */
export function resolutionFor(columns: readonly Float64Array[], origin: number, budget = REPORT_MAX_STEPS): number | undefined {
  return resolutionOf(columns.map((times) => {
    const counts = new SpanCounts(origin);
    for (let i = 0; i < times.length; i++) counts.push(times[i]);
    return counts;
  }), budget);
}
