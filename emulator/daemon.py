"""The start/stop/status/reset/serve commands. Each returns a process exit code."""

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from emulator import DEFAULT_PORT, HOST, probe
from emulator.dataplane import processes

START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
NOT_RUNNING = 3
PACKAGE_PARENT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    port: int
    state_dir: Path

    @classmethod
    def resolve(cls, port: int | None, state_dir: str | None) -> "Settings":
        if port is None:
            env_port = os.environ.get("EMULATOR_PORT", "").strip()
            if env_port and not env_port.isdigit():
                raise ValueError(f"EMULATOR_PORT must be a number, got {env_port!r}")
            port = int(env_port) if env_port else DEFAULT_PORT
        if not 0 < port < 65536:
            raise ValueError(f"port must be between 1 and 65535, got {port}")
        directory = state_dir or os.environ.get("EMULATOR_STATE_DIR") or ".emulator"
        return cls(port=port, state_dir=Path(directory).resolve())

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pidfile(self) -> Path:
        return self.state_dir / f"moto-{self.port}.pid"

    @property
    def logfile(self) -> Path:
        return self.state_dir / f"moto-{self.port}.log"


def _err(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


def _port_hint(port: int) -> str:
    return f"Pick another port with --port N or EMULATOR_PORT=N (this one is {port})."


def _running_pid(settings: Settings) -> int | None:
    """The pid from the pidfile if that process is alive; a stale pidfile is removed."""
    pid = probe.read_pid(settings.pidfile)
    if pid is None:
        return None
    if probe.alive(pid) and (probe.looks_like_emulator(pid) or _answers_as(settings, pid)):
        return pid
    probe.remove_pidfile(settings.pidfile, only_if_pid=pid)
    return None


def _answers_as(settings: Settings, pid: int) -> bool:
    doc = probe.health(settings.port)
    return doc is not None and doc["pid"] == pid


def _wait_ready(settings: Settings, proc: subprocess.Popen | None, pid: int) -> bool:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        if proc is None and not probe.alive(pid):
            return False
        if _answers_as(settings, pid):
            return True
        time.sleep(0.1)
    return False


def _foreign_port_message(settings: Settings) -> str | None:
    """Why we must not start on this port, or None if it is free."""
    doc = probe.health(settings.port)
    if doc is not None:
        return (
            f"port {settings.port} is served by another emulator (pid {doc['pid']}) that is not managed from "
            f"{settings.state_dir}. Stop it with the --state-dir it was started with. {_port_hint(settings.port)}"
        )
    if probe.port_in_use(settings.port):
        return f"port {settings.port} on {HOST} is in use by another program, not this emulator. {_port_hint(settings.port)}"
    return None


def _spawn(settings: Settings) -> subprocess.Popen:
    """Run 'serve' detached: own session (no terminal, no signals sent to our group), output to the log file."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    pythonpath = os.pathsep.join(filter(None, [str(PACKAGE_PARENT), os.environ.get("PYTHONPATH")]))
    cmd = [
        sys.executable,
        "-m",
        "emulator",
        "serve",
        "--port",
        str(settings.port),
        "--state-dir",
        str(settings.state_dir),
    ]
    with open(settings.logfile, "ab") as log:
        log.write(f"--- start {time.strftime('%Y-%m-%dT%H:%M:%S')} port {settings.port}\n".encode())
        log.flush()
        return subprocess.Popen(  # pylint: disable=consider-using-with  # it outlives us on purpose
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=PACKAGE_PARENT,
            env=dict(os.environ, PYTHONPATH=pythonpath),
        )


def start(settings: Settings) -> int:
    pid = _running_pid(settings)
    if pid is not None:
        if _answers_as(settings, pid) or _wait_ready(settings, None, pid):
            print(f"already running: {settings.endpoint} (pid {pid})")
            return 0
        _err(f"emulator pid {pid} is alive but does not answer on {settings.endpoint}; run 'stop' first")
        return 1
    problem = _foreign_port_message(settings)
    if problem:
        _err(problem)
        return 1
    proc = _spawn(settings)
    probe.write_pid(settings.pidfile, proc.pid)
    if _wait_ready(settings, proc, proc.pid):
        print(f"started: {settings.endpoint} (pid {proc.pid}), log {settings.logfile}")
        return 0
    if proc.poll() is None:
        _terminate(proc.pid)
    probe.remove_pidfile(settings.pidfile, only_if_pid=proc.pid)
    _err(f"emulator did not become ready on {settings.endpoint}; last log lines:\n{probe.log_tail(settings.logfile)}")
    return 1


def _terminate(pid: int) -> bool:
    """SIGTERM, wait, then SIGKILL. True once the process is gone."""
    for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, 5.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return True
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not probe.alive(pid):
                return True
            time.sleep(0.05)
    return not probe.alive(pid)


def stop(settings: Settings) -> int:
    had_pidfile = settings.pidfile.exists()
    pid = _running_pid(settings)
    if pid is None:
        note = " (removed a stale pidfile)" if had_pidfile else ""
        print(f"not running on port {settings.port}{note}")
        return 0
    if not _terminate(pid):
        _err(f"could not stop emulator pid {pid}")
        return 1
    # A clean stop has stopped every task already; after a SIGKILL, their workers may be left.
    orphans = processes.reap(pid)
    probe.remove_pidfile(settings.pidfile, only_if_pid=pid)
    print(
        f"stopped: pid {pid} on port {settings.port}" + (f" (and {orphans} orphaned task processes)" if orphans else "")
    )
    return 0


def status(settings: Settings) -> int:
    pid = _running_pid(settings)
    if pid is not None and _answers_as(settings, pid):
        print(f"running: {settings.endpoint} (pid {pid})")
        return 0
    other = probe.health(settings.port) if pid is None else None
    if pid is not None:
        print(f"not running: pid {pid} is alive but does not answer on {settings.endpoint}")
    elif other is not None:
        print(
            f"not running from {settings.state_dir}; an emulator started elsewhere (pid {other['pid']}) answers on port {settings.port}"
        )
    else:
        print(f"not running on port {settings.port}")
    return NOT_RUNNING


def reset(settings: Settings) -> int:
    if probe.health(settings.port) is None:
        print(f"not running: no emulator answers on {settings.endpoint}")
        return NOT_RUNNING
    req = urllib.request.Request(f"{settings.endpoint}/moto-api/reset", data=b"", method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        resp.read()
    print(f"reset: all emulated AWS state on {settings.endpoint} cleared")
    return 0


def serve(settings: Settings) -> int:
    from emulator.server import EmulatorServer  # pylint: disable=import-outside-toplevel  # moto is slow to import

    if probe.port_in_use(settings.port):
        _err(f"port {settings.port} on {HOST} is already in use. {_port_hint(settings.port)}")
        return 1
    try:
        server = EmulatorServer(port=settings.port)
    except OSError as exc:
        _err(f"cannot listen on {HOST}:{settings.port}: {exc}. {_port_hint(settings.port)}")
        return 1
    pid = os.getpid()
    if _running_pid(settings) is None:
        probe.write_pid(settings.pidfile, pid)
    stopping = threading.Event()

    def on_signal(signum, frame):  # pylint: disable=unused-argument
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    server.start()
    print(f"serving {server.endpoint} (pid {pid}); patches: {', '.join(server.patches)}", flush=True)
    while not stopping.wait(0.2):
        pass
    server.stop()
    probe.remove_pidfile(settings.pidfile, only_if_pid=pid)
    print(f"stopped (pid {pid})", flush=True)
    return 0
