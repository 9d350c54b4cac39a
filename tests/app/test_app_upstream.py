"""GET /upstream/<name>: another service's /version, reached by its discovered name (app/upstream.py)."""

from __future__ import annotations

import http.server
import json
import threading

import pytest
import webtest

from app import upstream
from app.config import Settings
from app.web import build_bottle

FQDN = "api.prd.demo.internal"


class _Api(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        body = json.dumps({"version": "9.9.9"}).encode() if self.path == "/version" else b"plain"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def api():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield ("127.0.0.1", server.server_address[1])
    server.shutdown()
    server.server_close()


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def client(upstreams):
    return webtest.TestApp(build_bottle(Settings(), upstreams=upstreams))


def test_names_come_from_upstream_variables():
    env = {"UPSTREAM_API": FQDN, "UPSTREAM_AUTH_SVC": "auth-svc.prd.demo.internal", "UPSTREAM_X": "", "PATH": "/bin"}
    assert upstream.from_environ(env) == {"api": FQDN, "auth-svc": "auth-svc.prd.demo.internal"}


def test_route_answers_the_upstreams_json(api):
    calls = []
    upstreams = upstream.Upstreams({"api": FQDN}, discover=lambda fqdn: calls.append(fqdn) or [api])
    answer = client(upstreams).get("/upstream/api").json
    assert answer == {
        "upstream": "api",
        "name": FQDN,
        "address": f"{api[0]}:{api[1]}",
        "status": 200,
        "body": {"version": "9.9.9"},
    }
    assert calls == [FQDN]


def test_discovery_is_cached_for_a_few_seconds(api):
    calls, clock = [], Clock()
    upstreams = upstream.Upstreams({"api": FQDN}, discover=lambda fqdn: calls.append(fqdn) or [api], clock=clock)
    app = client(upstreams)
    app.get("/upstream/api")
    app.get("/upstream/api")
    assert len(calls) == 1
    clock.now += upstream.CACHE_SECONDS
    app.get("/upstream/api")
    assert len(calls) == 2


def test_unknown_upstream_is_a_json_404():
    answer = client(None).get("/upstream/api", status=404).json
    assert answer["status"] == 404
    assert "no upstream 'api' is configured" in answer["detail"]


def test_no_registered_instance_is_a_502_with_the_reason():
    answer = client(upstream.Upstreams({"api": FQDN}, discover=lambda fqdn: [])).get("/upstream/api", status=502).json
    assert answer["detail"] == f"{FQDN} has no registered instance"


def test_unreachable_instance_is_a_502_and_is_asked_again(api):
    calls = []
    dead = ("127.0.0.1", 1)
    upstreams = upstream.Upstreams({"api": FQDN}, discover=lambda fqdn: calls.append(fqdn) or [dead])
    answer = client(upstreams).get("/upstream/api", status=502).json
    assert answer["detail"].startswith(f"{FQDN} at 127.0.0.1:1 is not reachable")
    client(upstreams).get("/upstream/api", status=502)
    assert len(calls) == 2  # the failed instance was not kept in the cache


def test_api_failure_falls_back_to_dns_on_the_last_port(api):
    clock, answers = Clock(), [[api]]

    def discover(fqdn):
        if not answers:
            raise ConnectionError("endpoint down")
        return answers.pop()

    resolved = []
    upstreams = upstream.Upstreams(
        {"api": FQDN}, discover=discover, resolve=lambda fqdn, port: resolved.append((fqdn, port)) or [api], clock=clock
    )
    app = client(upstreams)
    app.get("/upstream/api")
    clock.now += upstream.CACHE_SECONDS
    assert app.get("/upstream/api").json["body"] == {"version": "9.9.9"}
    assert resolved == [(FQDN, api[1])]


def test_api_failure_before_any_answer_is_a_502():
    def discover(fqdn):
        raise ConnectionError("endpoint down")

    answer = client(upstream.Upstreams({"api": FQDN}, discover=discover)).get("/upstream/api", status=502).json
    assert answer["detail"] == f"cannot discover {FQDN}: ConnectionError: endpoint down"


def test_discover_instances_reads_ip_and_port_of_healthy_instances():
    class CloudMap:
        def discover_instances(self, **kwargs):
            assert kwargs == {
                "NamespaceName": "prd.demo.internal",
                "ServiceName": "api",
                "HealthStatus": "HEALTHY_OR_ELSE_ALL",
            }
            return {
                "Instances": [
                    {"Attributes": {"AWS_INSTANCE_IPV4": "10.0.1.5", "AWS_INSTANCE_PORT": "9000"}},
                    {"Attributes": {"AWS_INSTANCE_IPV4": "10.0.2.5"}},  # no port: not callable
                ]
            }

    assert upstream.discover_instances(FQDN, CloudMap()) == [("10.0.1.5", 9000)]
