/**
 * Inferred waits (scheduler-only recordings, recording-kind.ts): is a thread that was just switched
 * out waiting for the GIL? Such a recording (`perf record -e sched:* --call-graph dwarf`, the
 * python-gil-tracer way) stores only the kernel call chain
 * (exclude_callchain_user) plus a copy of the user stack; the user frames need a DWARF unwinder.
 * Instead this scans the stack copy: the innermost return address that points into a Python
 * library (the file holding take_gil) tells which CPython function the thread is in. If that
 * function is take_gil (any clone), the thread sleeps inside take_gil: it waits for the GIL.
 *
 * Why "innermost Python frame" and not "take_gil anywhere": stack slots keep stale return
 * addresses of calls that already returned (take_gil's own last call, pthread_mutex_unlock,
 * leaves one in nearly every thread that ever took the GIL). Between the stack pointer and the
 * first live Python frame there are only the libc frames of the blocking call (futex wait,
 * pthread_cond_timedwait), so the first Python return address found is the live caller.
 * Checked against perf's own DWARF unwinding (perf script) of every sched_switch sample: the
 * third-party python-gil-tracer recording of pyenv 3.11.7 233/233, a pyenv 3.12.1 recording
 * 1469/1469, Debian's LTO python3.11 886/889 (3 misses: a stale _PyEval_EvalFrameDefault return
 * address left inside libc's pthread_cond_timedwait frame hides take_gil behind it; never a false
 * take_gil).
 *
 * Limits: a thread preempted while executing take_gil's own instructions (not in a call) has no
 * take_gil return address on the stack and is missed (its IP is in the user registers); a real
 * unwinder (.eh_frame CFI) would remove both kinds of miss.
 */
import { u64RoundedFromHalves } from '../base/u64.js';

import type { CodeClassifier, MappedCode } from '../contract/mapped-code.js';

/** Runtime address → where it was mapped from (the process's mmaps at that time). */
export type AddressResolver = (address: number) => MappedCode | undefined;

/** Lowest plausible user code address: skips small integers fast. */
const MIN_CODE_ADDRESS = 0x10000;

/** True when the innermost Python return address on the stack copy is in take_gil. */
export function stackShowsGilWait(stack: Uint8Array, resolve: AddressResolver, classify: CodeClassifier): boolean {
  const view = new DataView(stack.buffer, stack.byteOffset, stack.byteLength);
  // The copy starts at the user stack pointer; return addresses are pushed 8-byte words.
  for (let at = 0; at + 8 <= stack.length; at += 8) {
    const high = view.getUint32(at + 4, true);
    if (high > 0x7fff) continue; // user space is below 2^47
    const address = u64RoundedFromHalves(high, view.getUint32(at, true));
    if (address < MIN_CODE_ADDRESS) continue;
    const where = resolve(address);
    if (!where) continue;
    const kind = classify(where);
    if (kind === 'take_gil') return true;
    if (kind === 'python') return false;
  }
  return false;
}
