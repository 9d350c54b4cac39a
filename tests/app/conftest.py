"""Shared fixtures for the app tests: a WebTest client with captured log lines, a fake ECS metadata endpoint."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import webtest

# pytest runs with --import-mode=importlib: put the repository root (for app/) and this folder (for
# app_test_helpers) on sys.path so that the test modules can import both
for _path in (str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parent)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from app_test_helpers import FakeMetadata  # noqa: E402

from app.config import Settings  # noqa: E402
from app.logs import AccessLogger  # noqa: E402
from app.web import create_app  # noqa: E402


class ListWriter:
    """Collects log lines in memory instead of writing them to stdout."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def write_line(self, text: str) -> None:
        self.lines.append(text)

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.lines]


@pytest.fixture
def log_writer() -> ListWriter:
    return ListWriter()


@pytest.fixture
def make_client(log_writer):
    """Build a WebTest client for the full WSGI app (middleware included) from Settings overrides."""

    def make(**overrides) -> webtest.TestApp:
        settings = Settings(**{"app_version": "1.2.3", "git_commit": "abc1234", **overrides})
        logger = AccessLogger(settings.app_version, writer=log_writer, enabled=settings.access_log)
        return webtest.TestApp(create_app(settings, logger=logger))

    return make


@pytest.fixture
def client(make_client) -> webtest.TestApp:
    return make_client(build_time="2024-05-01T12:00:00Z")


@pytest.fixture
def fake_metadata():
    with FakeMetadata() as fake:
        yield fake
