/**
 * glibc's malloc settings for giltrace's own process, and only for it. The `giltrace` command's
 * first lines (a shell script: cli/main.ts) start node with GLIBC_TUNABLES set to
 * OWN_MALLOC_TUNABLES, before the caller's own tunables (which win where both name one), and
 * keep the caller's value aside in CALLER_TUNABLES_VARIABLE; `restoreCallerMallocSettings` puts
 * it back before giltrace starts anything, so perf, the traced command and every interpreter
 * giltrace asks about run with the environment they were given, unchanged.
 *
 * Why: on a virtual machine the first touch of a page is dear (~11 µs here), and reading a
 * recording touched ~32 k fresh pages, most of them malloc's: V8's compiler threads each grow a
 * malloc arena of their own and give its pages back as their work ends. One arena (reused by
 * every thread) and transparent huge pages for it (THP is `madvise` on Debian) left ~11 k:
 * `stats` on the bench recording 1.44 s against 1.69 s (medians of 7 alternating runs, 12-07).
 * A fixed saving, made while V8 compiles giltrace's code: on a 2.2 GB recording, no change.
 */

/** glibc ≥ 2.35 knows `hugetlb`; an older one (or musl, which reads none of it) ignores what it does not know. */
export const OWN_MALLOC_TUNABLES = 'glibc.malloc.arena_max=1:glibc.malloc.hugetlb=1';

/** The caller's GLIBC_TUNABLES as the shell script kept it: "=" and the value when it was set, empty when it was not. */
export const CALLER_TUNABLES_VARIABLE = 'GILTRACE_CALLER_GLIBC_TUNABLES';

/** The caller's GLIBC_TUNABLES back in `env` (giltrace's own settings gone); nothing to do when giltrace was started by `node main.js`. */
export function restoreCallerMallocSettings(env: NodeJS.ProcessEnv = process.env): void {
  const kept = env[CALLER_TUNABLES_VARIABLE];
  if (kept === undefined) return;
  delete env[CALLER_TUNABLES_VARIABLE];
  if (kept.startsWith('=')) env.GLIBC_TUNABLES = kept.slice(1);
  else delete env.GLIBC_TUNABLES;
}
