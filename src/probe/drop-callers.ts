/**
 * Was a GIL drop forced (the eval loop honouring a drop request that a waiter set after its
 * switch-interval timeout) or voluntary (the thread released it itself: Py_BEGIN_ALLOW_THREADS
 * around I/O, sleep, locks; thread exit; finalisation)? Decided from the function drop_gil
 * returns into, i.e. its caller.
 *
 * Forced drops come only from the eval loop's pending-work handler:
 *   3.6–3.8    inline in _PyEval_EvalFrameDefault (`if (gil_drop_request) drop_gil(...)`)
 *   3.9–3.11   eval_frame_handle_pending(), inlined into _PyEval_EvalFrameDefault in practice
 *   3.12–3.13  _Py_HandlePending() in ceval_gil.c (an LTO build may inline it into the eval loop)
 * Observed on this machine with the two-thread program (pyenv builds): 3.6–3.11 forced =
 * _PyEval_EvalFrameDefault; 3.12/3.13 forced = _Py_HandlePending; voluntary = PyEval_SaveThread,
 * _PyThreadState_DeleteCurrent, PyInterpreterState_Delete, t_bootstrap (3.8, via tail calls),
 * _PySemaphore_Wait (3.13). Since tail calls make the return address land in whichever function
 * made the last real call, voluntary callers can be almost any function; so for a known version
 * everything that is not the forced handler is voluntary. Only an unknown caller address, or an
 * unrecognised name on a version newer than those checked, is 'unknown'.
 */
export type DropKind = 'forced' | 'voluntary' | 'unknown';

const FORCED_BY_VERSION: ReadonlyArray<{ readonly upTo: number; readonly names: ReadonlySet<string> }> = [
  { upTo: 8, names: new Set(['_PyEval_EvalFrameDefault']) },
  { upTo: 11, names: new Set(['_PyEval_EvalFrameDefault', 'eval_frame_handle_pending']) },
  { upTo: 13, names: new Set(['_Py_HandlePending', '_PyEval_EvalFrameDefault', 'handle_eval_breaker']) },
];
/** Newest minor version whose callers were checked; newer ones use its names but say 'unknown' for strangers. */
export const NEWEST_CHECKED_MINOR = 13;
const KNOWN_VOLUNTARY = new Set([
  'PyEval_SaveThread',
  'PyEval_ReleaseThread',
  'PyEval_ReleaseLock',
  '_PyEval_ReleaseLock',
  '_PyThreadState_Detach',
  'PyThreadState_DeleteCurrent',
  '_PyThreadState_DeleteCurrent',
  'PyInterpreterState_Delete',
  '_PySemaphore_Wait',
  't_bootstrap',
  'thread_run',
  'take_gil', // exiting threads drop the GIL again inside take_gil during finalisation
]);
const CLONE_SUFFIX = /(?:\.(?:constprop|isra|part|lto_priv|cold)\.\d+|\.cold)+$/;

export function classifyDropCaller(callerSymbol: string | undefined, version: { readonly major: number; readonly minor: number }): DropKind {
  if (callerSymbol === undefined || callerSymbol === '') return 'unknown';
  const name = callerSymbol.replace(CLONE_SUFFIX, '');
  if (version.major !== 3) return 'unknown';
  const table = FORCED_BY_VERSION.find((t) => version.minor <= t.upTo) ?? FORCED_BY_VERSION[FORCED_BY_VERSION.length - 1];
  if (table.names.has(name)) return 'forced';
  if (version.minor > NEWEST_CHECKED_MINOR && !KNOWN_VOLUNTARY.has(name)) return 'unknown';
  return 'voluntary';
}
