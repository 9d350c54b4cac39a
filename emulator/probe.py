"""Low-level checks used by the lifecycle commands: health probe, port probe, pidfile and process state."""

import errno
import json
import os
import socket
import urllib.error
import urllib.request
from pathlib import Path

from emulator import HOST, SERVICE_ID

HEALTH_PATH = "/emulator/health"


def health(port: int, timeout: float = 1.0) -> dict | None:
    """Return the health document if OUR emulator answers on the port, else None."""
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}{HEALTH_PATH}", timeout=timeout) as resp:
            doc = json.loads(resp.read().decode("utf-8"))
    except (OSError, ValueError, urllib.error.URLError):
        return None
    if isinstance(doc, dict) and doc.get("service") == SERVICE_ID and isinstance(doc.get("pid"), int):
        return doc
    return None


def port_in_use(port: int) -> bool:
    """True if something listens on HOST:port (we cannot bind it the way the server would)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Same option the server sets, so sockets in TIME_WAIT after a stop do not count as "in use".
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise
    return False


def read_pid(pidfile: Path) -> int | None:
    try:
        text = pidfile.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def write_pid(pidfile: Path, pid: int) -> None:
    pidfile.parent.mkdir(parents=True, exist_ok=True)
    tmp = pidfile.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(f"{pid}\n", encoding="ascii")
    tmp.replace(pidfile)


def remove_pidfile(pidfile: Path, only_if_pid: int | None = None) -> None:
    if only_if_pid is not None and read_pid(pidfile) != only_if_pid:
        return
    try:
        pidfile.unlink()
    except FileNotFoundError:
        pass


def alive(pid: int) -> bool:
    """True if the process exists and is not a zombie (a zombie holds no port and cannot be signalled usefully)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True
    # Field 3 (after the parenthesised command name) is the state; Z = zombie, X = dead.
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def looks_like_emulator(pid: int) -> bool:
    """Best effort check that a pid is an emulator 'serve' process, so a reused pid is never signalled."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"emulator" in argv and b"serve" in argv


def log_tail(logfile: Path, lines: int = 30) -> str:
    try:
        text = logfile.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log file)"
    return "\n".join(text.splitlines()[-lines:])
