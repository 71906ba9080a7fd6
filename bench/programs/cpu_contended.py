"""Four CPU-bound threads under a 10 µs switch interval: forced GIL hand-offs as often as the
eval loop allows. Prints its own run time in seconds (time.monotonic)."""
import sys
import threading
import time

sys.setswitchinterval(1e-5)
CALLS = int(sys.argv[1]) if len(sys.argv) > 1 else 20


def hot(n):
    total = 0
    for i in range(n):
        total += i
    return total


def work():
    for _ in range(CALLS):
        hot(200_000)


started = time.monotonic()
threads = [threading.Thread(target=work, name=f"worker-{i}") for i in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(f"{time.monotonic() - started:.4f}")
