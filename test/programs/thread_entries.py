"""Threads started four ways, alive for about four seconds: Thread(target=worker), a Thread
subclass (Poller), a bound method as target (Server().serve: on 3.12 it is called through an
entry frame, the interpreter's trampoline) and a pool's worker, each busy in short bursts, and the
main thread too. Prints "ready" once they are started. An attached giltrace names them by what
they were started to run."""
import concurrent.futures
import threading
import time


def busy():
    end = time.monotonic() + 4
    while time.monotonic() < end:
        sum(range(20000))
        time.sleep(0.001)


def worker():
    busy()


class Poller(threading.Thread):
    def run(self):
        busy()


class Server:
    def serve(self):
        busy()


threading.Thread(target=worker).start()
Poller().start()
threading.Thread(target=Server().serve).start()
pool = concurrent.futures.ThreadPoolExecutor(1)
pool.submit(busy)
print("ready", flush=True)
busy()
