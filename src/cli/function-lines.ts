/** A function's source lines in words (contract/function-lines.ts says what the shares are). */
import { formatPercent } from '../base/time.js';
import type { LineShare } from '../contract/function-lines.js';

/** `17 (61.0%)`, `17 (61.0%), 18 (22.0%)`: empty when no line is known. */
export function formatLineShares(shares: readonly LineShare[]): string {
  return shares.map((l) => `${l.line} (${formatPercent(l.share, 1)})`).join(', ');
}
