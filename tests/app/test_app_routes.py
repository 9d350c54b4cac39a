"""Routes, content negotiation, headers and JSON error answers, through the full WSGI app."""

from __future__ import annotations

import re

import bottle
import pytest
import webtest

from app.config import Settings
from app.logs import AccessLogger
from app.web import RequestLogMiddleware, build_bottle, constant_answers, prefers_plain


def test_index_html_by_default(client):
    resp = client.get("/")
    assert resp.status_int == 200
    assert resp.content_type == "text/html"
    assert resp.charset.lower() == "utf-8"
    assert "<h1>Success!</h1>" in resp.text
    assert "<strong>1.2.3</strong>" in resp.text
    assert "abc1234" in resp.text
    assert resp.headers["Vary"] == "Accept"


def test_index_plain_text_when_asked(client):
    resp = client.get("/", headers={"Accept": "text/plain"})
    assert resp.status_int == 200
    assert resp.content_type == "text/plain"
    assert resp.text == "Success! version=1.2.3\n"
    assert resp.headers["Content-Length"] == str(len(resp.body))
    assert resp.headers["Vary"] == "Accept"


def test_index_escapes_version_in_html(make_client):
    resp = make_client(app_version="<script>x</script>").get("/")
    assert "<script>x</script>" not in resp.text
    assert "&lt;script&gt;x&lt;/script&gt;" in resp.text


def test_head_index_has_headers_but_no_body(client):
    resp = client.head("/", headers={"Accept": "text/plain"})
    assert resp.status_int == 200
    assert resp.body == b""
    assert resp.headers["Content-Length"] == str(len("Success! version=1.2.3\n"))
    assert resp.headers["X-Request-Id"]


@pytest.mark.parametrize(
    ("accept", "plain"),
    [
        ("text/plain", True),
        ("text/plain; charset=utf-8", True),
        ("TEXT/PLAIN", True),
        ("text/html", False),
        ("", False),
        ("*/*", False),
        ("application/json", False),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", False),  # a browser
        ("text/plain;q=0.5, text/html;q=0.9", False),
        ("text/html;q=0.4, text/plain;q=0.9", True),
        ("text/plain, */*;q=0.1", True),
        ("text/*, text/html;q=0.2", True),  # text/plain matches text/* at q=1
        ("text/plain;q=0, */*", False),
        ("text/plain;q=bogus", False),
    ],
)
def test_prefers_plain(accept, plain):
    assert prefers_plain(accept) is plain


def test_health(client):
    resp = client.get("/health")
    assert resp.status_int == 200
    assert resp.content_type == "application/json"
    assert resp.json == {"status": "ok"}
    assert resp.headers["Cache-Control"] == "no-store"


def test_version_without_ecs_metadata(client):
    resp = client.get("/version")
    assert resp.status_int == 200
    assert resp.content_type == "application/json"
    assert resp.json == {
        "version": "1.2.3",
        "git_commit": "abc1234",
        "build_time": "2024-05-01T12:00:00Z",
        "task_id": None,
        "availability_zone": None,
    }


