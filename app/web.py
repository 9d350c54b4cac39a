"""The Bottle application: routes, JSON errors and the access-log middleware."""

from __future__ import annotations

import functools
import html
import io
import itertools
import json
import logging
import os
import re
import time

import bottle

from app import notes, upstream
from app.config import Settings
from app.logs import AccessLogger
from app.metadata import TaskMetadata

LOG = logging.getLogger("app")
JSON_TYPE = "application/json"
_REQUEST_ID_OK = re.compile(r"[A-Za-z0-9=;:._/+-]{1,200}").fullmatch
_STATUS_PHRASES = {
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
    502: "Bad Gateway",  # an upstream (app/upstream.py) cannot be reached
    503: "Service Unavailable",
}
RETRY_AFTER = "2"  # seconds, on a 503 from the database: the pool reconnects in the background meanwhile


class ApiError(bottle.HTTPError):
    """An error answer whose ``detail`` (safe to show) goes into the JSON body."""

    def __init__(self, status: int, detail: str, **headers) -> None:
        super().__init__(status, detail, **headers)
        self.detail = detail


PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Success!</title>
<style>body{{font-family:system-ui,sans-serif;margin:3rem auto;max-width:40rem;text-align:center}}</style></head>
<body><h1>Success!</h1><p>Answered by version <strong>{version}</strong> (commit {commit}).</p></body>
</html>
"""


def _quality(ranges: dict[str, float], media_type: str) -> float:
    for key in (media_type, media_type.split("/")[0] + "/*", "*/*"):
        if key in ranges:
            return ranges[key]
    return 0.0


@functools.lru_cache(maxsize=256)
def prefers_plain(accept: str) -> bool:
    """True when the Accept header ranks text/plain above text/html (most specific range wins)."""
    ranges: dict[str, float] = {}
    for item in accept.split(","):
        kind, _sep, params = item.partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _sep, val = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(val)
                except ValueError:
                    quality = 0.0
        ranges[kind.strip().lower()] = quality
    return _quality(ranges, "text/plain") > _quality(ranges, "text/html")


def _json_error(res: bottle.HTTPError) -> str:
    bottle.response.content_type = JSON_TYPE
    bottle.response.set_header("Cache-Control", "no-store")
    code = res.status_code
    doc = {"error": _STATUS_PHRASES.get(code, res.status_line[4:]), "status": code}
    if isinstance(res, ApiError):
        doc["detail"] = res.detail
    if code == 404:
        doc["path"] = bottle.request.path
    elif code == 405:
        doc["method"] = bottle.request.method
        doc["allowed"] = [m.strip() for m in res.get_header("Allow", "").split(",") if m.strip()]
    return json.dumps(doc)


def _log_errors(callback):
    """Bottle plugin: log an unhandled error as one JSON line, then answer 500."""

    @functools.wraps(callback)
    def wrapper(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except bottle.HTTPResponse:
            raise
        except Exception as exc:  # pylint: disable=broad-exception-caught
            req = bottle.request
            LOG.exception(
                "unhandled error on %s %s (request_id %s)", req.method, req.path, req.environ.get("app.request_id")
            )
            raise bottle.HTTPError(500, "Internal Server Error") from exc

    return wrapper


def _json(doc, status: int = 200) -> str:
    bottle.response.status = status
    bottle.response.content_type = JSON_TYPE
    bottle.response.set_header("Cache-Control", "no-store")
    return json.dumps(doc)


def _call(database, method, *args):
    """A database call; 503 JSON when there is no database or it does not answer."""
    if database is None:
        raise ApiError(503, "database not configured")
    from app.db import Unavailable  # pylint: disable=import-outside-toplevel  # psycopg only with a database

    try:
        return getattr(database, method)(*args)
    except Unavailable as exc:
        LOG.warning("%s (request_id %s)", exc, bottle.request.environ.get("app.request_id"))
        raise ApiError(503, "database unavailable", Retry_After=RETRY_AFTER) from exc


def _validated(parse, *args):
    try:
        return parse(*args)
    except notes.Invalid as exc:
        raise ApiError(exc.status, str(exc)) from None


def add_notes_routes(app: bottle.Bottle, database) -> None:
    """POST /notes, GET /notes (newest first), GET /notes/<id>; 503 JSON without a database."""

    @app.post("/notes")
    def create_note():
        if database is None:
            raise ApiError(503, "database not configured")
        req = bottle.request
        if not notes.is_json(req.content_type):
            raise ApiError(415, "Content-Type must be application/json")
        if req.content_length > notes.MAX_BODY:
            raise ApiError(413, f"the request body is larger than {notes.MAX_BODY} bytes")
        text = _validated(notes.parse_note, req.body.read(notes.MAX_BODY + 1))
        note = _call(database, "add_note", text)
        bottle.response.set_header("Location", f"/notes/{note['id']}")
        return _json(note, 201)

    @app.get("/notes")
    def list_notes():
        if database is None:
            raise ApiError(503, "database not configured")
        limit = _validated(notes.parse_limit, bottle.request.query.get("limit"))
        return _json({"notes": _call(database, "list_notes", limit)})

    @app.get("/notes/<note_id:int>")
    def get_note(note_id):
        note = _call(database, "get_note", note_id)
        if note is None:
            raise ApiError(404, f"no note {note_id}")
        return _json(note)


def add_upstream_routes(app: bottle.Bottle, upstreams) -> None:
    """GET /upstream/<name>: the JSON of <name>'s /version, reached through service discovery (app/upstream.py)."""

    @app.get("/upstream/<name>")
    def upstream_route(name):
        if upstreams is None or name not in upstreams.names:
            configured = sorted(upstreams.names) if upstreams else []
            raise ApiError(404, f"no upstream {name!r} is configured (UPSTREAM_* variables: {configured})")
        try:
            address, status, body = upstreams.get(name, "/version")
        except upstream.UpstreamError as exc:
            raise ApiError(502, str(exc)) from None
        return _json(
            {"upstream": name, "name": upstreams.names[name], "address": address, "status": status, "body": body}
        )


