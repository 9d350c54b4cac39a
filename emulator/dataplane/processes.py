"""Child processes of the emulator (ECS tasks, Lambda invocations) that never outlive it.

Each child gets ``PR_SET_PDEATHSIG`` = SIGKILL (Linux), so it dies with the emulator even when the emulator is
killed with SIGKILL, and its own process group, so stopping it stops what it started. Its environment carries
``EMULATOR_OWNER=<emulator pid>``, inherited by whatever it starts (a server's workers get no PDEATHSIG): after
the emulator is gone, ``reap(pid)`` finds them by it (``python -m emulator stop`` calls it).
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    os.setsid()
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass  # not Linux: stop_all() still stops it on a clean shutdown


OWNER = "EMULATOR_OWNER"


def spawn(args: list[str], env: dict[str, str], cwd: str | None = None, **kwargs) -> subprocess.Popen:
    """Start a child that dies with the emulator; stdout/stderr as given in kwargs (default: inherited)."""
    env = dict(env, **{OWNER: str(os.getpid())})
    return subprocess.Popen(args, env=env, cwd=cwd, preexec_fn=_die_with_parent, **kwargs)  # noqa: PLW1509


def owned_by(owner_pid: int) -> list[int]:
    """Pids of live processes started (directly or not) by the emulator ``owner_pid`` (Linux /proc)."""
    marker = f"{OWNER}={owner_pid}".encode()
    found = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as environ:
                if marker in environ.read().split(b"\0"):
                    found.append(int(entry))
        except OSError:
            continue  # gone meanwhile, or not ours to read
    return found


def reap(owner_pid: int) -> int:
    """SIGKILL what the (stopped) emulator ``owner_pid`` left running; return how many."""
    pids = owned_by(owner_pid)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return len(pids)


def terminate(proc: subprocess.Popen, grace: float = 5.0) -> int | None:
    """SIGTERM the child's process group, SIGKILL after ``grace`` seconds; return its exit code.

    What is left of the group afterwards is killed too: a child's own children (a server's worker processes) do
    not get PR_SET_PDEATHSIG and would outlive it, still listening. The group id stays reserved while any member
    lives, so the final SIGKILL cannot reach another process.
    """
    if proc.poll() is None:
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    return proc.poll()
