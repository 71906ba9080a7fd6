"""Code of the program whose name is in angle brackets: the script's top level (<module>) runs
a CPU-bound loop while a thread runs a <lambda> (its list comprehension is a <listcomp> of its
own to 3.11) that holds the GIL as long; each waits while the other holds it.
test/e2e/function-context.test.ts checks that the verdict names them, as any function. It
prints its top-level loop's line as JSON on its last line. Runs ~1 s. The comprehension keeps
nothing (its condition is never true): a list of 1.5 M squares took 55 ms to free on a loaded
machine, in C code that keeps the GIL, and the verdict then rightly named that (gil-held-long)."""
import json
import threading

worker = threading.Thread(target=lambda: [i for i in range(1_500_000) if i * i < 0], name="lambda-worker")
worker.start()
total = 0
for i in range(3_000_000):
    total += i
worker.join()
with open(__file__) as source:
    print(json.dumps({"loop_line": next(n for n, text in enumerate(source, 1) if text.strip() == "total += i")}))
