"""Two threads ping-pong single bytes through pipes: every os.read/os.write releases and takes the
GIL, so GIL cycles happen as fast as the kernel passes bytes (~100-200 k per second here).
Prints its own run time in seconds (time.monotonic), the figure the overhead bench compares."""
import os
import sys
import threading
import time

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
to_pong_r, to_pong_w = os.pipe()
to_ping_r, to_ping_w = os.pipe()


def ping():
    for _ in range(ROUNDS):
        os.write(to_pong_w, b"x")
        os.read(to_ping_r, 1)


def pong():
    for _ in range(ROUNDS):
        os.read(to_pong_r, 1)
        os.write(to_ping_w, b"y")


started = time.monotonic()
threads = [threading.Thread(target=ping, name="ping"), threading.Thread(target=pong, name="pong")]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(f"{time.monotonic() - started:.4f}")
