"""Ground truth for function context: `hot` is a pure-Python loop that keeps the GIL until the
switch interval forces it out, so it is what makes the other thread wait; `hasher` hashes big
buffers (sha256 releases the GIL around the work) and sleeps, and waits for the GIL in hasher()."""
import hashlib
import threading
import time

DATA = b"x" * (16 * 1024 * 1024)


def hot(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def spin():
    deadline = time.monotonic() + 0.6
    while time.monotonic() < deadline:
        hot(100_000)


def hasher():
    for _ in range(8):
        hashlib.sha256(DATA).digest()
        time.sleep(0.01)


threads = [threading.Thread(target=spin, name="spinner"), threading.Thread(target=hasher, name="hasher")]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
