/** All times inside giltrace are float64 nanoseconds; these helpers only format them. */

export const NS_PER_US = 1_000;
export const NS_PER_MS = 1_000_000;
export const NS_PER_S = 1_000_000_000;

/** Human duration with 3 significant-ish digits: 812 ns, 4.20 µs, 31.5 ms, 2.04 s. */
export function formatDuration(ns: number): string {
  const abs = Math.abs(ns);
  if (abs < NS_PER_US) return `${Math.round(ns)} ns`;
  if (abs < NS_PER_MS) return `${trim(ns / NS_PER_US)} µs`;
  if (abs < NS_PER_S) return `${trim(ns / NS_PER_MS)} ms`;
  return `${trim(ns / NS_PER_S)} s`;
}

function trim(value: number): string {
  const abs = Math.abs(value);
  return value.toFixed(abs >= 100 ? 0 : abs >= 10 ? 1 : 2);
}

/** `part` as a share of `whole`, one decimal: 48.3%; `missing` when there is no whole to be a share of. */
export function formatPercent(part: number, whole: number, missing = '-'): string {
  if (!(whole > 0)) return missing;
  return `${((100 * part) / whole).toFixed(1)}%`;
}
