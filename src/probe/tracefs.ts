/** Finding (and if needed mounting) tracefs, where uprobes are defined. */
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { GiltraceError } from '../base/errors.js';

const CANDIDATES = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

/** A tracefs directory that has uprobe_events, or undefined (also when this process may not look inside). */
export function findTracefs(): string | undefined {
  const mounted = tracefsMountPoints();
  for (const dir of [...CANDIDATES, ...mounted]) {
    if (fs.existsSync(`${dir}/uprobe_events`)) return dir;
  }
  return undefined;
}

export function ensureTracefs(): string {
  const found = findTracefs();
  if (found) return found;
  const target = CANDIDATES[0];
  if (process.getuid?.() !== 0) {
    const mounted = tracefsMountPoints()[0];
    throw new GiltraceError(
      mounted
        ? `cannot read tracefs at ${mounted} without root: run giltrace as root`
        : `tracefs is not mounted at ${target} (or cannot be seen without root): run giltrace as root, or mount it: sudo mount -t tracefs nodev ${target}`,
    );
  }
  if (!fs.existsSync(target)) {
    throw new GiltraceError(`${target} does not exist: this kernel has no tracefs (needs CONFIG_FTRACE and CONFIG_UPROBE_EVENTS)`);
  }
  const run = spawnSync('mount', ['-t', 'tracefs', 'nodev', target], { encoding: 'utf8', timeout: 10_000 });
  if (run.error || run.status !== 0 || !fs.existsSync(`${target}/uprobe_events`)) {
    const why = (run.stderr || run.error?.message || '').trim();
    const after = fs.existsSync(`${target}/README`) ? ` (mounted, but it has no uprobe_events: the kernel lacks CONFIG_UPROBE_EVENTS)` : '';
    throw new GiltraceError(`could not mount tracefs at ${target}${why ? `: ${why}` : ''}${after}; try: mount -t tracefs nodev ${target}`);
  }
  return target;
}

/**
 * Where /proc/mounts says tracefs is mounted. Anyone may read /proc/mounts, while tracefs itself
 * is root-only (mode 700): this tells "not mounted" from "not allowed to look".
 */
export function tracefsMountPoints(): string[] {
  try {
    return fs
      .readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' '))
      .filter((f) => f[2] === 'tracefs' && f[1])
      .map((f) => f[1].replace(/\\040/g, ' '));
  } catch {
    return [];
  }
}
