"""Many threads that never rest for long: each sleeps 2 ms, then runs a little Python, for the
given seconds. At 1 kHz the sampler reads every thread's files at nearly every tick (30 of them
took its process a third of a CPU, 12-06): what its CPU budget is for (test/e2e/sampler-budget)."""
import sys
import threading
import time

THREADS = int(sys.argv[1]) if len(sys.argv) > 1 else 30
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 6.0
stop = time.monotonic() + SECONDS


def worker():
    while time.monotonic() < stop:
        time.sleep(0.002)
        sum(range(100))


threads = [threading.Thread(target=worker, name="busy-%d" % i) for i in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
