"""Two threads handing work back and forth through threading.Event, 20 000 rounds: each holds
the GIL ~10 µs at a time and is asleep in its next wait a moment later (a request/response pair
of threads). Written for the sampled mode's holds shorter than a look (12-06)."""
import threading

a, b = threading.Event(), threading.Event()
ROUNDS = 20_000


def ping():
    for _ in range(ROUNDS):
        a.set()
        b.wait()
        b.clear()


def pong():
    for _ in range(ROUNDS):
        a.wait()
        a.clear()
        b.set()


threads = [threading.Thread(target=ping, name="ping"), threading.Thread(target=pong, name="pong")]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
