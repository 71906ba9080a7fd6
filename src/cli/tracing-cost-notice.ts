/**
 * Says on stderr, while the recording runs, what exact tracing costs the program (the readings
 * of record/tracing-cost-watch.ts), so that nobody waits half a minute for a program that runs
 * in two seconds untraced before hearing why. Attached to a running process: always, after its
 * first second (a service may be slowed down; the user decides whether to go on). A command giltrace
 * started: once, and only when the probes take a large share of the threads' time.
 */
import { formatDuration } from '../base/time.js';
import type { TracingCostReading } from '../record/tracing-cost-watch.js';

/** Share of a second below which an attach's first second says its cost without advice. */
const COSTLY_SHARE = 0.1;
/** Share of a second (the probes' time a second, over the threads) from which a command's tracing cost is said while it runs. */
const COMMAND_NOTICE_SHARE = 0.25;

/** The `onTracingCost` of a recording: says what it should on `say` (one line each), and whether to go on watching. */
export function tracingCostNotice(attached: boolean, say: (line: string) => void = (line) => console.error(line)): (reading: TracingCostReading) => boolean {
  return (reading) => {
    const line = attached ? attachedLine(reading) : commandLine(reading);
    if (line === undefined) return true;
    say(line);
    return false;
  };
}

function attachedLine(reading: TracingCostReading): string {
  const what = `giltrace: ${Math.round(reading.cyclesPerSecond)} GIL cycles a second in the first second; ${cost(reading)}`;
  if (reading.share < COSTLY_SHARE) return what;
  return `${what}: stop soon (Ctrl-C, or --duration) on a service that must not slow down`;
}

function commandLine(reading: TracingCostReading): string | undefined {
  if (reading.share < COMMAND_NOTICE_SHARE) return undefined;
  return (
    `giltrace: ${Math.round(reading.cyclesPerSecond)} GIL cycles a second; ${cost(reading)}: the program runs slower than untraced ` +
    'and its waits look longer than they are; sampled (--sample), it is measured at a small cost'
  );
}

/**
 * In time a second, not as a share: the probes' time is summed over the threads, and several
 * may pay at once (their sum can pass a second a second).
 */
function cost({ nsPerCycle, share }: TracingCostReading): string {
  return `at about ${formatDuration(nsPerCycle)} each under the probes, tracing takes about ${formatDuration(share * 1e9)} of its threads' time every second`;
}
