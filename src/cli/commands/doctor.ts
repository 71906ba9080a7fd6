import { checkPrerequisites, type Check } from '../../probe/prerequisites.js';
import { shortSliceAllowed } from '../../record/sampler-slice.js';

/** Prints each prerequisite with how to fix it; exit code 0 when all pass, else 2. */
export function doctorCommand(options: { python?: string }): number {
  const checks = checkPrerequisites(options).map(withTickTiming);
  const color = process.stdout.isTTY === true;
  for (const check of checks) {
    const mark = check.ok ? (color ? '\x1b[32m✔\x1b[39m' : 'ok  ') : color ? '\x1b[31m✘\x1b[39m' : 'FAIL';
    console.log(`${mark} ${check.name}: ${check.detail}`);
    if (!check.ok && check.fix) console.log(`     fix: ${check.fix}`);
  }
  const failed = checks.filter((check) => !check.ok).length;
  const sampling = checks.find((check) => check.name === 'sampled mode');
  const fallback = failed && sampling?.ok ? ' The sampled mode (--sample) works here all the same: it needs none of root, perf or tracefs.' : '';
  console.log(failed ? `${failed} problem(s) found.${fallback}` : 'All good: giltrace can trace.');
  return failed ? 2 : 0;
}

/** The sampled mode's line says whether its ticks will preempt the program's running thread (record/sampler-slice.ts). */
function withTickTiming(check: Check): Check {
  if (check.name !== 'sampled mode' || !check.ok) return check;
  const timing = shortSliceAllowed()
    ? 'its ticks preempt the running thread (a 0.1 ms time slice, asked through perl or python3; Linux 6.12+)'
    : 'its ticks may come late (no perl or python3 to ask the kernel for a short time slice): threads that hold the GIL briefly between sleeps may read as holding it less than they do';
  return { ...check, detail: `${check.detail}; ${timing}` };
}
