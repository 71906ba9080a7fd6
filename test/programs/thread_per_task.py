"""A thread per task, one after another (as a thread-per-request server runs them): each lives
about a millisecond of pure Python, so the GIL is held nearly all the time by threads younger
than the sampler's last listing of the process's threads (every 10 ms)."""
import threading


def task():
    sum(range(30_000))


for _ in range(1500):
    thread = threading.Thread(target=task)
    thread.start()
    thread.join()
