"""Function names beyond ASCII, as Python allows them: Latin-1 (café), UCS-2 (計算) and a
method of a class with a non-ASCII name. Each thread spins long enough to be caught by the
switch interval while the other waits, so each function holds the GIL while another waits."""
import threading


def café():
    total = 0
    for i in range(3_000_000):
        total += i


def 計算():
    total = 0
    for i in range(3_000_000):
        total += i


class Ünïcode:
    def méthode(self):
        計算()


threads = [threading.Thread(target=café), threading.Thread(target=Ünïcode().méthode)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
