"""Two threads hold the GIL on two lines of one function, for known times: a C sleep that keeps
the GIL (ctypes.PyDLL's usleep) on one, a C sum on the next (on a CPU, no Python frame of its
own), then let it go (os.stat). Each thread times both lines itself; the program prints what
share of those holds the sleep line took, and the two lines' numbers, as JSON on its last line.
test/e2e/function-lines.test.ts compares the lines the holder samples saw with these. Runs ~1.5 s."""
import ctypes
import json
import os
import sys
import threading
from time import perf_counter

ROUNDS = 300
usleep = ctypes.PyDLL(None).usleep
took = {"sleep": 0.0, "sum": 0.0}
SLEEP_LINE = 23
SUM_LINE = 25


def worker():
    for _ in range(ROUNDS):
        t0 = perf_counter()
        usleep(1000)
        t1 = perf_counter()
        total = sum(range(30000))
        t2 = perf_counter()
        took["sleep"] += t1 - t0
        took["sum"] += t2 - t1
        os.stat(".")
    return total


threads = [threading.Thread(target=worker, name="worker-%d" % k) for k in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
sys.stdout.write(json.dumps({"sleep_line": SLEEP_LINE, "sum_line": SUM_LINE, "sleep_share": took["sleep"] / (took["sleep"] + took["sum"])}) + "\n")
