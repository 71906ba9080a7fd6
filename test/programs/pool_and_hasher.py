"""A thread that hashes 4 MB buffers (sha256 lets go of the GIL around the work) between short
pure-Python holds, beside a pool of four threads crunching numbers and a main thread waiting for
their results, for SECONDS (argv[1], default 3). Most of the hasher's life is C code without the
GIL on a CPU: the sampled mode must not count it as waiting."""
import hashlib
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
END = time.monotonic() + SECONDS


def crunch(n):
    total = 0
    for i in range(n):
        total += i
    return total


def hasher():
    data = b"x" * 4_000_000
    while time.monotonic() < END:
        hashlib.sha256(data).digest()
        crunch(20_000)


threading.Thread(target=hasher, name="hasher").start()
with ThreadPoolExecutor(4) as pool:
    while time.monotonic() < END:
        list(pool.map(crunch, [50_000] * 8))
