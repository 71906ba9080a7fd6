"""C code that never releases the GIL: 8 threads parse a 7.7 MB JSON document with json.loads,
whose C decoder keeps the GIL for the whole call (~70 ms here), so the switch interval cannot
hand it over and each waiter waits for whole parses."""
import json
import threading

DOCUMENT = json.dumps({"items": [{"id": i, "name": f"item {i}", "tags": ["a", "b", "c"], "price": i * 0.5} for i in range(100_000)]})


def parse_catalog():
    for _ in range(2):
        json.loads(DOCUMENT)


threads = [threading.Thread(target=parse_catalog, name=f"parser-{i}") for i in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
