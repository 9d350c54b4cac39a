"""The per-request JSON log line and the JSON formatting of the app's own log records."""

from __future__ import annotations

import json
import logging
import logging.config
import os
import re
import sys

from app.logs import AccessLogger, JsonFormatter, LineHandler, LineWriter, server_log_config, utc_stamp

KEYS = {"time", "level", "method", "path", "status", "duration_ms", "request_id", "version"}
TIME_RE = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


def test_one_line_per_request_with_exact_fields(client, log_writer):
    resp = client.get("/?q=1", headers={"Accept": "text/plain"})
    assert len(log_writer.lines) == 1
    line = log_writer.lines[0]
    assert "\n" not in line
    rec = json.loads(line)
    assert set(rec) == KEYS
    assert re.fullmatch(TIME_RE, rec["time"])
    assert rec["level"] == "INFO"
    assert rec["method"] == "GET"
    assert rec["path"] == "/"
    assert rec["status"] == 200
    assert isinstance(rec["duration_ms"], float)
    assert 0 <= rec["duration_ms"] < 5000
    assert rec["request_id"] == resp.headers["X-Request-Id"]
    assert rec["version"] == "1.2.3"


def test_error_statuses_are_logged(client, log_writer):
    client.get("/missing", status=404)
    client.post("/", status=405)
    assert [(r["method"], r["path"], r["status"]) for r in log_writer.records()] == [
        ("GET", "/missing", 404),
        ("POST", "/", 405),
    ]


def test_no_query_string_headers_or_body_in_log(client, log_writer):
    client.post(
        "/health?api_key=s3cr3t-query",
        params="password=s3cr3t-body",
        headers={"Authorization": "Bearer s3cr3t-header", "Cookie": "sid=s3cr3t-cookie", "X-Request-Id": "rid-1"},
        status=405,
    )
    line = log_writer.lines[0]
    assert "s3cr3t" not in line
    assert "Bearer" not in line
    rec = json.loads(line)
    assert rec["path"] == "/health"
    assert rec["request_id"] == "rid-1"


def test_non_ascii_path_is_logged_as_utf8(client, log_writer):
    client.get("/caf%C3%A9", status=404)
    assert log_writer.records()[0]["path"] == "/café"


def test_log_off_above_info(make_client, log_writer):
    client = make_client(log_level="WARNING")
    resp = client.get("/health")
    assert resp.headers["X-Request-Id"]
    assert log_writer.lines == []


def test_logger_escapes_hostile_values():
    lines = []
    writer = type("W", (), {"write_line": staticmethod(lines.append)})()
    AccessLogger('v"1', writer=writer).log('G"T', '/a"b\\c\n', 200, 1.23456, 'id"x')
    rec = json.loads(lines[0])
    assert rec["method"] == 'G"T'
    assert rec["path"] == '/a"b\\c\n'
    assert rec["version"] == 'v"1'
    assert rec["request_id"] == 'id"x'
    assert rec["duration_ms"] == 1.235


def test_line_writer_writes_whole_lines(tmp_path):
    target = tmp_path / "out.log"
    fd = os.open(target, os.O_WRONLY | os.O_CREAT)
    try:
        LineWriter(fd).write_line('{"a":"é"}')
        LineWriter(fd).write_line("second")
    finally:
        os.close(fd)
    assert target.read_text(encoding="utf-8") == '{"a":"é"}\nsecond\n'


def test_utc_stamp():
    assert utc_stamp(0.5) == "1970-01-01T00:00:00.500Z"
    assert utc_stamp(1714564800.1239) == "2024-05-01T12:00:00.123Z"  # truncated, never rounded up
    assert utc_stamp(1714564800.9999998) == "2024-05-01T12:00:00.999Z"
    assert utc_stamp(1714564801.0) == "2024-05-01T12:00:01.000Z"
    assert re.fullmatch(TIME_RE, utc_stamp())


def _record_with_exception() -> logging.LogRecord:
    try:
        raise ValueError("bad")
    except ValueError:
        return logging.LogRecord("app", logging.ERROR, __file__, 1, "failed %s", ("x",), sys.exc_info())


def test_json_formatter_for_app_events():
    doc = json.loads(JsonFormatter("1.2.3").format(_record_with_exception()))
    assert doc["level"] == "ERROR"
    assert doc["logger"] == "app"
    assert doc["message"] == "failed x"
    assert doc["version"] == "1.2.3"
    assert "ValueError: bad" in doc["error"]


def test_server_log_config_is_valid_dictconfig():
    root, granian = logging.getLogger(), logging.getLogger("_granian")
    saved = [(lg, lg.handlers[:], lg.level, lg.propagate) for lg in (root, granian)]
    try:
        logging.config.dictConfig(server_log_config("WARNING", "1.2.3"))
        assert isinstance(granian.handlers[0].formatter, JsonFormatter)
        assert isinstance(granian.handlers[0], LineHandler)
        assert granian.level == logging.WARNING
        assert granian.propagate is False
    finally:
        for logger, handlers, level, propagate in saved:
            logger.handlers[:] = handlers
            logger.setLevel(level)
            logger.propagate = propagate


def test_line_writer_never_raises_on_a_broken_stdout():
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        LineWriter(write_end).write_line("nobody reads this")  # EPIPE
    finally:
        os.close(write_end)
    LineWriter(999_999).write_line("no such descriptor")  # EBADF
