"""Threads that seldom wait for the GIL but for a lock: four workers take turns holding a
threading.Lock while they sleep 2 ms, so each spends most of its time blocked on the lock, the
rest asleep, and little with the GIL. Each worker times its lock.acquire() and its sleep itself;
the program prints the lines and their totals as JSON on its last line.
test/e2e/released-lines.test.ts checks where giltrace says the threads slept without the GIL.
Runs ~0.9 s."""
import json
import threading
import time
from time import perf_counter

ROUNDS = 100
WORKERS = 4
lock = threading.Lock()
took = {"acquire": 0.0, "sleep": 0.0}


def worker():
    for _ in range(ROUNDS):
        t0 = perf_counter()
        lock.acquire()
        t1 = perf_counter()
        time.sleep(0.002)
        t2 = perf_counter()
        lock.release()
        took["acquire"] += t1 - t0
        took["sleep"] += t2 - t1


def line_of(code):
    with open(__file__) as source:
        return next(n for n, text in enumerate(source, 1) if text.strip() == code)


threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({"acquire_line": line_of("lock.acquire()"), "sleep_line": line_of("time.sleep(0.002)"), **took}))
