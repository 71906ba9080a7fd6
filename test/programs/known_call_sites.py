"""Independent reading of where threads are: each call site logs its own function name
(sys._getframe) with time.monotonic_ns() around a time.sleep(), which releases and retakes the
GIL there. Prints the log as JSON lines: [native thread id, start ns, end ns, name]."""
import json
import sys
import threading
import time

log = []
lock = threading.Lock()


def here():
    code = sys._getframe(1).f_code
    return getattr(code, "co_qualname", code.co_name)


def alpha():
    start = time.monotonic_ns()
    time.sleep(0.002)
    end = time.monotonic_ns()
    with lock:
        log.append([threading.get_native_id(), start, end, here()])


class Beta:
    def gamma(self):
        start = time.monotonic_ns()
        time.sleep(0.003)
        end = time.monotonic_ns()
        with lock:
            log.append([threading.get_native_id(), start, end, here()])


def worker():
    for _ in range(10):
        alpha()
        Beta().gamma()


threads = [threading.Thread(target=worker) for _ in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
for entry in log:
    sys.stdout.write(json.dumps(entry) + "\n")
