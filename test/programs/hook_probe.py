"""What a program could notice of giltrace's Python hook: run traced and untraced, its stdout,
stderr and exit code must be the same (test/e2e/never-harm.test.ts, also with each step of the
hook failing on purpose). Threads: a target, a subclass overriding run, one that renames itself,
one started with _thread that asks for current_thread(), one that raises. Exits with 3.
`show-meta-path` as argument also prints sys.meta_path once threading is imported (the hook's
finder must be gone by then)."""
import sys

print("before threading: sitecustomize in sys.modules:", "sitecustomize" in sys.modules)
print("sys.path:", sys.path[1:])

import _thread
import threading
import traceback

if "show-meta-path" in sys.argv:
    print("sys.meta_path:", [type(finder).__name__ for finder in sys.meta_path])
print("imported modules of interest:", sorted(m for m in ("ctypes", "struct", "sitecustomize") if m in sys.modules))

seen = []


def spin(n):
    total = 0
    for i in range(n):
        total += i
    return total


def work(n):
    spin(n)
    seen.append((threading.current_thread().name, [frame[2] for frame in traceback.extract_stack()]))


class Worker(threading.Thread):
    def run(self):
        work(300000)


def rename_myself():
    threading.current_thread().name = "renamed-c"
    work(200000)


def fail():
    spin(10000)
    raise ValueError("on purpose, in a thread")


raw_done = threading.Lock()
raw_done.acquire()


def raw():
    spin(200000)
    seen.append(("raw: " + threading.current_thread().name, []))
    raw_done.release()


threads = [
    threading.Thread(target=work, args=(300000,), name="worker-a"),
    Worker(name="worker-b"),
    threading.Thread(target=rename_myself, name="to-rename"),
    threading.Thread(target=fail, name="failing"),
]
for thread in threads:
    thread.start()
_thread.start_new_thread(raw, ())
for thread in threads:
    thread.join()
raw_done.acquire()
for name, stack in sorted(seen):
    print(name, stack)
print("names:", sorted(thread.name for thread in threads), threading.main_thread().name)
sys.stdout.flush()
sys.exit(3)
