"""Two threads ping-pong single bytes through pipes: every os.read/os.write releases and takes the
GIL, so GIL cycles happen as fast as the kernel passes bytes (~100-200 k per second here).
Prints its own run time in seconds (time.monotonic) and the CPU time it used (user + system:
uprobe handlers run in the traced threads and count as their system time), which the overhead
bench compares: it moves far less with the machine's scheduling than the wall time does."""
import os
import resource
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
usage = resource.getrusage(resource.RUSAGE_SELF)
print(f"{time.monotonic() - started:.4f} {usage.ru_utime + usage.ru_stime:.4f}")
