/**
 * How many threads are inside pthread_cond_wait on a condition variable, read from the process's
 * memory: glibc (2.25 on) counts them in the cond's `__wrefs` (8 per waiter; the low three bits
 * are flags). A waiter counts from the moment it enters the wait until it has run again after
 * being woken, so one woken and not yet back on a CPU still counts: the sampled mode reads the
 * GIL's `cond` this way to tell a waiter that /proc shows `running` (woken, waiting for a CPU)
 * from a thread running C code without the GIL (record/gil-sampler.ts). Other C libraries (musl)
 * lay their condition variables out otherwise: no count is read there.
 */
import * as path from 'node:path';

/** Offset of `__wrefs` in glibc's `struct __pthread_cond_s` (x86-64; gil-state-layout.test.ts checks it against the builds' DWARF). */
export const GLIBC_COND_WREFS = 36;
/** `__wrefs` >> this: the waiters. */
export const GLIBC_COND_WREFS_SHIFT = 3;

/**
 * Whether the process whose mapped files are `mapped` (/proc/PID/maps) runs on a glibc whose
 * condition variables count their waiters: glibc 2.25 and later. From 2.34 the library's own file
 * is `libc.so.6`; before, `libc-2.N.so` (libc.so.6 a link to it, which maps resolve).
 */
export function libcCountsCondWaiters(mapped: readonly string[]): boolean {
  for (const file of mapped) {
    const name = path.basename(file);
    if (name === 'libc.so.6') return true;
    const versioned = /^libc-2\.(\d+)\.so$/.exec(name);
    if (versioned) return Number(versioned[1]) >= 25;
  }
  return false;
}
