"""Where Python code runs besides plain functions: a lambda called from C (map), a generator
consumed by C (sum), and a coroutine run by asyncio, each on its own thread, CPU-bound, so the
switch interval catches each of them holding the GIL while the others wait."""
import asyncio
import threading


def lambdas():
    for _ in range(8):
        list(map(lambda x: x * x + 1, range(200_000)))


def squares(n):
    for i in range(n):
        yield i * i


def generators():
    for _ in range(8):
        sum(squares(200_000))


async def crunch():
    total = 0
    for i in range(1_500_000):
        total += i
    return total


def coroutines():
    asyncio.run(crunch())


threads = [threading.Thread(target=f) for f in (lambdas, generators, coroutines)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
