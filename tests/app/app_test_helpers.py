"""Helpers for the app tests: a fake ECS metadata endpoint and a real server in a subprocess."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class FakeMetadata:
    """A tiny ECS task metadata endpoint (``GET /task``) on 127.0.0.1, counting its hits."""

    def __init__(self, status: int = 200, body: bytes | None = None) -> None:
        self.hits = 0
        self.status = status
        self.body = (
            body
            or json.dumps(
                {
                    "Cluster": "default",
                    "TaskARN": "arn:aws:ecs:eu-west-1:111122223333:task/default/0123456789abcdef0123456789abcdef",
                    "AvailabilityZone": "eu-west-1b",
                }
            ).encode()
        )
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                fake.hits += 1
                code, body = (fake.status, fake.body) if self.path == "/v4/abc/task" else (404, b"{}")
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # keep pytest output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.uri = f"http://127.0.0.1:{self.server.server_address[1]}/v4/abc"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeMetadata:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(**extra: str) -> dict[str, str]:
    """A clean environment for running the app as a subprocess."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APP_", "GRANIAN_", "ECS_"))}
    for name in ("PORT", "HOST", "LOG_LEVEL", "SERVER_THREADS", "SHUTDOWN_TIMEOUT", "GIT_COMMIT", "BUILD_TIME"):
        env.pop(name, None)
    env.update(PYTHONDONTWRITEBYTECODE="1", HOST="127.0.0.1")
    env.update(extra)
    return env


def wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited early with code {proc.returncode}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as resp:
                if resp.status == 200:
                    return
        time.sleep(0.05)
    raise AssertionError("server did not answer /health in time")


@contextlib.contextmanager
def running_server(cmd: list[str], env: dict[str, str], cwd: Path | str = ROOT):
    """Start a server subprocess (own process group, stdout captured) and always clean it up."""
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        # the worker may outlive a killed main process for a moment: clear the whole group
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
