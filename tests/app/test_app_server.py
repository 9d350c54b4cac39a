"""The real production server (``python -m app``) in a subprocess: serving, logs, graceful SIGTERM."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from app_test_helpers import ROOT, base_env, free_port, running_server, wait_healthy

SLOW_MS = 2500


def _build_server(*args, **kwargs):
    from app.server import build_server  # pylint: disable=import-outside-toplevel

    loggers = [logging.getLogger(), logging.getLogger("_granian")]
    saved = [(lg, lg.handlers[:], lg.level, lg.propagate) for lg in loggers]
    try:
        return build_server(*args, **kwargs)
    finally:  # building the server configures logging: put pytest's back
        for logger, handlers, level, propagate in saved:
            logger.handlers[:] = handlers
            logger.setLevel(level)
            logger.propagate = propagate


def test_server_settings_for_one_small_task():
    from app.config import Settings  # pylint: disable=import-outside-toplevel

    server = _build_server(Settings(port=9123, threads=3, shutdown_timeout=17, keepalive_timeout=75))
    assert (server.bind_addr, server.bind_port) == ("0.0.0.0", 9123)
    assert server.interface == "wsgi"
    assert server.workers == 1
    assert server.blocking_threads == 3
    assert server.workers_kill_timeout == 17
    assert server.http1_settings.header_read_timeout == 75_000
    assert server.log_access is False
    assert server.websockets is False
    assert server.target == "app.wsgi:application"


def test_server_runs_another_target_under_the_same_settings():
    from app.config import Settings  # pylint: disable=import-outside-toplevel

    server = _build_server(Settings(threads=3), target="bottle_hello:application")
    assert server.target == "bottle_hello:application"
    assert server.blocking_threads == 3


def _get(url: str, timeout: float = 10.0, headers: dict | None = None):
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.status, resp.headers, resp.read()


@pytest.fixture
def slow_server():
    port = free_port()
    env = base_env(PORT=str(port), APP_VERSION="7.7.7", APP_TEST_SLOW_MS=str(SLOW_MS), SHUTDOWN_TIMEOUT="10")
    with running_server([sys.executable, "-m", "app"], env, cwd=ROOT) as proc:
        wait_healthy(port, proc)
        yield port, proc


def test_serves_routes_and_logs_json_lines(slow_server):
    port, proc = slow_server
    status, headers, body = _get(f"http://127.0.0.1:{port}/?token=hidden", headers={"Accept": "text/plain"})
    assert (status, body) == (200, b"Success! version=7.7.7\n")
    rid = headers["X-Request-Id"]
    assert rid
    with pytest.raises(urllib.error.HTTPError) as err:
        _get(f"http://127.0.0.1:{port}/missing")
    assert err.value.code == 404
    assert json.loads(err.value.read())["error"] == "Not Found"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    records = [json.loads(line) for line in proc.stdout.read().decode().splitlines()]
    requests = [r for r in records if "status" in r]
    assert all(r["version"] == "7.7.7" for r in records)
    assert any(r.get("logger", "").startswith("_granian") for r in records)  # server logs are JSON too
    assert {"path": "/", "status": 200, "request_id": rid} == {
        k: requests[-2][k] for k in ("path", "status", "request_id")
    }
    assert (requests[-1]["path"], requests[-1]["status"]) == ("/missing", 404)
    assert "hidden" not in "".join(json.dumps(r) for r in records)


def test_sigterm_finishes_in_flight_request_then_exits_0(slow_server):
    port, proc = slow_server
    result: dict = {}

    def call_slow():
        try:
            result["answer"] = _get(f"http://127.0.0.1:{port}/__test/slow", timeout=20)
        except OSError as exc:  # recorded so the assertion below shows it
            result["error"] = exc

    caller = threading.Thread(target=call_slow)
    caller.start()
    time.sleep(0.6)  # the request is now inside the slow handler
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    with pytest.raises(OSError):  # no new connections once draining started
        _get(f"http://127.0.0.1:{port}/health", timeout=2)
    caller.join(timeout=20)
    assert "error" not in result, result.get("error")
    status, _headers, body = result["answer"]
    assert status == 200
    assert json.loads(body) == {"slept_ms": SLOW_MS}
    assert proc.wait(timeout=15) == 0
    assert time.monotonic() - sent < 10  # well inside SHUTDOWN_TIMEOUT (and ECS's 30 s)
    lines = proc.stdout.read().decode().splitlines()
    slow = [json.loads(line) for line in lines if '"/__test/slow"' in line]
    assert slow and slow[0]["status"] == 200 and slow[0]["duration_ms"] >= SLOW_MS


def test_shutdown_timeout_bounds_a_stuck_request():
    port = free_port()
    env = base_env(PORT=str(port), APP_TEST_SLOW_MS="20000", SHUTDOWN_TIMEOUT="1")
    with running_server([sys.executable, "-m", "app"], env, cwd=ROOT) as proc:
        wait_healthy(port, proc)
        outcome: list = []

        def call_stuck():
            try:
                outcome.append(_get(f"http://127.0.0.1:{port}/__test/slow", timeout=30))
            except OSError as exc:
                outcome.append(exc)

        caller = threading.Thread(target=call_stuck, daemon=True)
        caller.start()
        time.sleep(0.5)
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
        assert time.monotonic() - sent < 6  # the worker is killed after SHUTDOWN_TIMEOUT, not after 20 s
        caller.join(timeout=5)
        assert outcome and isinstance(outcome[0], OSError)  # the stuck request was cut off
