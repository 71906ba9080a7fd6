/**
 * Where a running CPython keeps its GIL's state, for the sampled mode (record/gil-sampler.ts),
 * which reads it from the process's memory instead of probing take_gil / drop_gil.
 *
 * From `_PyRuntime` (an exported data symbol in every build here, the stripped Debian one too):
 * - 3.8-3.11: one GIL, `_PyRuntime.ceval.gil`, a struct inside the runtime;
 * - 3.12+: each interpreter points at its GIL (`interp->ceval.gil`; subinterpreters may own
 *   one): walk `_PyRuntime.interpreters.head` → `interp->next`.
 * The GIL struct (`struct _gil_runtime_state`) is the same in all of them: `interval` (µs),
 * `last_holder` (a PyThreadState*), `locked`, `switch_number`, then the condition variables and
 * mutexes a waiter sleeps on (a thread in a futex wait on an address inside them waits for it).
 * A holder's thread id: `tstate->native_thread_id` from 3.11; before, only `tstate->thread_id`
 * (a pthread_t: the address of libc's thread struct, which holds the tid; see tid-in-pthread.ts).
 * gil-state-layout.test.ts checks every number here against the builds' DWARF.
 */

export interface GilStateLayout {
  /** 3.8-3.11: offset of the GIL struct in _PyRuntime. */
  readonly runtimeGil?: number;
  /** 3.12+: offset of `interpreters.head` in _PyRuntime, and of `next` and `ceval.gil` (a pointer) in an interpreter. */
  readonly interpreters?: { readonly head: number; readonly next: number; readonly gil: number };
  /** Offset in PyThreadState of `native_thread_id` (3.11+) or else of `thread_id` (a pthread_t). */
  readonly threadId: { readonly offset: number; readonly kind: 'native' | 'pthread' };
  /**
   * The thread states: `_PyRuntime.interpreters.head` → `interp->next`; in each interpreter its
   * first thread state (`tstate_head`, `threads.head` from 3.11) → `tstate->next`. A waiter's
   * stack is read from its thread state (python-stack-reader.ts).
   */
  readonly threadList: { readonly interpreters: number; readonly interpNext: number; readonly head: number; readonly next: number };
}

/** Offsets inside `struct _gil_runtime_state`, the same in 3.8-3.13. */
export const GIL_STRUCT = {
  interval: 0,
  lastHolder: 8,
  locked: 16,
  /** Counts the takes by a thread other than the last holder (an unsigned long). */
  switchNumber: 24,
  /** cond, mutex, switch_cond, switch_mutex: the futexes of threads that want the GIL. */
  waitFrom: 32,
  size: 208,
} as const;

const LAYOUTS: Readonly<Record<number, GilStateLayout>> = {
  8: { runtimeGil: 0x480, threadId: { offset: 0xb0, kind: 'pthread' }, threadList: { interpreters: 0x20, interpNext: 0, head: 8, next: 8 } },
  9: { runtimeGil: 0x160, threadId: { offset: 0xb0, kind: 'pthread' }, threadList: { interpreters: 0x20, interpNext: 0, head: 8, next: 8 } },
  10: { runtimeGil: 0x160, threadId: { offset: 0xb0, kind: 'pthread' }, threadList: { interpreters: 0x20, interpNext: 0, head: 8, next: 8 } },
  11: { runtimeGil: 0x168, threadId: { offset: 0xa0, kind: 'native' }, threadList: { interpreters: 0x28, interpNext: 0, head: 16, next: 8 } },
  12: { interpreters: { head: 0x28, next: 0x0, gil: 0x180 }, threadId: { offset: 0x90, kind: 'native' }, threadList: { interpreters: 0x28, interpNext: 0, head: 72, next: 8 } },
  13: { interpreters: { head: 0x278, next: 0x1c60, gil: 0x10 }, threadId: { offset: 0xa0, kind: 'native' }, threadList: { interpreters: 0x278, interpNext: 0x1c60, head: 7344, next: 8 } },
};

/** Versions the sampled mode knows (3.8-3.13 on x86-64). */
export const SAMPLED_MINORS: readonly number[] = Object.keys(LAYOUTS).map(Number);

export function gilStateLayoutFor(major: number, minor: number): GilStateLayout | undefined {
  return major === 3 ? LAYOUTS[minor] : undefined;
}
