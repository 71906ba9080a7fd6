"""C code that releases the GIL as what limits a program: a thread hashes a 32 MB buffer 40
times (sha256 lets the GIL go around the work), so it computes without the GIL, while another
thread idles in a queue's get until the end and the main thread joins them. The program times
its hashing itself and prints, as JSON on its last line, the hash line and the seconds spent
hashing. test/e2e/released-lines.test.ts checks that the verdict points at the hash line, not at
where the idle thread slept. Runs ~1 s."""
import hashlib
import json
import queue
import threading
from time import perf_counter

DATA = b"x" * (32 * 1024 * 1024)
jobs = queue.Queue()
took = []


def idle():
    jobs.get()


def work():
    hashing = 0.0
    for _ in range(40):
        t0 = perf_counter()
        hashlib.sha256(DATA).digest()
        hashing += perf_counter() - t0
    took.append(hashing)


def line_of(code):
    with open(__file__) as source:
        return next(n for n, text in enumerate(source, 1) if text.strip() == code)


idler = threading.Thread(target=idle, name="idler")
idler.start()
hasher = threading.Thread(target=work, name="hasher")
hasher.start()
hasher.join()
jobs.put(None)
idler.join()
print(json.dumps({"hash_line": line_of("hashlib.sha256(DATA).digest()"), "hashing": took[0]}))
