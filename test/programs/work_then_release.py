"""Two threads each do pure-Python work in work() (~1.5 ms, under the 5 ms switch interval) and
then give the GIL up in release() (os.stat: a system call that lets go of the GIL). Every hold
ends in release(), so the probes see release(); the time is spent in work(), which the holder
samples of an exact recording see (test/e2e/holder-samples.test.ts). An argument sets how many
times each worker does so (300; more to attach to it)."""
import os
import sys
import threading

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 300


def work():
    total = 0
    for i in range(50_000):
        total += i
    return total


def release():
    os.stat(".")


def worker():
    for _ in range(ROUNDS):
        work()
        release()


threads = [threading.Thread(target=worker, name=f"worker-{k}") for k in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
