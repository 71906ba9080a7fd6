"""Where threads wait for the GIL, by line: a spinner holds the GIL (CPU-bound, switch interval
1 ms) while a waiter gives it up on two lines of waiter(): twice a round at WAIT_LINE_TWICE (a
0.2 ms sleep), once at WAIT_LINE_ONCE (os.stat). After each, the waiter waits for the spinner to
let the GIL go again, so two thirds of its waits begin at the first line and one third at the
second. It prints the two lines as JSON on its last line. test/e2e/wait-lines.test.ts checks the lines giltrace tells for the waits. Runs ~1 s."""
import json
import os
import sys
import threading
import time

ROUNDS = 300
done = False


def waiter():
    for _ in range(ROUNDS):
        for _ in range(2):
            time.sleep(0.0002)
        os.stat(".")


def spinner():
    while not done:
        sum(range(2000))


def line_of(code):
    with open(__file__) as source:
        return next(n for n, text in enumerate(source, 1) if text.strip() == code)


WAIT_LINE_TWICE = line_of('time.sleep(0.0002)')
WAIT_LINE_ONCE = line_of('os.stat(".")')
sys.setswitchinterval(0.001)
spin = threading.Thread(target=spinner)
spin.start()
wait = threading.Thread(target=waiter)
wait.start()
wait.join()
done = True
spin.join()
print(json.dumps({"twice_line": WAIT_LINE_TWICE, "once_line": WAIT_LINE_ONCE, "rounds": ROUNDS}))
