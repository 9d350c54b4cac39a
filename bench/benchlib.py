"""What the benchmarks share: a free port, a timed command, a private emulator."""

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ANSIBLE_PLAYBOOK = str(Path(PYTHON).parent / "ansible-playbook")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def timed(cmd, env):
    """(seconds ``cmd`` took, its output); exits with its output when it fails."""
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-2000:])
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return elapsed, proc.stdout


def run(cmd, env):
    """Seconds ``cmd`` took; exits with its output when it fails."""
    return timed(cmd, env)[0]


@contextlib.contextmanager
def emulator(state_dir, minute_seconds):
    """A private emulator (free port, ``state_dir``); yields the environment that points commands at it."""
    port = free_port()
    env = dict(
        os.environ,
        EMULATOR_PORT=str(port),
        EMULATOR_STATE_DIR=str(state_dir),
        EMULATOR_MINUTE_SECONDS=str(minute_seconds),
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".collections"),
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
    )
    run([PYTHON, "-m", "emulator", "start"], env)
    try:
        yield env
    finally:
        run([PYTHON, "-m", "emulator", "stop"], env)
