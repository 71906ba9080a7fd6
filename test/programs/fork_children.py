"""Children made by fork, which run no sitecustomize: a thread named "forker" forks one with
os.fork(), and the main thread starts a multiprocessing Process with the fork start method; each
child spins a while (holding its own GIL) and prints what it computed. The parent prints the
children's exit codes. With "show-thread" as argument each child also prints the name its
threading module gives its thread (giltrace's at-fork handler must not change it)."""
import multiprocessing
import warnings
import os
import sys
import threading

SHOW = "show-thread" in sys.argv
# 3.12+ warns that forking a threaded process may deadlock, with its pid: a traced and an untraced
# run would differ by it
warnings.filterwarnings("ignore", "This process", DeprecationWarning)


def spin(n):
    total = 0
    for i in range(n):
        total += i
    return total


def child(label):
    print(label, spin(6_000_000), threading.current_thread().name if SHOW else "")
    sys.stdout.flush()


def forker():
    pid = os.fork()
    if pid == 0:
        child("os.fork child")
        os._exit(0)
    print("os.fork child exited", os.waitpid(pid, 0)[1])


thread = threading.Thread(target=forker, name="forker")
thread.start()
thread.join()
process = multiprocessing.get_context("fork").Process(target=child, args=("multiprocessing child",))
process.start()
process.join()
print("multiprocessing child exited", process.exitcode)
