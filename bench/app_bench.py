"""Benchmark the app's production server against a gunicorn gthread hello-world baseline.

Run from the repository root: ``.venv/bin/python bench/app_bench.py`` (``make bench-app``).
Each server is pinned to CPU core 0 (``taskset -c 0``) and loaded from core 1 by ``wrk``
(50 connections, ``GET /`` with ``Accept: text/plain``). The app's per-request JSON log is ON and
goes to a pipe that this script reads and counts, as a log driver would. Servers are measured in
interleaved rounds and the medians are compared, so that noise from other work hits all alike.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
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
HOST = "127.0.0.1"


def server_commands(port: int, threads: int) -> dict[str, tuple[str, list[str]]]:
    """name -> (module it needs, command). All serve the app itself except "baseline"."""
    bind = f"{HOST}:{port}"
    other = [PY, str(BENCH / "serve_other.py")]
    return {
        "ours": ("granian", [PY, "-m", "app"]),
        "gunicorn-gthread": (
            "gunicorn",
            [
                PY,
                "-m",
                "gunicorn",
                "-k",
                "gthread",
                "-w",
                "1",
                "--threads",
                str(threads),
                "-b",
                bind,
                "app.wsgi:application",
            ],
        ),
        "pyuwsgi": (
            "pyuwsgi",
            [
                *(PY, "-c", "import sys, pyuwsgi; sys.exit(pyuwsgi.run())", "--http11-socket", bind),
                *("--module", "app.wsgi:application", "--master", "--processes", "1", "--threads", str(threads)),
                *("--disable-logging", "--die-on-term", "--need-app", "--enable-threads"),
            ],
        ),
        "waitress": ("waitress", [*other, "waitress"]),
        "cheroot": ("cheroot", [*other, "cheroot"]),
        "bjoern": ("bjoern", [*other, "bjoern"]),
        "baseline": (
            "gunicorn",
            [
                *(PY, "-m", "gunicorn", "-k", "gthread", "-w", "1", "--threads", str(threads), "-b", bind),
                *("--chdir", str(BENCH), "baseline_app:app"),
            ],
        ),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if not found and os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk not found: running apt-get install -y wrk", flush=True)
        if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], check=False)
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False)
        found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is needed: install it with `sudo apt-get install -y wrk` (Debian/Ubuntu package wrk)")
    return found


class LineCounter(threading.Thread):
    """Reads the server's stdout (a pipe, as under a container log driver) and counts the lines."""

    def __init__(self, stream) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.lines = 0

    def run(self) -> None:
        for _line in self.stream:
            self.lines += 1


