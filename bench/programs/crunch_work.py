"""A contended CPU-bound program with a fixed amount of work: four threads each add up the same
range in pure Python, so they fight for the GIL (at the default switch interval) until all are
done. Prints its own run time in seconds (time.monotonic) and the CPU time it used, like
pipe_pingpong.py, for the sampling overhead bench to compare untraced and sampled runs. A second
argument sets the switch interval (the per4m comparison uses 1e-5: hand-offs every 10 µs)."""
import resource
import sys
import threading
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 3_000_000
if len(sys.argv) > 2:
    sys.setswitchinterval(float(sys.argv[2]))


def crunch():
    total = 0
    for i in range(N):
        total += i
    return total


started = time.monotonic()
threads = [threading.Thread(target=crunch, name=f"cruncher-{k}") for k in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
usage = resource.getrusage(resource.RUSAGE_SELF)
print(f"{time.monotonic() - started:.6f} {usage.ru_utime + usage.ru_stime:.6f}")
