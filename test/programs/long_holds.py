"""A holder that keeps the GIL asleep (ctypes.PyDLL's usleep keeps it) 500 ms at a time, letting
go only for a moment, and a spinner that waits for it nearly all the time: attached to, the
spinner is most likely asleep in take_gil already, its wait begun before the probes
(test/e2e/attach.test.ts). Prints "ready" once both run; runs until killed."""
import ctypes
import threading
import time

libc = ctypes.PyDLL(None)


def holder():
    while True:
        libc.usleep(500_000)
        time.sleep(0.0001)


def spinner():
    total = 0
    while True:
        total += 1


threading.Thread(target=spinner, name="spinner", daemon=True).start()
threading.Thread(target=holder, name="holder", daemon=True).start()
print("ready", flush=True)
# the main thread stays out of the way (a third thread asking for the GIL makes who took it
# after a drop a guess for the take placement)
threading.Event().wait()
