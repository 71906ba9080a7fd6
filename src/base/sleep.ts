/** Blocks the thread for `ms`: for short, rare waits on the kernel (probe removal, perf exit). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Calls `attempt` until it returns true or `timeoutMs` has passed; returns its last answer. */
export function retrySync(attempt: () => boolean, timeoutMs: number, intervalMs = 50): boolean {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (attempt()) return true;
    if (Date.now() >= deadline) return false;
    sleepSync(intervalMs);
  }
}
