"""Ground truth for "releases the GIL": hashlib drops the GIL while hashing big buffers, so two
hashing threads barely wait for it."""
import hashlib
import threading

data = b"x" * (64 * 1024 * 1024)


def work():
    for _ in range(5):
        hashlib.sha256(data).hexdigest()


threads = [threading.Thread(target=work, name=f"hasher-{i}") for i in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
