"""Two threads, each running a CPU-bound loop for 2 s inside a subinterpreter of its own: on 3.12+
each subinterpreter has its own GIL, so the threads never wait for each other."""
import sys, threading
try:
    import _interpreters as interpreters
    def run(i, code): interpreters.exec(i, code)
except ImportError:
    import _xxsubinterpreters as interpreters
    def run(i, code): interpreters.run_string(i, code)
CODE = "import time\nend = time.monotonic() + 2.0\nn = 0\nwhile time.monotonic() < end:\n    n += 1\n"
ids = [interpreters.create() for _ in range(2)]
threads = [threading.Thread(target=run, args=(i, CODE), name=f"sub-{k}") for k, i in enumerate(ids)]
for t in threads: t.start()
for t in threads: t.join()
for i in ids: interpreters.destroy(i)
print("ok")
