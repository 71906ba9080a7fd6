"""Two threads crunch numbers in a pure-Python loop, called through worker(): the report's
GIL slices should name crunch (this file, the line of its def) called from worker."""
import threading


def crunch(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def worker():
    crunch(2_000_000)


threads = [threading.Thread(target=worker, name=f"cruncher-{k}") for k in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
