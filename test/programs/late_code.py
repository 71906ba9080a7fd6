"""Code made at run time after a quiet stretch: two threads spin in code that exists from the
start for 1.5 s (exact tracing's pings to perf slow down once no new code object shows up for a
second), then the main thread execs a function, late_work in late_code.py, that sleeps three
times (each sleep lets the GIL go), and frees it at once. Its drops must still be named."""
import threading
import time


def spin(seconds):
    end = time.time() + seconds
    while time.time() < end:
        pass


other = threading.Thread(target=spin, args=(2.0,))
other.start()
spin(1.5)
namespace = {"time": time}
exec(compile("def late_work():\n    for _ in range(3):\n        time.sleep(0.0005)\n", "late_code.py", "exec"), namespace)
namespace["late_work"]()
del namespace
other.join()
