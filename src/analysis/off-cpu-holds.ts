/**
 * Why a thread held the GIL without running, split by cause: sleeping or blocked (the thread
 * went to sleep with the GIL: C code doing I/O or waiting without Py_BEGIN_ALLOW_THREADS) versus
 * runnable (preempted by the kernel while holding: more runnable threads than CPUs). Only the
 * first is a bug in the program; `held_off_cpu_ns` in the stats counts both.
 */
import type { PyFunction } from '../model/python-stacks.js';
import { CpuState } from '../model/timeline.js';
import { stateMask } from './intervals.js';

export interface OffCpuHold {
  readonly pid: number;
  readonly tid: number;
  readonly name: string;
  /** Held the GIL while sleeping or blocked. */
  readonly asleepNs: number;
  /** Part of `asleepNs` during which another thread waited for that GIL: the harm done. */
  readonly asleepContendedNs: number;
  /** Longest single stretch of holding while sleeping or blocked. */
  readonly longestAsleepNs: number;
  /** Held the GIL while runnable (preempted). */
  readonly preemptedNs: number;
  /**
   * Part of `preemptedNs` during which another thread waited for that GIL: the stall it caused.
   * (A thread alone with its GIL, a subinterpreter's own on 3.12+, stalls nobody when preempted.)
   */
  readonly preemptedContendedNs: number;
  /**
   * Where holder samples saw it most while it held the GIL asleep or blocked: the function and
   * the line it ran (0: not read); absent without such samples.
   */
  readonly asleepIn?: { readonly fn: PyFunction; readonly line: number };
}

export const ASLEEP = stateMask(CpuState.sleeping, CpuState.blocked);
export const PREEMPTED = stateMask(CpuState.runnable);
