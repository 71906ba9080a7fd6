/** Formatting for the report: durations (3 digits), exact instants, counts, shares; HTML escaping. */
import { escapeHtml } from '../base/html.js';
import { formatDuration, formatPercent } from '../base/time.js';

export { escapeHtml, formatDuration, formatPercent };

/** What a cell shows when it has no value (a share of nothing, a percentile of no waits). */
export const NO_VALUE = '–';

/** Relative time with full ns precision and digit grouping: "+1.204 567 891 s". */
export function formatInstant(rel: number): string {
  const ns = Math.round(rel);
  const sign = ns < 0 ? '−' : '+';
  const abs = Math.abs(ns);
  const seconds = Math.floor(abs / 1e9);
  const frac = String(abs % 1e9).padStart(9, '0');
  return `${sign}${seconds}.${frac.slice(0, 3)} ${frac.slice(3, 6)} ${frac.slice(6)} s`;
}

/** Absolute CLOCK_MONOTONIC seconds, exact: what `perf script` prints, for cross-checking. */
export function formatMonotonic(base: bigint, rel: number): string {
  const abs = base + BigInt(Math.round(rel));
  const s = abs / 1_000_000_000n;
  const frac = (abs % 1_000_000_000n).toString().padStart(9, '0');
  return `${s}.${frac}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

