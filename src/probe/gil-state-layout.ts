/**
 * Where a running CPython keeps its GIL's state, for the sampled mode (record/gil-sampler.ts),
 * which reads it from the process's memory instead of probing take_gil / drop_gil.
 *
 * From `_PyRuntime` (an exported data symbol in every build here, the stripped Debian one too):
 * - 3.7-3.11: one GIL, `_PyRuntime.ceval.gil`, a struct inside the runtime;
 * - 3.12+: each interpreter points at its GIL (`interp->ceval.gil`; subinterpreters may own
 *   one): walk `_PyRuntime.interpreters.head` → `interp->next`.
 * The GIL struct (`struct _gil_runtime_state`) is the same in all of them: `interval` (µs),
 * `last_holder` (a PyThreadState*), `locked`, `switch_number`, then the condition variables and
 * mutexes a waiter sleeps on (a thread in a futex wait on an address inside them waits for it).
 * 3.6 has no `_PyRuntime`: the same fields are static variables of ceval.c (`gil_locked`, …) and
 * the interpreters' list is pystate.c's `interp_head`, found by name in the symbol table (not
 * exported: a stripped 3.6 cannot be sampled) wherever the linker put them (see GilPlace).
 * A holder's thread id: `tstate->native_thread_id` from 3.11; before, only `tstate->thread_id`
 * (a pthread_t: the address of libc's thread struct, which holds the tid; see tid-in-pthread.ts).
 * gil-state-layout.test.ts checks every number here against the builds' DWARF.
 */
import { GLIBC_COND_WREFS } from './cond-waiters.js';

