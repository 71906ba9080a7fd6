/**
 * For tests of giltrace's disk caches (probe/disk-cache.ts and its users): `body` runs with a
 * fresh scratch folder whose `cache/` holds the caches (XDG_CACHE_HOME), GILTRACE_NO_CACHE unset;
 * both are put back and the folder removed after, whatever happens.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function withScratchCache(prefix: string, body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const saved = { xdg: process.env.XDG_CACHE_HOME, off: process.env.GILTRACE_NO_CACHE };
  process.env.XDG_CACHE_HOME = join(dir, 'cache');
  delete process.env.GILTRACE_NO_CACHE;
  try {
    body(dir);
  } finally {
    for (const [name, value] of [['XDG_CACHE_HOME', saved.xdg], ['GILTRACE_NO_CACHE', saved.off]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
