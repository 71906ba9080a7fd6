"""Threads started with _thread.start_new_thread only; one of them is the first to import
threading (so threading's import, and giltrace's patching of it, happen outside the main thread)
and asks for current_thread(), which makes it a Dummy thread."""
import _thread
import sys

lock = _thread.allocate_lock()
done = []


def spin(n):
    total = 0
    for i in range(n):
        total += i
    return total


def raw(n):
    result = spin(n)
    with lock:
        done.append(("raw", result))


def first_to_import_threading():
    import threading

    result = spin(100000)
    with lock:
        done.append((threading.current_thread().name, result))


for n in (200000, 300000):
    _thread.start_new_thread(raw, (n,))
_thread.start_new_thread(first_to_import_threading, ())
while True:
    with lock:
        if len(done) == 3:
            break
    spin(1000)
print(sorted(done))
print("threading imported by then:", "threading" in sys.modules)
