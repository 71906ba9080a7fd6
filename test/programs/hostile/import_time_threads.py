"""Threads started at import time: by this main module's top-level code, and by a module it
imports (which starts and joins a thread that itself imports a module, while the import of
starts_threads_on_import is still running)."""
import threading

results = []
early = threading.Thread(target=lambda: results.append(sum(range(300000))), name="main-module-import-time")
early.start()

import starts_threads_on_import  # noqa: E402

early.join()
print(results, starts_threads_on_import.RESULT)
