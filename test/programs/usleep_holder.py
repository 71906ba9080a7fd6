"""Ground truth for "GIL held while off-CPU": ctypes.PyDLL calls keep the GIL, so the holder
sleeps 300 ms in usleep() while holding it and the spinner waits ~300 ms for it."""
import ctypes
import threading
import time

libc = ctypes.PyDLL(None)
started = threading.Event()


def holder():
    started.wait()
    time.sleep(0.02)  # let the spinner get going first
    libc.usleep(300_000)


def spinner():
    started.set()
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:
        pass


threads = [threading.Thread(target=holder, name="holder"), threading.Thread(target=spinner, name="spinner")]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
