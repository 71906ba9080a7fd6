"""Daemon threads at interpreter shutdown: two daemon threads spin for the GIL while the main
thread sleeps 0.5 s and returns. At shutdown CPython ends a daemon thread that asks for the GIL
inside take_gil, without it (exit_thread_if_finalizing before 3.9, _PyThreadState_MustExit
since), and the main thread finalizes holding the GIL: none of that is an anomaly."""
import threading
import time


def spin():
    while True:
        sum(range(1000))


for _ in range(2):
    threading.Thread(target=spin, daemon=True).start()
time.sleep(0.5)
