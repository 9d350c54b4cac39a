"""python -m emulator start/stop/status/reset (emulator/daemon.py) as a user runs them, each on its own free port."""

import http.server
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cli:
    def __init__(self, port: int, state_dir: Path):
        self.port, self.state_dir = port, state_dir
        self.pidfile = state_dir / f"moto-{port}.pid"
        self.logfile = state_dir / f"moto-{port}.log"

    def __call__(self, command: str, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
        base = {k: v for k, v in os.environ.items() if not k.startswith("EMULATOR_")}
        args = [sys.executable, "-m", "emulator", command, *extra]
        if env is None:
            args += ["--port", str(self.port), "--state-dir", str(self.state_dir)]
        return subprocess.run(
            args, cwd=ROOT, env={**base, **(env or {})}, capture_output=True, text=True, timeout=60, check=False
        )


@pytest.fixture
def cli(tmp_path):
    runner = Cli(free_port(), tmp_path / "state")
    yield runner
    runner("stop")  # never leave a server behind, whatever the test did


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().rsplit(")", 1)[-1].split()[0] != "Z"


def test_start_status_stop_twice_over(cli):
    started = cli("start")
    assert started.returncode == 0, started.stderr
    pid = int(cli.pidfile.read_text())
    assert cli.logfile.exists()

    status = cli("status")
    assert status.returncode == 0 and f"http://127.0.0.1:{cli.port}" in status.stdout

    again = cli("start")
    assert again.returncode == 0 and "already running" in again.stdout
    assert int(cli.pidfile.read_text()) == pid

    ecs = boto3.client(
        "ecs",
        endpoint_url=f"http://127.0.0.1:{cli.port}",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    ecs.create_cluster(clusterName="c1")
    assert cli("reset").returncode == 0
    assert ecs.list_clusters()["clusterArns"] == []

    stopped = cli("stop")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    assert not cli.pidfile.exists() and not _alive(pid)
    stopped_again = cli("stop")
    assert stopped_again.returncode == 0 and "not running" in stopped_again.stdout
    assert cli("status").returncode == 3

    restarted = cli("start")
    assert restarted.returncode == 0, restarted.stderr
    assert int(cli.pidfile.read_text()) != pid
    assert cli("stop").returncode == 0
    assert cli("status").returncode == 3


def test_start_refuses_a_port_held_by_something_else(cli):
    server = http.server.HTTPServer(("127.0.0.1", cli.port), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = cli("start")
        assert result.returncode == 1
        assert str(cli.port) in result.stderr and "--port" in result.stderr and "EMULATOR_PORT" in result.stderr
        assert not cli.pidfile.exists()
        assert cli("status").returncode == 3
        assert cli("reset").returncode == 3  # never talks to a server that is not ours
    finally:
        server.shutdown()
        server.server_close()


def _dead_pid() -> str:
    return subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    ).stdout


def test_port_and_state_dir_from_environment(cli):
    env = {"EMULATOR_PORT": str(cli.port), "EMULATOR_STATE_DIR": str(cli.state_dir)}
    status = cli("status", env=env)
    assert status.returncode == 3 and f"port {cli.port}" in status.stdout
    cli.state_dir.mkdir(parents=True)
    cli.pidfile.write_text(_dead_pid())
    stopped = cli("stop", env=env)
    assert "stale" in stopped.stdout and not cli.pidfile.exists()


def test_stale_pidfile_is_cleaned(cli):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    cli.state_dir.mkdir(parents=True)
    cli.pidfile.write_text(dead.stdout)
    assert cli("status").returncode == 3
    cli.pidfile.write_text(dead.stdout)
    result = cli("stop")
    assert result.returncode == 0 and "not running" in result.stdout and "stale" in result.stdout
    assert not cli.pidfile.exists()


def test_bad_port(cli):
    result = cli("status", "--port", "70000", env={})
    assert result.returncode == 2 and "70000" in result.stderr