export interface GilStateLayout {
  /**
   * The symbol the process's runtime is found by (python-runtime.ts): `_PyRuntime`, or on 3.6
   * `interp_head`; offsets below are from its address.
   */
  readonly anchor: string;
  /** 3.7-3.11: offset of the GIL struct in _PyRuntime. */
  readonly runtimeGil?: number;
  /** 3.6: the GIL's fields are static variables, by symbol name (their addresses: a GilPlace). */
  readonly staticGil?: StaticGilSymbols;
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

/** Offsets inside `struct _gil_runtime_state`, the same in 3.7-3.13. */
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

export interface StaticGilSymbols {
  readonly locked: string;
  readonly interval: string;
  readonly lastHolder: string;
  readonly switchNumber: string;
  /** take_gil's condition variable (one of the waits). */
  readonly cond: string;
  /** The condition variables and mutexes a waiter sleeps on (each as long as its symbol's size). */
  readonly waits: readonly string[];
}

/**
 * Where one GIL's fields lie in the process (absolute addresses): inside one struct (3.7+), or
 * apart (3.6's static variables). `locked` is an int, the others 8 bytes.
 */
export interface GilPlace {
  readonly locked: number;
  readonly interval: number;
  readonly lastHolder: number;
  readonly switchNumber: number;
  /** The condition variable take_gil waits on (`cond`: the first of the waits). */
  readonly cond: number;
  /** [from, to) of each futex a waiter for this GIL sleeps on. */
  readonly waits: readonly (readonly [number, number])[];
}

/** The place of a GIL kept in a `struct _gil_runtime_state` at `address`. */
export function gilPlaceOfStruct(address: number): GilPlace {
  return {
    locked: address + GIL_STRUCT.locked,
    interval: address + GIL_STRUCT.interval,
    lastHolder: address + GIL_STRUCT.lastHolder,
    switchNumber: address + GIL_STRUCT.switchNumber,
    cond: address + GIL_STRUCT.waitFrom,
    waits: [[address + GIL_STRUCT.waitFrom, address + GIL_STRUCT.size]],
  };
}

type GilField = 'locked' | 'interval' | 'lastHolder' | 'switchNumber';

interface FieldAt {
  readonly span: number;
  readonly offset: number;
}

export interface GilReads {
  readonly spans: readonly { readonly address: number; readonly bytes: Buffer }[];
  /** Where each field is in the spans' bytes. */
  readonly fields: Readonly<Record<GilField, FieldAt>> & {
    /** glibc's count of the threads inside the wait on `cond` (cond-waiters.ts), when asked for. */
    readonly condWaiters?: FieldAt;
  };
}

/** Fields this close together are read as one. */
const SPAN_GAP = 64;

/**
 * The fewest reads that fetch a GIL's fields: one for a GIL struct; 3.6's statics lie in .data and
 * .bss. `condWaiters`: also glibc's count of the waiters on its `cond` (in the same read).
 */
export function gilReadsOf(place: GilPlace, condWaiters = false): GilReads {
  type Field = GilField | 'condWaiters';
  const sizes: Record<Field, number> = { locked: 4, interval: 8, lastHolder: 8, switchNumber: 8, condWaiters: 4 };
  const addresses: Partial<Record<Field, number>> = { locked: place.locked, interval: place.interval, lastHolder: place.lastHolder, switchNumber: place.switchNumber };
  if (condWaiters) addresses.condWaiters = place.cond + GLIBC_COND_WREFS;
  const byAddress = (Object.keys(addresses) as Field[]).sort((a, b) => addresses[a]! - addresses[b]!);
  const ranges: { from: number; to: number }[] = [];
  const fields = {} as Record<Field, FieldAt>;
  for (const field of byAddress) {
    const at = addresses[field]!;
    let last = ranges[ranges.length - 1];
    if (!last || at > last.to + SPAN_GAP) ranges.push((last = { from: at, to: at }));
    last.to = Math.max(last.to, at + sizes[field]);
    fields[field] = { span: ranges.length - 1, offset: at - last.from };
  }
  return { spans: ranges.map((r) => ({ address: r.from, bytes: Buffer.alloc(r.to - r.from) })), fields };
}

const STATIC_GIL_36: StaticGilSymbols = {
  locked: 'gil_locked',
  interval: 'gil_interval',
  lastHolder: 'gil_last_holder',
  switchNumber: 'gil_switch_number',
  cond: 'gil_cond',
  waits: ['gil_cond', 'gil_mutex', 'switch_cond', 'switch_mutex'],
};

const RUNTIME = '_PyRuntime';

const LAYOUTS: Readonly<Record<number, GilStateLayout>> = {
  // interp_head itself holds the first interpreter
  6: { anchor: 'interp_head', staticGil: STATIC_GIL_36, threadId: { offset: 0x98, kind: 'pthread' }, threadList: { interpreters: 0, interpNext: 0, head: 8, next: 8 } },
  7: { anchor: RUNTIME, runtimeGil: 0x4f0, threadId: { offset: 0xb0, kind: 'pthread' }, threadList: { interpreters: 0x18, interpNext: 0, head: 8, next: 8 } },
  8: { anchor: RUNTIME, runtimeGil: 0x480, threadId: { offset: 0xb0, kind: 'pthread' }, threadList: { interpreters: 0x20, interpNext: 0, head: 8, next: 8 } },
  9: { anchor: RUNTIME, runtimeGil: 0x160, threadId: { offset: 0xb0, kind: 'pthread' }, threadList: { interpreters: 0x20, interpNext: 0, head: 8, next: 8 } },
  10: { anchor: RUNTIME, runtimeGil: 0x160, threadId: { offset: 0xb0, kind: 'pthread' }, threadList: { interpreters: 0x20, interpNext: 0, head: 8, next: 8 } },
  11: { anchor: RUNTIME, runtimeGil: 0x168, threadId: { offset: 0xa0, kind: 'native' }, threadList: { interpreters: 0x28, interpNext: 0, head: 16, next: 8 } },
  12: { anchor: RUNTIME, interpreters: { head: 0x28, next: 0x0, gil: 0x180 }, threadId: { offset: 0x90, kind: 'native' }, threadList: { interpreters: 0x28, interpNext: 0, head: 72, next: 8 } },
  13: { anchor: RUNTIME, interpreters: { head: 0x278, next: 0x1c60, gil: 0x10 }, threadId: { offset: 0xa0, kind: 'native' }, threadList: { interpreters: 0x278, interpNext: 0x1c60, head: 7344, next: 8 } },
};

/** Versions the sampled mode knows (3.6-3.13 on x86-64). */
export const SAMPLED_MINORS: readonly number[] = Object.keys(LAYOUTS).map(Number);

export function gilStateLayoutFor(major: number, minor: number): GilStateLayout | undefined {
  return major === 3 ? LAYOUTS[minor] : undefined;
}
