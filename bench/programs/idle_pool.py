"""A pool of idle threads beside busy ones, for the sampler's CPU bench: N threads (first
argument, default 98) that wake five times a second and sleep again, and two that crunch numbers
for ever (a second argument of 0: none). Prints "ready" once all run; runs until killed."""
import sys
import threading
import time

SLEEPERS = int(sys.argv[1]) if len(sys.argv) > 1 else 98
CRUNCHERS = int(sys.argv[2]) if len(sys.argv) > 2 else 2


def sleeper():
    while True:
        time.sleep(0.2)


def cruncher():
    total = 0
    while True:
        total += 1


for _ in range(SLEEPERS):
    threading.Thread(target=sleeper, daemon=True).start()
for _ in range(CRUNCHERS):
    threading.Thread(target=cruncher, daemon=True).start()
print("ready", flush=True)
threading.Event().wait()
