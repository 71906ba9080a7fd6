"""Prints which sitecustomize Python loaded (run with a user's sitecustomize on PYTHONPATH), then
runs two threads."""
import os
import sys
import threading

module = sys.modules.get("sitecustomize")
print("sitecustomize:", module and os.path.basename(os.path.dirname(module.__file__)), getattr(module, "VALUE", None))
threads = [threading.Thread(target=lambda: sum(range(300000)), name="t%d" % i) for i in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("done")
