"""The same CPU-bound work, split over N threads (N from the command line, default 4): what
`giltrace diff` compares. Each thread runs the pure-Python `crunch` loop on its share, so with
one GIL the total stays about the same while every added thread mostly waits: one thread
waits for nobody, four wait about three quarters of their time, and `crunch` is what they wait
for in every run."""
import sys
import threading

TOTAL_ITERATIONS = 4_000_000


def crunch(iterations):
    total = 0
    for i in range(iterations):
        total += i * i
    return total


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    share = TOTAL_ITERATIONS // count
    threads = [threading.Thread(target=crunch, args=(share,)) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main()
