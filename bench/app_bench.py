"""Benchmark the app's production server against a gunicorn gthread hello-world baseline.

Run: ``.venv/bin/python bench/app_bench.py``. The server is pinned to CPU core 0 and
``wrk`` (50 connections, GET / with Accept: text/plain) to core 1; the app's per-request JSON
log goes to a pipe that this script reads and counts.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PY = sys.executable
SERVER_CORE = "0"
LOAD_CORE = "1"
TARGET_RATIO = 3.4


def _candidate_cmds(port: int, threads: int) -> dict[str, list[str]]:
    """Every server worth measuring, each serving the app (``app.wsgi:application``)."""
    bind = f"127.0.0.1:{port}"
    return {
        "ours": [PY, "-m", "app"],
        "granian": [
            *(PY, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)),
            *("--workers", "1", "--blocking-threads", str(threads), "--no-ws", "--log-level", "warning"),
            "app.wsgi:application",
        ],
        "gunicorn-gthread": [
            *(PY, "-m", "gunicorn", "-k", "gthread", "-w", "1", "--threads", str(threads), "-b", bind),
            "app.wsgi:application",
        ],
        "pyuwsgi": [
            *(PY, "-c", "import sys, pyuwsgi; sys.exit(pyuwsgi.run())", "--http-socket", bind),
            *("--module", "app.wsgi:application", "--master", "--processes", "1", "--threads", str(threads)),
            *("--disable-logging", "--die-on-term", "--need-app", "--enable-threads"),
        ],
        "waitress": [PY, str(BENCH / "serve_other.py"), "waitress"],
        "cheroot": [PY, str(BENCH / "serve_other.py"), "cheroot"],
        "bjoern": [PY, str(BENCH / "serve_other.py"), "bjoern"],
    }


def _baseline_cmd(port: int, threads: int) -> list[str]:
    return [
        *(PY, "-m", "gunicorn", "-k", "gthread", "-w", "1", "--threads", str(threads)),
        *("-b", f"127.0.0.1:{port}", "--chdir", str(BENCH), "baseline_app:app"),
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk not found: installing it with apt-get install -y wrk", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False)
        found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is needed: install it with `sudo apt-get install -y wrk` (Debian/Ubuntu package wrk)")
    return found


class LineCounter(threading.Thread):
    """Reads the server's stdout (the realistic pipe) and counts the lines."""

    def __init__(self, stream) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.lines = 0
        self.last = b""

    def run(self) -> None:
        for line in self.stream:
            self.lines += 1
            self.last = line


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as resp:
                if resp.status == 200:
                    return
        time.sleep(0.1)
    raise RuntimeError("server did not become ready")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    num, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(num) * _UNITS[unit]


def parse_wrk(out: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "requests": requests,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def run_wrk(wrk: str, port: int, seconds: int, connections: int) -> dict:
    cmd = ["taskset", "-c", LOAD_CORE, wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    cmd += ["-H", "Accept: text/plain", f"http://127.0.0.1:{port}/"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=seconds + 30).stdout
    return parse_wrk(out)


def measure(name: str, cmd: list[str], port: int, args, env: dict) -> dict:
    proc = subprocess.Popen(
        ["taskset", "-c", SERVER_CORE, *cmd],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    counter = LineCounter(proc.stdout)
    counter.start()
    try:
        wait_ready(port, proc)
        run_wrk(args.wrk, port, args.warmup, args.connections)
        before = counter.lines
        result = run_wrk(args.wrk, port, args.duration, args.connections)
        time.sleep(0.3)
        result["log_lines"] = counter.lines - before
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        counter.join(timeout=5)
    result["name"] = name
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per server (default 2)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=4, help="server threads for candidates and baseline")
    parser.add_argument("--candidates", default="", help="comma list of extra servers to measure, or 'all'")
    parser.add_argument("--json", dest="json_out", help="also write the results to this JSON file")
    args = parser.parse_args()
    args.wrk = ensure_wrk()
    if (os.cpu_count() or 1) < 2:
        sys.exit("needs at least 2 CPU cores (server on core 0, load on core 1)")
    os.sched_setaffinity(0, {int(LOAD_CORE)})  # keep this script's log reader off the server's core

    names = ["ours"]
    all_names = list(_candidate_cmds(0, 1))
    extra = all_names[1:] if args.candidates == "all" else [c for c in args.candidates.split(",") if c]
    names += [n for n in extra if n != "ours"]
    results = []
    for name in [*names, "baseline"]:
        port = free_port()
        env = dict(os.environ, PYTHONPATH=str(ROOT), PORT=str(port), HOST="127.0.0.1", APP_VERSION="bench", LOG_LEVEL="INFO")
        env["SERVER_THREADS"] = env.get("SERVER_THREADS", str(args.threads))
        env.pop("APP_TEST_SLOW_MS", None)
        cmd = _baseline_cmd(port, args.threads) if name == "baseline" else _candidate_cmds(port, args.threads)[name]
        print(f"measuring {name} ...", flush=True)
        res = measure(name, cmd, port, args, env)
        results.append(res)
        print(f"  {res['rps']:.0f} req/s, p50 {res['p50_ms']:.2f} ms, p99 {res['p99_ms']:.2f} ms", flush=True)

    base = results[-1]
    print(f"\n{'server':<18}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>7}{'log lines':>11}{'errors':>8}")
    for res in results:
        res["ratio"] = round(res["rps"] / base["rps"], 2)
        errors = res["non_2xx"] + (1 if res["socket_errors"] else 0)
        print(
            f"{res['name']:<18}{res['rps']:>10.0f}{res['p50_ms']:>9.2f}{res['p99_ms']:>9.2f}"
            f"{res['ratio']:>7.2f}{res['log_lines']:>11}{errors:>8}"
        )
    ours = results[0]
    ok = ours["ratio"] >= TARGET_RATIO and ours["p99_ms"] <= base["p99_ms"]
    print(
        f"\nours/baseline = {ours['ratio']:.2f} (target >= {TARGET_RATIO}); "
        f"p99 {ours['p99_ms']:.2f} ms vs baseline {base['p99_ms']:.2f} ms: {'PASS' if ok else 'FAIL'}"
    )
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
