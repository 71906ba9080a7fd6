"""One thread cycles the GIL as fast as it can: each os.read of one byte from /dev/zero drops and
takes it, uncontended, with no other thread and no scheduler hand-off in the way, so what tracing
adds is the probes' own cost per GIL cycle. The thread pins itself to the last CPU, which kept
its runs close on this VM (function context's cost ratio 1.03-1.08 round to round, 12-04).
Called three frames deep (read_bytes ← loop ← <module>) so function context
fetches real callers. Prints its run time and CPU time, like pipe_pingpong.py."""
import os
import resource
import sys
import time

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})
zero = os.open("/dev/zero", os.O_RDONLY)


def read_bytes(n):
    for _ in range(n):
        os.read(zero, 1)


def loop():
    read_bytes(ROUNDS)


started = time.monotonic()
loop()
usage = resource.getrusage(resource.RUSAGE_SELF)
print(f"{time.monotonic() - started:.4f} {usage.ru_utime + usage.ru_stime:.4f}")
