"""A long-running program to attach to: prints "ready", then two threads crunch numbers in a
pure-Python loop for SECONDS (argv[1]) while, after a second, it starts a child Python (the same
interpreter) whose two threads crunch too. Prints a checksum that depends only on the work done
and exits with code 3, so a test can check it ran exactly as it does untraced."""
import subprocess
import sys
import threading
import time

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 4.0
CHILD = "import threading\ndef w():\n    t = 0\n    for i in range(3_000_000): t += i\nts = [threading.Thread(target=w) for _ in range(2)]\n[t.start() for t in ts]\n[t.join() for t in ts]\n"


def crunch(deadline, out, k):
    rounds = 0
    while time.monotonic() < deadline:
        total = 0
        for i in range(10_000):
            total += i * i
        rounds += 1
    out[k] = total


print("ready", flush=True)
deadline = time.monotonic() + SECONDS
results = [0, 0]
threads = [threading.Thread(target=crunch, args=(deadline, results, k), name=f"cruncher-{k}") for k in range(2)]
for thread in threads:
    thread.start()
time.sleep(1.0)
child = subprocess.run([sys.executable, "-c", CHILD])
for thread in threads:
    thread.join()
print("checksum", sum(results), "child", child.returncode, flush=True)
sys.exit(3)
