"""bench/app_bench.py: wrk parsing, per-round ratios, the pass rule, and the Go baseline it builds."""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import subprocess
import urllib.request

import pytest
from app_test_helpers import ROOT, free_port, running_server, wait_healthy

_spec = importlib.util.spec_from_file_location("app_bench", ROOT / "bench" / "app_bench.py")
app_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(app_bench)

WRK_OUT = """Running 5s test @ http://127.0.0.1:8000/
  1 threads and 50 connections
  Latency Distribution
     50%    1.12ms
     75%    1.50ms
     90%    2.00ms
     99%    7.09ms
  176200 requests in 5.00s, 25.04MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
Requests/sec:  35240.10
"""


def test_parse_wrk():
    assert app_bench.parse_wrk(WRK_OUT) == {
        "rps": 35240.1,
        "p50_ms": 1.12,
        "p99_ms": 7.09,
        "requests": 176200,
        "errors": 3,
    }


def _run(rps, p99, cpu):
    return {
        "rps": rps,
        "p50_ms": 1.0,
        "p99_ms": p99,
        "cpu_us_per_req": cpu,
        "log_lines": 10,
        "requests": 10,
        "errors": 0,
    }


def test_ratios_are_taken_per_round_then_the_median():
    go = [_run(100, 2.0, 20.0), _run(50, 4.0, 20.0), _run(80, 2.0, 25.0)]
    ours = [_run(80, 2.0, 25.0), _run(45, 2.0, 25.0), _run(40, 4.0, 25.0)]
    res = app_bench.summarize(ours, go)
    assert res["rps_ratio"] == pytest.approx(0.8)  # rounds: 0.8, 0.9, 0.5
    assert res["p99_ratio"] == pytest.approx(1.0)  # rounds: 1.0, 0.5, 2.0
    assert res["cpu_ratio"] == pytest.approx(0.8)  # rounds: 0.8, 0.8, 1.0
    assert res["requests"] == 30


@pytest.mark.parametrize(
    ("rps_ratio", "cpu_ratio", "p99_ratio", "passed"),
    [(0.9, 0.8, 1.0, True), (0.9, 0.7, 1.0, False), (0.7, 0.9, 1.0, False), (0.9, 0.9, 1.6, False)],
)
def test_pass_needs_req_s_and_cpu_ratios_and_p99(capsys, rps_ratio, cpu_ratio, p99_ratio, passed):
    base = {**_run(1, 1.0, 1.0), "rps_ratio": 1.0, "p99_ratio": 1.0, "cpu_ratio": 1.0}
    results = {
        "go": base,
        "ours": {**base, "rps_ratio": rps_ratio, "cpu_ratio": cpu_ratio, "p99_ratio": p99_ratio},
        "bottle": base,
    }
    code = app_bench.report(results, argparse.Namespace(rounds=1, json_out=None, strict=True))
    assert code == (0 if passed else 1)
    assert ("PASS" if passed else "FAIL") in capsys.readouterr().out


@pytest.mark.skipif(
    not (shutil.which("go") and (app_bench.GOPATH / "src/github.com/rs/zerolog").is_dir()),
    reason="needs Debian's golang-go and golang-github-rs-zerolog-dev",
)
def test_go_baseline_builds_offline_and_logs_one_json_line_per_request(tmp_path):
    binary = app_bench.build_go_server(str(tmp_path))
    port = free_port()
    with running_server([binary], {"HOST": "127.0.0.1", "PORT": str(port)}, cwd=tmp_path) as proc:
        wait_healthy(port, proc)  # the Go server answers every path
        for _request in range(3):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/x?y=1", timeout=5) as resp:
                assert resp.read() == b"Success!-TESTING"
        proc.terminate()
        out, _err = proc.communicate(timeout=10)
    lines = [json.loads(line) for line in out.splitlines()]
    hits = [line for line in lines if line.get("path") == "/x"]
    assert len(hits) == 3
    assert hits[0]["method"] == "GET" and hits[0]["status"] == 200 and "duration_ms" in hits[0]


def test_go_build_needs_no_network_or_c_compiler(monkeypatch, tmp_path):
    seen = {}
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: seen.update(cmd=cmd, **kw))
    app_bench.build_go_server(str(tmp_path))
    env = seen["env"]
    assert (env["GO111MODULE"], env["GOPROXY"], env["CGO_ENABLED"]) == ("off", "off", "0")
    assert env["GOPATH"] == "/usr/share/gocode"
    assert env["GOCACHE"] == str(tmp_path / "gocache")


def test_database_route_is_reported_against_its_own_baseline(capsys):
    """ours-db's ratios are to floor-db (the bare pool, same round), and the main pass rule ignores them."""
    base = {**_run(1, 1.0, 1.0), "rps_ratio": 1.0, "p99_ratio": 1.0, "cpu_ratio": 1.0}
    floor = [_run(500, 10.0, 300.0), _run(400, 20.0, 300.0)]
    ours_db = app_bench.summarize([_run(300, 20.0, 600.0), _run(300, 20.0, 400.0)], floor)
    assert ours_db["rps_ratio"] == pytest.approx((0.6 + 0.75) / 2)
    assert ours_db["cpu_ratio"] == pytest.approx((0.5 + 0.75) / 2)
    results = {"go": base, "ours": base, "bottle": base, "floor-db": base, "ours-db": ours_db}
    code = app_bench.report(results, argparse.Namespace(rounds=2, json_out=None, strict=True))
    out = capsys.readouterr().out
    assert code == 0 and "PASS" in out
    assert f"database route GET {app_bench.DB_PATH}" in out and "ours-db/floor-db: req/s 0.68" in out


def test_database_servers_are_chosen_only_when_postgres_is_there(monkeypatch):
    from emulator.dataplane import postgres  # noqa: PLC0415

    args = argparse.Namespace(candidates="", db=True)
    monkeypatch.setattr(postgres, "available", lambda: True)
    assert app_bench.chosen_servers(args)[-2:] == ["floor-db", "ours-db"]
    monkeypatch.setattr(postgres, "available", lambda: False)
    assert app_bench.chosen_servers(args) == ["go", "ours", "bottle"]
    monkeypatch.setattr(postgres, "available", lambda: True)
    assert app_bench.chosen_servers(argparse.Namespace(candidates="", db=False)) == ["go", "ours", "bottle"]
