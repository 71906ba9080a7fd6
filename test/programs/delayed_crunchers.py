"""Waits half a second (time for a sampler to attach), then N threads (argv[1], default 2) crunch
numbers in a pure-Python loop for about argv[2] seconds each (default 1) and are joined: a
contended GIL whose truth is known (the crunchers share it evenly, the main thread sleeps)."""
import sys
import threading
import time

THREADS = int(sys.argv[1]) if len(sys.argv) > 1 else 2
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0


def crunch(deadline):
    total = 0
    while time.monotonic() < deadline:
        for i in range(1000):
            total += i * i
    return total


time.sleep(0.5)
deadline = time.monotonic() + SECONDS * THREADS / 2
threads = [threading.Thread(target=crunch, args=(deadline,), name=f"cruncher-{k}") for k in range(THREADS)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
