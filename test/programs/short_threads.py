"""A thread per request, as a threading server runs them: a new thread every ~5 ms, each living
~20 ms (a little Python, then a 15 ms wait as for I/O; the second argument, ms, for another),
several at a time, for the number of seconds given (default 5). Prints "ready" once the first
has started. An attached giltrace names them by the function they were started to run (handle)
before they end."""
import sys
import threading
import time


WAIT = (float(sys.argv[2]) if len(sys.argv) > 2 else 15) / 1000


def handle():
    sum(range(5000))
    time.sleep(WAIT)
    sum(range(5000))


end = time.monotonic() + (float(sys.argv[1]) if len(sys.argv) > 1 else 5)
started = False
while time.monotonic() < end:
    threading.Thread(target=handle).start()
    if not started:
        print("ready", flush=True)
        started = True
    time.sleep(0.005)
