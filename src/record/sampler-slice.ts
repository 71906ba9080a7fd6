/**
 * The sampler thread asks the kernel for a short time slice (sched_setattr's `sched_runtime` for
 * a SCHED_OTHER thread, Linux >= 6.12), so that its tick's wake-up preempts the program's running
 * thread instead of waiting for it to sleep.
 *
 * Why: on an EEVDF kernel (6.18 here) a thread woken by its timer does not preempt the running
 * one until that one's slice is used up (RUN_TO_PARITY), unless it asked for a shorter slice
 * (PREEMPT_SHORT). A tick then came when a program thread went to sleep, right after it let go of
 * the GIL: waking late by 0.5-1 ms at the 90th percentile beside a thread per task, and what it
 * read leaned that way (the main thread named holder at 0.15-0.19 of the GIL reads against 0.07-0.10
 * with the slice, which wakes late by 0.1-0.2 ms: timer slack). A nice value does not help (the
 * slice protection ignores weights): measured 0.5-0.7 ms late at nice -10.
 *
 * Node has no call for it, so a one-line helper (perl, essential on Debian and Ubuntu, else
 * python3) makes the system call for the thread's id. Allowed for the user's own threads, no
 * privilege needed; a kernel before 6.12 ignores the field (and preempted on wake-up anyway: CFS).
 */
import { spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';

/** The slice asked for, ns: the shortest the kernel allows (0.1 ms). */
export const SAMPLER_SLICE_NS = 100_000;
/** perl starts in ~5 ms, python3 in ~20-40 ms. */
const HELPER_TIMEOUT_MS = 1_000;

/** x86-64's and arm64's sched_setattr; struct sched_attr as of Linux 4.13 (48 bytes): size, policy, flags, nice, priority, runtime, deadline, period. */
const SYSCALLS: Partial<Record<string, number>> = { x64: 314, arm64: 274 };
// (perl passes a string as a pointer: the arguments are made numbers)
const PERL = 'my ($nr, $tid, $ns) = map { $_ + 0 } @ARGV; my $a = pack("LLQlLQQQ", 48, 0, 0, 0, 0, $ns, 0, 0); exit(syscall($nr, $tid, $a, 0) == 0 ? 0 : 1)';
const PYTHON = 'import ctypes, struct, sys; nr, tid, ns = map(int, sys.argv[1:]); a = ctypes.create_string_buffer(struct.pack("IIQiIQQQ", 48, 0, 0, 0, 0, ns, 0, 0)); sys.exit(0 if ctypes.CDLL(None).syscall(nr, tid, a, 0) == 0 else 1)';

const HELPERS = [['perl', '-e', PERL], ['python3', '-c', PYTHON]] as const;

/** The calling thread's id (/proc/thread-self names it). */
function ownThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Asks for SAMPLER_SLICE_NS for the calling thread; false when no helper could (then ticks may
 * wake late). `python`: python3 may be the helper (not beside an exact recording, which takes a
 * Python that giltrace starts for one of the traced tree's interpreters: late-interpreters.ts).
 */
export function askShortSlice(python: boolean): boolean {
  const tid = ownThreadId();
  return tid !== undefined && askSlice(tid, python);
}

/**
 * Whether a helper can ask for the short slice on this machine (`giltrace doctor`): it asks for
 * itself (thread id 0: the caller), giltrace's own threads are left as they are.
 */
export function shortSliceAllowed(): boolean {
  return askSlice(0, true);
}

function askSlice(tid: number, python: boolean): boolean {
  const nr = SYSCALLS[process.arch];
  if (nr === undefined) return false;
  const args = [String(nr), String(tid), String(SAMPLER_SLICE_NS)];
  const helpers = python ? HELPERS : HELPERS.slice(0, 1);
  for (const [program, flag, code] of helpers) {
    // a helper that hangs must not hold back the command: the sampler is ready only after this
    const run = spawnSync(program, [flag, code, ...args], { stdio: 'ignore', timeout: HELPER_TIMEOUT_MS });
    if (run.status === 0) return true;
  }
  return false;
}
