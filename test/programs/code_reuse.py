"""Code made at run time, used once and freed: each round compiles a function of its own name in a
file of its own name, calls it (it lets the GIL go in two sleeps) and drops it, so the next round's
code objects are often made where the last round's were. Even rounds last ~1 ms (their code is
gone before giltrace can read it: never to be named after another's), odd ones ~30 ms (read while
they run). Prints each call as a JSON line [tid, start, end, name] (CLOCK_MONOTONIC ns, the
recording's clock)."""
import json
import sys
import threading
import time

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 100


def gettid():
    return threading.get_native_id() if hasattr(threading, "get_native_id") else 0


def main():
    tid = gettid()
    log = []
    for i in range(ROUNDS):
        name = "f_%d" % i
        source = "def %s(pause):\n    time.sleep(0.0005)\n    time.sleep(pause)\n" % name
        scope = {"time": time}
        exec(compile(source, "<round %d>" % i, "exec"), scope)
        start = time.monotonic_ns()
        scope[name](0.0005 if i % 2 == 0 else 0.03)
        end = time.monotonic_ns()
        log.append([tid, start, end, name])
        del scope
    for entry in log:
        print(json.dumps(entry))


main()
