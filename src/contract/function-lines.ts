/**
 * How to read a function's source lines (FunctionStats.lines, from holder samples): each line's
 * share of the function's time held while others waited (of its held time, when nobody waited),
 * as the function itself is ranked; and the lines its threads waited after (FunctionStats.wait_lines),
 * each's share of the function's wait. The terminal's words and the HTML report both show these.
 */
import type { FunctionStats } from './stats.js';

/** A line below this share of its function's time is left out. */
const LEAST_SHARE = 0.005;

export interface LineShare {
  readonly line: number;
  /** Of the function's held-while-others-wait time (its held time when that is 0), 0-1. */
  readonly share: number;
}

/** The function's lines with the largest shares, largest first (up to `most`). */
export function lineShares(fn: Pick<FunctionStats, 'held_ns' | 'held_while_others_wait_ns' | 'lines'>, most = 3): LineShare[] {
  const byWaited = fn.held_while_others_wait_ns > 0;
  const whole = byWaited ? fn.held_while_others_wait_ns : fn.held_ns;
  if (!fn.lines || whole <= 0) return [];
  return fn.lines
    .map((l) => ({ line: l.line, share: (byWaited ? l.held_while_others_wait_ns : l.held_ns) / whole }))
    .filter((l) => l.share >= LEAST_SHARE)
    .sort((a, b) => b.share - a.share || a.line - b.line)
    .slice(0, most);
}

/** z of a two-sided 95 % interval. */
const Z95 = 1.96;

/**
 * The least a share estimated as `share` from `samples` holder samples can be, at 95 % (Wilson's
 * score interval: sound at a few samples and at shares of 0 or 1, where ±1.96·√(p(1−p)/n) says
 * nothing). 0 without samples.
 */
export function shareLowerBound(share: number, samples: number): number {
  if (!(samples > 0)) return 0;
  const z2n = (Z95 * Z95) / samples;
  const centre = share + z2n / 2;
  const spread = Z95 * Math.sqrt((share * (1 - share)) / samples + z2n / (4 * samples));
  return Math.max(0, (centre - spread) / (1 + z2n));
}

/** The lines the function's waits began at with the largest shares of its wait time, largest first (up to `most`). */
export function waitLineShares(fn: Pick<FunctionStats, 'wait_ns' | 'wait_lines'>, most = 3): LineShare[] {
  if (!fn.wait_lines || fn.wait_ns <= 0) return [];
  return fn.wait_lines
    .map((l) => ({ line: l.line, share: l.wait_ns / fn.wait_ns }))
    .filter((l) => l.share >= LEAST_SHARE)
    .sort((a, b) => b.share - a.share || a.line - b.line)
    .slice(0, most);
}

/**
 * The call path (FunctionReleasedLine.paths, FunctionWaitLine.paths) most of `weight` came by: a
 * line's paths are ranked by one time, and a reader may ask for another (the asleep part of the
 * time without the GIL); undefined when none has any of it.
 */
export function heaviestPath<P extends { readonly callers: readonly string[] }>(paths: readonly P[] | undefined, weight: (path: P) => number): P | undefined {
  let best: P | undefined;
  for (const path of paths ?? []) if (weight(path) > 0 && (!best || weight(path) > weight(best))) best = path;
  return best;
}
