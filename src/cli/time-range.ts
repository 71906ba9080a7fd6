/**
 * `--from` / `--to` of `stats` and `report`: a part of a recording, in time after its first
 * event ("2.5", "2.5s", "2500ms"), as the ns offsets the analysis takes (AnalyzeOptions.range).
 */
import { GiltraceError } from '../base/errors.js';

export interface RangeOptions {
  readonly from?: string;
  readonly to?: string;
}

const TIME = /^(\d+(?:\.\d*)?|\.\d+)\s*(s|ms|us|µs|ns)?$/;
const NS_PER: Record<string, number> = { s: 1e9, ms: 1e6, us: 1e3, µs: 1e3, ns: 1 };

/** Undefined when neither is given; a GiltraceError (exit 2) for what is not a time or an empty range. */
export function parseRange(options: RangeOptions): { from: number; to: number } | undefined {
  if (options.from === undefined && options.to === undefined) return undefined;
  const from = options.from === undefined ? 0 : nsOf('--from', options.from);
  const to = options.to === undefined ? Infinity : nsOf('--to', options.to);
  if (!(to > from)) throw new GiltraceError(`--to (${options.to}) must come after --from (${options.from ?? 0})`);
  return { from, to };
}

function nsOf(option: string, text: string): number {
  const match = TIME.exec(text.trim());
  if (!match) throw new GiltraceError(`${option} ${text}: not a time after the recording's start (seconds, or with a unit: 2.5, 2.5s, 2500ms)`);
  return Number(match[1]) * NS_PER[match[2] ?? 's'];
}

/** "2.5 s to 4 s" (or "from 2.5 s"): a range as its options said it. */
export function rangeText(range: { from: number; to: number }): string {
  const seconds = (ns: number) => `${Number((ns / 1e9).toPrecision(9))} s`;
  return Number.isFinite(range.to) ? `${seconds(range.from)} to ${seconds(range.to)}` : `from ${seconds(range.from)}`;
}
