"""A holder that keeps the GIL asleep 100 ms at a time (ctypes.PyDLL's usleep keeps it), then
idles 100 ms without it, five times, beside a spinner that wants the GIL all the time: in the
sampled mode the holder, asleep and unchanged for a hundred looks, is an idle thread looked at
in turn, and its release must still be seen at once (test/e2e/sampled.test.ts)."""
import ctypes
import threading

libc = ctypes.PyDLL(None)
stop = False


def holder():
    for _ in range(5):
        libc.usleep(100_000)
        threading.Event().wait(0.1)


def spinner():
    while not stop:
        pass


spinning = threading.Thread(target=spinner, name="spinner")
spinning.start()
holding = threading.Thread(target=holder, name="holder")
holding.start()
holding.join()
stop = True
spinning.join()
