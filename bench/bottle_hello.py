"""The ceilings: hello-world apps that write the app's access-log line, nothing more.

``python bench/bottle_hello.py`` serves ``application`` (a bare Bottle hello) and
``python bench/bottle_hello.py floor`` serves ``floor`` (a plain WSGI callable, no framework), both
under the production server's exact settings (``app.server.build_server``): the gap between them
and the app is the app's own work, and the gap between them and Go is the server's and the log's.

``python bench/bottle_hello.py floor_db`` serves ``floor_db``: the app's ``GET /notes`` query and JSON through a
bare ``psycopg_pool`` pool of the same size (one connection per server thread, ``DB_*`` settings), no framework:
the floor of the database route.
"""

import json
import sys
import threading
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


_POOL = []
_POOL_LOCK = threading.Lock()
NOTES_SQL = "SELECT id, text, created_at FROM notes ORDER BY id DESC LIMIT %s"


def _pool():
    """Made on first use, in the worker process (a pool's threads do not survive a fork)."""
    with _POOL_LOCK:
        if not _POOL:
            from psycopg_pool import ConnectionPool  # pylint: disable=import-outside-toplevel

            settings = load_settings()
            db = settings.database
            kwargs = {"host": db.host, "port": db.port, "dbname": db.name, "user": db.user, "password": db.password}
            kwargs |= {"sslmode": db.sslmode, "sslrootcert": db.sslrootcert, "autocommit": True}
            kwargs["options"] = "-c TimeZone=UTC"
            _POOL.append(ConnectionPool(kwargs=kwargs, min_size=settings.threads, max_size=settings.threads))
        return _POOL[0]


def floor_db(environ, start_response):
    """The notes query and its JSON through a bare pool, plus the log line."""
    started = time.perf_counter()
    with _pool().connection() as conn:
        rows = conn.execute(NOTES_SQL, (10,)).fetchall()
    notes = [{"id": i, "text": t, "created_at": c.isoformat(timespec="milliseconds")[:-6] + "Z"} for i, t, c in rows]
    body = json.dumps({"notes": notes}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    access_log.log(environ["REQUEST_METHOD"], environ["PATH_INFO"], 200, (time.perf_counter() - started) * 1e3, "-")
    return [body]


if __name__ == "__main__":
    from app.server import build_server  # pylint: disable=import-outside-toplevel

    name = sys.argv[1] if len(sys.argv) > 1 else "application"
    build_server(load_settings(), target=f"bottle_hello:{name}").serve()
