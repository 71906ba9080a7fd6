"""A scraper as people write them: 4 threads fetch pages over HTTP from a local server (stdlib
http.server, one thread per request) and parse them with html.parser. The fetching releases the
GIL; the parsing is pure Python and holds it, so the scrapers end up waiting for each other's
parsing. Runs about a second."""
import http.server
import threading
import urllib.request
from html.parser import HTMLParser

PAGE = ("<html><body>" + "".join(f'<div class="item"><a href="/p/{i}">item {i}</a><span>{i * 7}</span></div>' for i in range(400)) + "</body></html>").encode()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args):
        pass


class LinkCounter(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = 0

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links += 1


def scrape(base, pages):
    for _ in range(pages):
        with urllib.request.urlopen(base) as response:
            body = response.read().decode()
        parser = LinkCounter()
        parser.feed(body)
        assert parser.links == 400


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, name="server", daemon=True).start()
base = f"http://127.0.0.1:{server.server_address[1]}/"
scrapers = [threading.Thread(target=scrape, args=(base, 15), name=f"scraper-{i}") for i in range(4)]
for thread in scrapers:
    thread.start()
for thread in scrapers:
    thread.join()
server.shutdown()
