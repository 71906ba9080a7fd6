"""Two threads hold the GIL on two lines of one function: a C sleep that keeps the GIL
(ctypes.PyDLL's usleep) on one, a C sum on the next (on a CPU, no Python frame of its own), then
let it go (os.stat). Each thread times both lines of every round on CLOCK_MONOTONIC, the
recording's clock (perf_counter's on Linux), with its kernel thread id: the program prints them,
and what share of the two lines' wall time the sleep took, as JSON on its last line.
test/e2e/function-lines.test.ts compares the lines the holder samples saw with the GIL time the
recording's holds spent inside each line's rounds. Runs ~1.5 s."""
import ctypes
import json
import os
import sys
import threading
from time import perf_counter

ROUNDS = 300
usleep = ctypes.PyDLL(None).usleep
gettid = ctypes.CDLL(None).syscall
SYS_GETTID = 186  # x86_64; threading.get_native_id is 3.8+
took = {"sleep": 0.0, "sum": 0.0}
rounds = []
SLEEP_LINE = 29
SUM_LINE = 31


def worker():
    tid = gettid(SYS_GETTID)
    for _ in range(ROUNDS):
        t0 = perf_counter()
        usleep(1000)
        t1 = perf_counter()
        total = sum(range(30000))
        t2 = perf_counter()
        took["sleep"] += t1 - t0
        took["sum"] += t2 - t1
        rounds.append((tid, int(t0 * 1e9), int(t1 * 1e9), int(t2 * 1e9)))
        os.stat(".")
    return total


threads = [threading.Thread(target=worker, name="worker-%d" % k) for k in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
result = {"sleep_line": SLEEP_LINE, "sum_line": SUM_LINE, "sleep_share": took["sleep"] / (took["sleep"] + took["sum"]), "rounds": rounds}
sys.stdout.write(json.dumps(result) + "\n")