def test_not_found_is_json(client):
    resp = client.get("/nope?token=secret", status=404)
    assert resp.content_type == "application/json"
    assert resp.json == {"error": "Not Found", "status": 404, "path": "/nope"}
    assert resp.headers["X-Request-Id"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_method_not_allowed_is_json(client, method):
    resp = client.request("/health", method=method, status=405)
    assert resp.content_type == "application/json"
    doc = resp.json
    assert doc["error"] == "Method Not Allowed"
    assert doc["status"] == 405
    assert doc["method"] == method
    assert "GET" in doc["allowed"]
    assert "GET" in resp.headers["Allow"]


def test_unhandled_error_is_json_500_and_logged(log_writer, caplog):
    settings = Settings(app_version="9.9.9")
    app = build_bottle(settings)

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    client = webtest.TestApp(RequestLogMiddleware(app, AccessLogger("9.9.9", writer=log_writer)))
    with caplog.at_level("ERROR", logger="app"):
        resp = client.get("/boom", status=500)
    assert resp.content_type == "application/json"
    assert resp.json == {"error": "Internal Server Error", "status": 500}
    assert "kaboom" not in resp.text
    assert any("unhandled error on GET /boom" in rec.getMessage() for rec in caplog.records)
    assert caplog.records[-1].exc_info is not None
    assert log_writer.records()[-1]["status"] == 500


def test_request_id_generated_and_unique(client):
    first = client.get("/health").headers["X-Request-Id"]
    second = client.get("/health").headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{12}-[0-9a-f]{8}", first)
    assert first != second


def test_request_id_taken_from_x_request_id(client):
    resp = client.get("/health", headers={"X-Request-Id": "client-id-42"})
    assert resp.headers["X-Request-Id"] == "client-id-42"


def test_amzn_trace_id_wins_over_x_request_id(client):
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
    resp = client.get("/health", headers={"X-Amzn-Trace-Id": trace, "X-Request-Id": "other"})
    assert resp.headers["X-Request-Id"] == trace


@pytest.mark.parametrize("bad", ["has space", "x" * 201, 'quote"d', "semi<colon>"])
def test_unsafe_request_id_is_replaced(client, bad):
    resp = client.get("/health", headers={"X-Request-Id": bad})
    assert resp.headers["X-Request-Id"] != bad
    assert re.fullmatch(r"[0-9a-f]{12}-[0-9a-f]{8}", resp.headers["X-Request-Id"])


def test_test_slow_route_is_off_by_default(client):
    client.get("/__test/slow", status=404)


def test_test_slow_route_when_enabled(make_client):
    resp = make_client(test_slow_ms=20).get("/__test/slow")
    assert resp.json == {"slept_ms": 20}


def test_no_bottle_default_app_pollution():
    """The app builds its own Bottle instance; the module-level default app stays empty."""
    build_bottle(Settings())
    assert not bottle.default_app().routes


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("path", ["/", "/health"])
@pytest.mark.parametrize("accept", ["text/plain", "text/html", "", "text/*;q=0.5, text/plain;q=0.4"])
def test_replayed_answer_is_bottles_own(make_client, method, path, accept):
    settings = Settings(app_version="1.2.3", git_commit="abc1234")
    bottle_only = webtest.TestApp(build_bottle(settings))
    expected = bottle_only.request(path, method=method, headers={"Accept": accept})
    resp = make_client().request(path + "?q=1", method=method, headers={"Accept": accept, "X-Request-Id": "r-1"})
    assert resp.status == expected.status
    assert resp.headerlist == [*expected.headerlist, ("X-Request-Id", "r-1")]
    assert resp.body == expected.body


def test_constant_routes_do_not_run_bottle_per_request(log_writer):
    routes = build_bottle(Settings(app_version="1.2.3"))
    calls = []

    def counting(environ, start_response):
        calls.append(environ["PATH_INFO"])
        return routes(environ, start_response)

    middleware = RequestLogMiddleware(counting, AccessLogger("1.2.3", writer=log_writer), constant_answers(routes))
    assert len(calls) == 0  # the answers were taken from `routes` itself, at start-up
    client = webtest.TestApp(middleware)
    assert client.get("/", headers={"Accept": "text/plain"}).text == "Success! version=1.2.3\n"
    assert client.head("/health").headers["Content-Type"] == "application/json"
    assert calls == []
    client.get("/version")
    client.post("/", status=405)
    client.get("/health", extra_environ={"SCRIPT_NAME": "/mounted"})
    assert calls == ["/version", "/", "/health"]  # anything else still goes through Bottle
    assert [rec["status"] for rec in log_writer.records()] == [200, 200, 200, 405, 200]
    assert log_writer.records()[-1]["path"] == "/mounted/health"
