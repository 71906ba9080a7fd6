/**
 * Relative model time (float64 ns) → absolute CLOCK_MONOTONIC microseconds, the unit of Chrome
 * traces and VizTracer, without losing the nanoseconds. While the absolute ns value is a safe
 * integer (uptime below 104 days) `abs / 1000` is one IEEE division of exact operands: the
 * closest double to the exact decimal, which JSON.stringify prints as at most 3 decimals.
 * Beyond that the decimal is built with bigint and parsed, which rounds just as correctly.
 */
export class MonotonicMicros {
  private readonly baseNumber: number | undefined;

  constructor(private readonly baseNs: bigint) {
    this.baseNumber = baseNs <= BigInt(Number.MAX_SAFE_INTEGER) && baseNs >= 0n ? Number(baseNs) : undefined;
  }

  /** Absolute µs of relative time `rel` (ns); sub-ns fractions of `rel` are rounded away. */
  micros(rel: number): number {
    const relNs = Number.isInteger(rel) ? rel : Math.round(rel);
    if (this.baseNumber !== undefined) {
      const abs = this.baseNumber + relNs;
      if (Number.isSafeInteger(abs)) return abs / 1000;
    }
    return Number(exactMicrosDecimal(this.baseNs + BigInt(relNs)));
  }

  /** Absolute ns as a bigint (Perfetto wants integer ns). */
  nanos(rel: number): bigint {
    return this.baseNs + BigInt(Number.isInteger(rel) ? rel : Math.round(rel));
  }
}

/** The exact decimal µs string of an absolute ns value, e.g. 1986780081125001n → "1986780081.125001". */
export function exactMicrosDecimal(absNs: bigint): string {
  const negative = absNs < 0n;
  const magnitude = negative ? -absNs : absNs;
  const whole = magnitude / 1000n;
  const fraction = (magnitude % 1000n).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/** Durations are differences of relative times, exact in float64, so a plain division is exact-rounded. */
export function durationMicros(startRel: number, endRel: number): number {
  return (Math.round(endRel) - Math.round(startRel)) / 1000;
}
