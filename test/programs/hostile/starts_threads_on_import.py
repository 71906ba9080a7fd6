"""Imported by import_time_threads.py: starts and joins a thread while being imported."""
import threading

RESULT = []


def work():
    import json  # an import from another thread while this module's import is under way

    RESULT.append(json.dumps(sum(range(300000))))


worker = threading.Thread(target=work, name="imported-module-import-time")
worker.start()
worker.join()
