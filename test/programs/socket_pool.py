"""A thread pool parsing JSON and passing bytes through a socket pair to an echo thread, under a
lock: threads ask for a free GIL a few µs apart all the time, and the one that asks second often
takes it first (the first, trapped by the probe or preempted, finds it taken)."""
import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

DOC = json.dumps({"items": [{"id": i, "name": "x" * 20, "tags": list(range(10))} for i in range(200)]})
ours, theirs = socket.socketpair()


def echo():
    while True:
        data = theirs.recv(65536)
        if not data:
            break
        theirs.sendall(data)


threading.Thread(target=echo, daemon=True, name="echo").start()
lock = threading.Lock()


def task(_):
    json.loads(DOC)
    with lock:
        ours.sendall(b"x" * 1000)
        received = 0
        while received < 1000:
            received += len(ours.recv(65536))
    time.sleep(0.0005)


with ThreadPoolExecutor(8) as pool:
    list(pool.map(task, range(3000)))
