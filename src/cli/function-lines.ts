/** A function's source lines in words (contract/function-lines.ts says what the shares are). */
import { formatPercent } from '../base/time.js';
import type { LineShare } from '../contract/function-lines.js';
import type { FunctionStats } from '../contract/stats.js';
import { cut } from './terminal-table.js';

/** Characters of a line's text quoted in a sentence. */
const QUOTED_CHARS = 60;

/**
 * `17 (61.0%)`, `17 (61.0%), 18 (22.0%)`: empty when no line is known; with `fn`, the first
 * line's text quoted after it when the recording has it.
 */
export function formatLineShares(shares: readonly LineShare[], fn?: FunctionStats): string {
  return shares.map((l, i) => `${l.line} (${formatPercent(l.share, 1)})${i === 0 && fn ? quotedSource(fn, l.line) : ''}`).join(', ');
}

/** `` ` `text` `` (a space first), the line's text cut to QUOTED_CHARS; empty when the recording has none. */
export function quotedSource(fn: FunctionStats, line: number): string {
  const text = fn.lines?.find((l) => l.line === line)?.text;
  return text ? ` ${quote(text)}` : '';
}

/** A line of code in a sentence: in backquotes, cut to QUOTED_CHARS. */
export function quote(text: string): string {
  return `\`${cut(text, QUOTED_CHARS)}\``;
}
