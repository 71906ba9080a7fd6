/** The middle value (the mean of the two middle ones for an even count): the benches' summary of their rounds. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Where the median of what the rounds measure lies, at `confidence` at least, whatever their
 * distribution: the k-th smallest and k-th largest round, with k the largest for which a
 * fair coin tossed once a round comes up heads fewer than k times (or more than n − k) with a
 * chance of at most (1 − confidence) / 2 on each side. Undefined when the rounds are too few
 * for any such k (fewer than 6 at 95 %: even the smallest and largest of 5 hold the median only
 * 94 % of the time). This VM's rounds wander by ±20 % and more, so a 3 % goal is judged by this
 * interval, not by the median alone.
 */
export function medianInterval(values: readonly number[], confidence = 0.95): { readonly low: number; readonly high: number } | undefined {
  const n = values.length;
  const tail = (1 - confidence) / 2;
  // P(B ≤ j) for B ~ Binomial(n, 1/2), j = 0, 1, …: the largest k with P(B ≤ k − 1) ≤ tail
  let k = 0;
  let below = 0;
  let term = 0.5 ** n; // P(B = 0)
  for (let j = 0; j < n; j++) {
    below += term;
    if (below > tail) break;
    k = j + 1;
    term = (term * (n - j)) / (j + 1);
  }
  if (k === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return { low: sorted[k - 1], high: sorted[n - k] };
}

/** Whether the rounds say a figure is within `goal` (at most), above it, or cannot tell at their spread. */
export function judgeAtMost(values: readonly number[], goal: number, format: (x: number) => string = (x) => x.toFixed(3)): string {
  const interval = medianInterval(values);
  if (!interval) return `too few rounds to judge against the goal (6 at least)`;
  const span = intervalText(values, format);
  if (interval.high <= goal) return `${span}: goal met`;
  if (interval.low > goal) return `${span}: goal NOT met`;
  return `${span}: the rounds cannot tell (more rounds, a quieter machine)`;
}

/** "95 % interval of the median A to B", or that the rounds are too few for one. */
export function intervalText(values: readonly number[], format: (x: number) => string = (x) => x.toFixed(3)): string {
  const interval = medianInterval(values);
  return interval ? `95 % interval of the median ${format(interval.low)} to ${format(interval.high)}` : 'too few rounds for an interval';
}
