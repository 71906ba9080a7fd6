import { checkPrerequisites } from '../../probe/prerequisites.js';

/** Prints each prerequisite with how to fix it; exit code 0 when all pass, else 2. */
export function doctorCommand(options: { python?: string }): number {
  const checks = checkPrerequisites(options);
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
