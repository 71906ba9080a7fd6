"""A thread per task, as socketserver's ThreadingMixIn serves a request: the main thread starts a
thread for each task, at most WORKERS (first argument, default 4) at a time; each encodes some
JSON a few calls deep, sleeps 4 ms as if waiting on its client, and ends. Several hundred threads
start and end a second. Prints "ready" once the first have run; runs until killed."""
import json
import sys
import threading
import time

WORKERS = int(sys.argv[1]) if len(sys.argv) > 1 else 4
ROWS = [{"id": i, "name": "row %d" % i, "tags": ["a", "b", "c"]} for i in range(60)]
slots = threading.Semaphore(WORKERS)


def render():
    return json.dumps(ROWS)


def respond():
    body = render()
    time.sleep(0.004)
    return len(body)


def handle():
    try:
        respond()
    finally:
        slots.release()


started = 0
while True:
    slots.acquire()
    threading.Thread(target=handle, daemon=True).start()
    started += 1
    if started == 100:
        print("ready", flush=True)
