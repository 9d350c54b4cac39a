"""The bare-Bottle ceiling: a hello-world Bottle app that writes the app's access-log line, nothing more.

``python bench/bottle_hello.py`` serves it under the production server's exact settings
(``app.server.build_server``), so the gap between it and the app is the app's own work.
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


@hello.get("/")
def index():
    return b"Hello, World!"


def application(environ, start_response):
    """Bottle, plus one JSON line per request (as every server in the benchmark writes)."""
    started = time.perf_counter()
    try:
        return hello(environ, start_response)
    finally:
        access_log.log(environ["REQUEST_METHOD"], environ["PATH_INFO"], 200, (time.perf_counter() - started) * 1e3, "-")


if __name__ == "__main__":
    from app.server import build_server  # pylint: disable=import-outside-toplevel

    build_server(load_settings(), target="bottle_hello:application").serve()
