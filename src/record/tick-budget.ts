/**
 * How often the sampler may tick: as often as asked while its thread stays within a share of one
 * CPU, less often when its ticks cost more than that (many busy threads: each tick reads each
 * one's files). Without it, 20 threads each waking every 2 ms took the sampler's process 33 % of
 * a CPU at 1 kHz, and 100 such threads 82 % (12-06): a production process would lose that CPU.
 *
 * Every window the thread's CPU time (schedstat of its own thread: what the ticks cost, not V8's
 * compiler threads of the first seconds) over the window's time is compared with the budget. Over
 * it, the period grows at once in proportion (as if all of a tick's cost came with each tick;
 * much of it follows the threads' changes instead, which fewer ticks do not make fewer: later
 * windows then slow it further); under 80 % of it, the period shrinks back toward the asked one,
 * by at most a fifth a window, so that the rate does not swing about the budget. Pure: the
 * session gives it the times and CPU readings.
 */

/** The slowest the budget makes the sampler tick (ticks a second): below it the samples say little. */
export const MIN_BUDGET_HZ = 20;
/** The least time a window spans, ns, and the least number of ticks it spans. */
const WINDOW_NS = 250e6;
const WINDOW_PERIODS = 8;
/** The share of the budget a change aims at (a little under it: a tick's cost varies). */
const AIM = 0.9;
/** Under this share of the budget the period shrinks back toward the asked one. */
const RECOVER_BELOW = 0.8;
const MAX_SHRINK = 1.25;
/** Changes smaller than this share of the period are not made (each one is a line of the recording). */
const MIN_CHANGE = 0.05;
/**
 * For its first seconds the sampler of a command it starts may use this many times its budget:
 * V8 runs its code unoptimized until it is hot, and the first look at each thread opens its
 * files. Held to the budget from the start, a sampled two-thread example (0.7 s) was sampled 190
 * times a second instead of ~900 (its sampler's thread: 140 ms of CPU a second over the run,
 * 65-87 ms a second after the first 4 s on the pipe ping-pong and four crunchers; 12-06). Not
 * for a running process giltrace attaches to (a service, most often): its budget holds from the
 * first tick (an attach of 3 s to a ThreadingHTTPServer under load took 45 % of a CPU with it,
 * asked for 10 %; 12-08).
 */
const START_NS = 3e9;
const START_ALLOWANCE = 5;

export class TickBudget {
  /** The period the sampler ticks at now, ns. */
  periodNs: number;
  private readonly maxPeriodNs: number;
  private windowStart = Number.NaN;
  private windowCpu = 0;
  private firstReading = Number.NaN;

  /** `share`: of one CPU (0.1 = 10 %); Infinity: no budget. `startAllowance`: how many times the share its first seconds may use (1: none). */
  constructor(private readonly askedPeriodNs: number, readonly share: number, private readonly startAllowance = START_ALLOWANCE) {
    this.periodNs = askedPeriodNs;
    this.maxPeriodNs = Math.max(askedPeriodNs, 1e9 / MIN_BUDGET_HZ);
  }

  /** Whether a reading is due at `now` (ns): the session reads the thread's CPU only then. */
  due(now: number): boolean {
    return !(now - this.windowStart < Math.max(WINDOW_NS, WINDOW_PERIODS * this.periodNs));
  }

  /**
   * The thread's CPU time so far (ns) at `now`, read when due(now): true when the period changed
   * (periodNs says to what).
   */
  observe(now: number, cpuNs: number): boolean {
    const elapsed = now - this.windowStart;
    const used = cpuNs - this.windowCpu;
    this.windowStart = now;
    this.windowCpu = cpuNs;
    if (Number.isNaN(this.firstReading)) this.firstReading = now;
    if (!(elapsed > 0) || !Number.isFinite(this.share)) return false;
    const share = now - this.firstReading <= START_NS ? this.startAllowance * this.share : this.share;
    const measured = used / elapsed;
    const fitting = (this.periodNs * measured) / (AIM * share);
    let next = this.periodNs;
    if (measured > share) next = Math.min(this.maxPeriodNs, fitting);
    else if (measured < RECOVER_BELOW * share && this.periodNs > this.askedPeriodNs) {
      next = Math.max(this.askedPeriodNs, fitting, this.periodNs / MAX_SHRINK);
    }
    const toAsked = next === this.askedPeriodNs && this.periodNs !== this.askedPeriodNs;
    if (!toAsked && Math.abs(next - this.periodNs) < MIN_CHANGE * this.periodNs) return false;
    this.periodNs = next;
    return true;
  }
}
