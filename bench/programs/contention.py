"""Worst case for a GIL tracer: four threads fighting over the GIL with a 1 µs switch interval,
so hand-offs (and probe hits) happen as fast as the machine allows."""
import sys
import threading
import time

sys.setswitchinterval(1e-6)
SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 4.0


def spin():
    deadline = time.monotonic() + SECONDS
    total = 0
    while time.monotonic() < deadline:
        for i in range(1000):
            total += i


threads = [threading.Thread(target=spin, name=f"spinner-{i}") for i in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
