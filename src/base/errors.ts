/**
 * The one error type giltrace throws on purpose. The CLI prints its message as a single
 * `giltrace: ...` line and exits 2; anything else that escapes is a bug (stack trace only
 * with GILTRACE_DEBUG=1).
 */
export class GiltraceError extends Error {
  override readonly name = 'GiltraceError';
  /** File the problem is in, when it is about a file. */
  readonly file: string | undefined;
  /** Byte offset in `file` where the structure stopped making sense. */
  readonly offset: number | undefined;

  constructor(message: string, where: { file?: string; offset?: number } = {}) {
    super(formatMessage(message, where));
    this.file = where.file;
    this.offset = where.offset;
  }
}

function formatMessage(message: string, where: { file?: string; offset?: number }): string {
  if (where.file === undefined) return message;
  const at = where.offset === undefined ? '' : ` at byte ${where.offset}`;
  return `${where.file}${at}: ${message}`;
}

/** For invariants of our own code (never for input data): a failure here is a bug. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`internal error: ${message}`);
}
