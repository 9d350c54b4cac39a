"""The ceilings: hello-world apps that write the app's access-log line, nothing more.

``python bench/bottle_hello.py`` serves ``application`` (a bare Bottle hello) and
``python bench/bottle_hello.py floor`` serves ``floor`` (a plain WSGI callable, no framework), both
under the production server's exact settings (``app.server.build_server``): the gap between them
and the app is the app's own work, and the gap between them and Go is the server's and the log's.
"""

import sys
import time
from pathlib import Path

import bottle

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.config import load_settings  # noqa: E402
from app.logs import AccessLogger  # noqa: E402

hello = bottle.Bottle()
access_log = AccessLogger("bench")
HELLO = b"Hello, World!"


@hello.get("/")
def index():
    return HELLO


def application(environ, start_response):
    """Bottle, plus one JSON line per request (as every server in the benchmark writes)."""
    started = time.perf_counter()
    try:
        return hello(environ, start_response)
    finally:
        access_log.log(environ["REQUEST_METHOD"], environ["PATH_INFO"], 200, (time.perf_counter() - started) * 1e3, "-")


def floor(environ, start_response):
    """No framework: the answer and the log line only."""
    started = time.perf_counter()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(HELLO)))])
    access_log.log(environ["REQUEST_METHOD"], environ["PATH_INFO"], 200, (time.perf_counter() - started) * 1e3, "-")
    return [HELLO]


if __name__ == "__main__":
    from app.server import build_server  # pylint: disable=import-outside-toplevel

    name = sys.argv[1] if len(sys.argv) > 1 else "application"
    build_server(load_settings(), target=f"bottle_hello:{name}").serve()
