/**
 * What giltrace says about a seed-style recording (sched events + `--call-graph dwarf`, no GIL
 * probes): waits are inferred from scheduler call chains, holding is never seen. The warning and
 * the verdict say exactly that, so no number is read as more than it is.
 */
import { CONTENDED_WAIT_FRACTION, GIL_BOUND_WAIT_FRACTION, type Verdict } from '../analysis/index.js';
import { formatDuration, formatPercent } from '../base/time.js';
import type { StatsJson, ThreadStats } from '../contract/stats.js';
import type { AdapterFacts } from '../model/perf-to-trace-events.js';
import type { GilWaitLookup } from './gil-wait-classifier.js';

export const SEED_MODE_WARNING =
  'no GIL probes in this recording: GIL waits are INFERRED from scheduling (a thread that goes to sleep with take_gil on its ' +
  'user stack waits until it is woken), not measured. Time in take_gil on-CPU or runnable is missed; holding is not observed: ' +
  'held_ns, acquisitions, hand-offs and drops read 0 and held-off-CPU is unknown. Record with giltrace record for exact numbers';

export function seedModeWarnings(facts: AdapterFacts, lookup: GilWaitLookup): string[] {
  const warnings = [
    `${SEED_MODE_WARNING} (${facts.sleepsInTakeGil} of ${facts.stackScans} sleeps were in take_gil: ${facts.inferredWaits} waits)`,
  ];
  if (facts.inferredWaitsEndUnseen > 0) {
    warnings.push(
      `${facts.inferredWaitsEndUnseen} inferred GIL waits had no recorded wakeup: they end where the thread was next seen running ` +
        '(record with -a to see every wakeup and switch-in)',
    );
  }
  for (const [file, why] of lookup.unusable) {
    warnings.push(`cannot tell GIL waits in ${file}: ${why}; waits there are not counted`);
  }
  if (lookup.symbolized.size === 0 && lookup.unusable.size === 0) {
    warnings.push('no user stack pointed into a Python library with a take_gil symbol: no GIL wait could be inferred');
  }
  return warnings;
}

/**
 * perf's command line says whether it recorded system-wide (-a) or only the command's tasks. A
 * per-task recording gets sched_switch only in the context of the task leaving the CPU, so
 * switch-ins from an idle or untraced CPU are missing: running and runnable cannot be told apart.
 * undefined when the recording does not carry its command line.
 */
export function isPerTaskRecording(cmdline: readonly string[] | undefined): boolean | undefined {
  if (!cmdline || cmdline.length === 0) return undefined;
  const end = cmdline.indexOf('--');
  const options = (end < 0 ? cmdline : cmdline.slice(0, end)).join(' ').split(/\s+/);
  return !options.some((arg) => arg === '-a' || arg === '--all-cpus' || /^-[A-Za-z]*a$/.test(arg) || arg === '-C' || arg.startsWith('--cpu'));
}

export const PER_TASK_WARNING =
  'perf recorded only the command\'s tasks (no -a): switch-ins onto idle CPUs are not in the recording, so time running ' +
  'after a wakeup counts as runnable (CPU state columns are approximate)';

const TOP_THREADS = 3;

/** The verdict of computeVerdict's wait thresholds, worded for what seed mode can see. */
export function seedModeVerdict(stats: StatsJson): Verdict {
  const waiters = stats.processes.flatMap((p) => p.threads.filter((t) => t.wait.count > 0));
  const details = [...waiters]
    .sort((a, b) => share(b) - share(a) || a.tid - b.tid)
    .slice(0, TOP_THREADS)
    .map(
      (t) =>
        `${t.name || 'thread'} (tid ${t.tid}): off-CPU in take_gil ${formatPercent(t.wait_ns, t.lifetime_ns)} of its life ` +
        `(${formatDuration(t.wait_ns)} in ${t.wait.count} waits, longest ${formatDuration(t.wait.max_ns)})`,
    );
  details.push('Inferred from scheduler call chains: who held the GIL, hand-offs and forced/voluntary drops are not in this recording');
  if (waiters.length === 0) {
    return {
      kind: 'not-gil-bound',
      headline: 'No thread was seen switched out inside take_gil (inferred from scheduling; waits spent on-CPU are not visible)',
      details,
    };
  }
  let wait = 0;
  let lifetime = 0;
  for (const t of waiters) {
    wait += t.wait_ns;
    lifetime += t.lifetime_ns;
  }
  const fraction = lifetime > 0 ? wait / lifetime : 0;
  const what =
    `threads that waited spent ${formatPercent(wait, lifetime)} of their time switched out waiting for the GIL ` +
    '(inferred from scheduling)';
  if (fraction >= GIL_BOUND_WAIT_FRACTION) {
    const advice = 'more threads will not help — use processes, or a free-threaded build';
    return { kind: 'gil-bound', headline: `Likely GIL-bound: ${what}; ${advice}`, details };
  }
  if (fraction >= CONTENDED_WAIT_FRACTION) {
    return { kind: 'gil-contended', headline: `The GIL is contended: ${what}`, details };
  }
  return { kind: 'not-gil-bound', headline: `GIL waits look small: ${what}`, details };
}

function share(t: ThreadStats): number {
  return t.lifetime_ns > 0 ? t.wait_ns / t.lifetime_ns : 0;
}
