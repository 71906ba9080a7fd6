"""The classic: two CPU-bound threads. Under the GIL they take turns, so together they take as
long as running one after the other — each waits about half of its life."""
import threading
import time


def some_computation():
    total = 0
    for i in range(5_000_000):
        total += i
    return total


def main():
    threads = [threading.Thread(target=some_computation) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main()