def group_cpu_seconds(pgid: int) -> float:
    """User+system CPU seconds used so far by the live processes of a process group."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # the pgrp field
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=1) as resp:
                if resp.status == 200:
                    return
        time.sleep(0.1)
    raise RuntimeError("server did not become ready")


def _ms(text: str) -> float:
    num, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(num) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(out: str) -> dict:
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        "p99_ms": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "errors": (int(non_2xx.group(1)) if non_2xx else 0)
        + sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1) if socket_errors else "")),
    }


def run_wrk(wrk: str, port: int, seconds: int, connections: int) -> dict:
    cmd = ["taskset", "-c", LOAD_CORE, wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    cmd += ["-H", "Accept: text/plain", f"http://{HOST}:{port}/"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=seconds + 60).stdout
    return parse_wrk(out)


def stop(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    with contextlib.suppress(ProcessLookupError):  # leftovers of the group, if any
        os.killpg(proc.pid, signal.SIGKILL)


def measure(cmd: list[str], port: int, args, env: dict) -> dict:
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            ["taskset", "-c", SERVER_CORE, *cmd],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
            start_new_session=True,
        )
        counter = LineCounter(proc.stdout)
        counter.start()
        try:
            wait_ready(port, proc)
            run_wrk(args.wrk, port, args.warmup, args.connections)
            lines, cpu = counter.lines, group_cpu_seconds(proc.pid)
            result = run_wrk(args.wrk, port, args.duration, args.connections)
            cpu = group_cpu_seconds(proc.pid) - cpu
            time.sleep(0.3)  # let the reader catch up with the pipe
            result["log_lines"] = counter.lines - lines
            result["cpu_us_per_req"] = cpu * 1e6 / max(result["requests"], 1)
        except (RuntimeError, subprocess.SubprocessError) as exc:
            errors.seek(0)
            sys.exit(f"{' '.join(cmd)}: {exc}\n{errors.read().decode(errors='replace')[-2000:]}")
        finally:
            stop(proc)
            counter.join(timeout=5)
            proc.stdout.close()
    return result


def summarize(runs: list[dict]) -> dict:
    keys = ("rps", "p50_ms", "p99_ms", "cpu_us_per_req")
    out = {key: statistics.median(run[key] for run in runs) for key in keys}
    out["rps_all"] = [round(run["rps"]) for run in runs]
    out["log_lines"] = sum(run["log_lines"] for run in runs)
    out["requests"] = sum(run["requests"] for run in runs)
    out["errors"] = sum(run["errors"] for run in runs)
    return out


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up before each run (default 2)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; medians are reported (default 3)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=4, help="threads for the baseline and other candidates")
    parser.add_argument(
        "--candidates", default="", help="comma list of other servers to run the app on, or 'all' (see README)"
    )
    parser.add_argument("--json", dest="json_out", help="also write the results to this JSON file")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    args.wrk = ensure_wrk()
    if len(os.sched_getaffinity(0)) < 2:
        sys.exit("needs at least 2 CPU cores (server on core 0, load on core 1)")
    available = server_commands(0, 1)
    wanted = list(available)[1:-1] if args.candidates == "all" else [c for c in args.candidates.split(",") if c]
    unknown = [c for c in wanted if c not in available]
    if unknown:
        sys.exit(f"unknown candidate(s) {unknown}; choose from {list(available)[1:-1]}")
    names = ["ours"]
    for name in [*wanted, "baseline"]:
        if importlib.util.find_spec(available[name][0]) is None:
            if name == "baseline":
                sys.exit("the baseline needs gunicorn: pip install -r bench/requirements.txt")
            print(f"skipping {name}: module {available[name][0]} is not installed")
        elif name not in names:
            names.append(name)
    os.sched_setaffinity(0, {int(LOAD_CORE)})  # this script's log reader stays off the server's core
    print(
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.2f}; {args.rounds} round(s) x {args.duration} s, "
        f"{args.connections} connections, server on core {SERVER_CORE}, wrk on core {LOAD_CORE}",
        flush=True,
    )

    runs: dict[str, list[dict]] = {name: [] for name in names}
    for round_no in range(1, args.rounds + 1):
        for name in names:
            port = free_port()
            env = dict(os.environ, PYTHONPATH=str(ROOT), PORT=str(port), HOST=HOST, APP_VERSION="bench")
            env["LOG_LEVEL"] = "INFO"
            if name != "ours":  # ours runs with the app's own default unless SERVER_THREADS is set
                env.setdefault("SERVER_THREADS", str(args.threads))
            env.pop("APP_TEST_SLOW_MS", None)
            res = measure(server_commands(port, args.threads)[name][1], port, args, env)
            runs[name].append(res)
            print(
                f"round {round_no} {name:<17} {res['rps']:>8.0f} req/s  p50 {res['p50_ms']:6.2f} ms  "
                f"p99 {res['p99_ms']:6.2f} ms  {res['cpu_us_per_req']:5.1f} us CPU/req",
                flush=True,
            )
    return report({name: summarize(r) for name, r in runs.items()}, args)


def report(results: dict[str, dict], args: argparse.Namespace) -> int:
    base = results["baseline"]
    print(f"\nmedians of {args.rounds} round(s):")
    print(f"{'server':<18}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'CPU us/req':>12}{'ratio':>7}{'log lines':>11}")
    for name, res in results.items():
        res["ratio"] = res["rps"] / base["rps"]
        print(
            f"{name:<18}{res['rps']:>9.0f}{res['p50_ms']:>9.2f}{res['p99_ms']:>9.2f}"
            f"{res['cpu_us_per_req']:>12.1f}{res['ratio']:>7.2f}{res['log_lines']:>11}"
        )
        if res["errors"]:
            print(f"  warning: {res['errors']} errors (non-2xx or socket) for {name}")
    ours = results["ours"]
    ok = ours["ratio"] >= TARGET_RATIO and ours["p99_ms"] <= base["p99_ms"] and ours["errors"] == 0
    if ours["log_lines"] < ours["requests"]:
        print(f"  warning: {ours['log_lines']} log lines for {ours['requests']} requests")
    print(
        f"\nours/baseline = {ours['ratio']:.2f} (target >= {TARGET_RATIO}); p99 {ours['p99_ms']:.2f} ms "
        f"vs baseline {base['p99_ms']:.2f} ms (target: no worse): {'PASS' if ok else 'FAIL'}"
    )
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2) + "\n")
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
