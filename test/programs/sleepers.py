"""Ground truth for voluntary releases: sleeping threads hold nothing and wait for nothing."""
import threading
import time


def nap():
    for _ in range(5):
        time.sleep(0.04)


threads = [threading.Thread(target=nap, name=f"sleeper-{i}") for i in range(3)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