def build_bottle(
    settings: Settings, metadata: TaskMetadata | None = None, database=None, upstreams=None
) -> bottle.Bottle:
    """The routes, without the access-log middleware; ``database`` (app.db.Database) backs the notes,
    ``upstreams`` (app.upstream.Upstreams) the /upstream/<name> route."""
    app = bottle.Bottle()
    app.install(_log_errors)
    metadata = metadata or TaskMetadata(settings.metadata_uri, settings.metadata_timeout)
    # bodies are built once, as bytes (Bottle then skips the charset look-up per request)
    page = PAGE.format(version=html.escape(settings.app_version), commit=html.escape(settings.git_commit)).encode()
    plain = f"Success! version={settings.app_version}\n".encode()
    health = json.dumps({"status": "ok"}).encode()

    @app.get("/")
    def index():
        resp = bottle.response
        resp.set_header("Vary", "Accept")
        if prefers_plain(bottle.request.environ.get("HTTP_ACCEPT", "")[:1024]):  # bounded parse and cache
            resp.set_header("Content-Type", "text/plain; charset=utf-8")
            return plain
        resp.set_header("Content-Type", "text/html; charset=utf-8")
        return page

    @app.get("/health")
    def health_route():
        bottle.response.set_header("Content-Type", JSON_TYPE)
        bottle.response.set_header("Cache-Control", "no-store")
        if database is None:
            return health
        # 200 even when the database does not answer: every task shares it, so failing the load balancer's
        # check would have ECS replace all of them at once for an outage new tasks cannot fix. "ready" says
        # whether this task can serve everything (a release's validation can require it).
        ok = database.healthy()
        return json.dumps({"status": "ok", "database": "ok" if ok else "unavailable", "ready": ok})

    @app.get("/version")
    def version_route():
        bottle.response.content_type = JSON_TYPE
        bottle.response.set_header("Cache-Control", "no-store")
        doc = {"version": settings.app_version, "git_commit": settings.git_commit, "build_time": settings.build_time}
        doc.update(metadata.get())
        return json.dumps(doc)

    if settings.test_slow_ms > 0:

        @app.get("/__test/slow")
        def slow_route():
            time.sleep(settings.test_slow_ms / 1000.0)
            bottle.response.content_type = JSON_TYPE
            return json.dumps({"slept_ms": settings.test_slow_ms})

    add_notes_routes(app, database)
    add_upstream_routes(app, upstreams)
    for code in _STATUS_PHRASES:
        app.error(code)(_json_error)
    return app


# Routes whose answer depends only on the method, the path and the Accept preference: Bottle answers
# each variant once, at start-up, and the middleware replays that answer (Bottle's request handling
# was about half the CPU per request; see app/README.md).
CONSTANT_PATHS = ("/", "/health")


def _bottle_answer(app, method: str, path: str, accept: str) -> tuple[str, tuple, bytes]:
    """What Bottle answers to one request: (status, headers, body)."""
    seen = []
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "HTTP_ACCEPT": accept,
    }
    environ.update({"SERVER_NAME": "localhost", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1"})
    environ.update({"wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": io.StringIO()})
    body = b"".join(app(environ, lambda status, headers, exc_info=None: seen.append((status, tuple(headers)))))
    return (*seen[-1], body)


def constant_answers(app, paths=CONSTANT_PATHS) -> dict[tuple[str, str], tuple]:
    """(method, path) -> (HTML-preferred answer, plain-preferred answer), as Bottle gives them."""
    return {
        (method, path): tuple(_bottle_answer(app, method, path, accept) for accept in ("text/html", "text/plain"))
        for method in ("GET", "HEAD")
        for path in paths
    }


class RequestLogMiddleware:
    """Adds X-Request-Id and writes one access-log line per request; replays the constant answers."""

    def __init__(self, app, logger: AccessLogger, constant: dict | None = None) -> None:
        self.app = app
        self.logger = logger
        self.constant = constant or {}
        self._prefix = os.urandom(6).hex()
        self._counter = itertools.count(1)

    def new_request_id(self) -> str:
        return f"{self._prefix}-{next(self._counter):08x}"

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        method = environ.get("REQUEST_METHOD", "-")
        script = environ.get("SCRIPT_NAME", "")
        path = script + environ.get("PATH_INFO", "")
        rid = environ.get("HTTP_X_AMZN_TRACE_ID") or environ.get("HTTP_X_REQUEST_ID")
        if not rid or not _REQUEST_ID_OK(rid):
            rid = self.new_request_id()
        variants = None if script else self.constant.get((method, path))
        if variants is not None:
            status, headers, body = variants[prefers_plain(environ.get("HTTP_ACCEPT", "")[:1024])]
            start_response(status, [*headers, ("X-Request-Id", rid)])
            self.logger.log(method, path, int(status[:3]), (time.perf_counter() - started) * 1000.0, rid)
            return [body]
        return self._call_bottle(environ, start_response, started, method, path, rid)

    def _call_bottle(self, environ, start_response, started, method, path, rid):
        environ["app.request_id"] = rid
        seen = []

        def start(status, headers, exc_info=None):
            headers.append(("X-Request-Id", rid))
            seen.append(status)
            return start_response(status, headers, exc_info)

        try:
            return self.app(environ, start)
        finally:
            status = int(seen[-1][:3]) if seen else 500
            if not path.isascii():  # WSGI hands the raw bytes over as latin-1
                path = path.encode("latin-1", "replace").decode("utf-8", "replace")
            self.logger.log(method, path, status, (time.perf_counter() - started) * 1000.0, rid)


def open_database(settings: Settings):
    """The app.db.Database for settings.database, connecting in the background; None without DB_HOST."""
    if settings.database is None:
        return None
    from app.db import Database  # pylint: disable=import-outside-toplevel  # psycopg only with a database

    return Database(settings.database, settings.threads, f"app {settings.app_version}").open()


def create_app(
    settings: Settings, metadata: TaskMetadata | None = None, logger: AccessLogger | None = None, database=None
):
    """The WSGI application the server runs; ``database`` defaults to ``open_database(settings)``."""
    logger = logger or AccessLogger(settings.app_version, enabled=settings.access_log)
    database = database if database is not None else open_database(settings)
    names = upstream.from_environ(os.environ)
    routes = build_bottle(settings, metadata, database, upstream.Upstreams(names) if names else None)
    # with a database, /health says whether it answers: no longer the same bytes every time
    constant = CONSTANT_PATHS if database is None else tuple(p for p in CONSTANT_PATHS if p != "/health")
    return RequestLogMiddleware(routes, logger, constant_answers(routes, constant))
