"""Shared fixtures for the app tests: a WebTest client with captured log lines, a fake ECS metadata endpoint,
and a real PostgreSQL server (the emulator's, emulator/dataplane/postgres.py) with TLS from the local CA."""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
import webtest

# pytest runs with --import-mode=importlib: put the repository root (for app/) and this folder (for
# app_test_helpers) on sys.path so that the test modules can import both
for _path in (str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parent)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from app_test_helpers import FakeMetadata, free_port  # noqa: E402

from app.config import DatabaseSettings, Settings  # noqa: E402
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

    def make(database=None, **overrides) -> webtest.TestApp:
        settings = Settings(**{"app_version": "1.2.3", "git_commit": "abc1234", **overrides})
        logger = AccessLogger(settings.app_version, writer=log_writer, enabled=settings.access_log)
        return webtest.TestApp(create_app(settings, logger=logger, database=database))

    return make


@pytest.fixture
def client(make_client) -> webtest.TestApp:
    return make_client(build_time="2024-05-01T12:00:00Z")


@pytest.fixture
def fake_metadata():
    with FakeMetadata() as fake:
        yield fake


@dataclasses.dataclass
class PgServer:
    """A running PostgreSQL cluster and how to reach it with verify-full TLS."""

    cluster: object
    host: str
    port: int
    ca: str
    counter: itertools.count = dataclasses.field(default_factory=lambda: itertools.count(1))

    def new_database(self) -> DatabaseSettings:
        """A fresh login role and a database it owns: each test sees an empty schema and its own password."""
        n = next(self.counter)
        user, name, password = f"app_{n}", f"notes_{n}", f"first-password-{n}"
        self.cluster.create_role(user, password)
        self.cluster.create_database(name, user)
        return DatabaseSettings(
            host=self.host, name=name, port=self.port, user=user, password=password, sslrootcert=self.ca
        )

    def sql(self, text: str, database: str = "postgres") -> str:
        return self.cluster.psql(text, database)


@pytest.fixture(scope="session")
def postgres():
    """One real PostgreSQL server for the session (Debian's binaries), TLS only, verified with the local CA."""
    from emulator.dataplane import balancers  # pylint: disable=import-outside-toplevel
    from emulator.dataplane import postgres as pg  # pylint: disable=import-outside-toplevel

    if not pg.available():
        pytest.skip("needs Debian's postgresql server (make venv installs it: scripts/install_postgresql.sh)")
    root = Path(tempfile.mkdtemp(prefix="app-tests-pg-"))
    os.chmod(root, 0o755)  # the postgres user must reach the cluster directory below it
    host = "127.0.0.1"
    cluster = pg.Cluster(root / "cluster", host, free_port(), tls=pg.server_certificate(["localhost"], [host]))
    # the CA of this process, in a file of its own: the shared .emulator/elb-local-ca.pem is rewritten by
    # every emulator process (each has its own CA), which would break verification mid-session
    ca = root / "ca.pem"
    ca.write_bytes(balancers.ca_pem())
    cluster.start()
    try:
        yield PgServer(cluster, host, cluster.port, str(ca))
    finally:
        cluster.destroy()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def db_settings(postgres) -> DatabaseSettings:
    return postgres.new_database()


@pytest.fixture
def open_db():
    """Open app.db.Database objects (waiting for their first connections) and close them after the test."""
    from app.db import Database  # pylint: disable=import-outside-toplevel

    opened = []

    def make(settings: DatabaseSettings, size: int = 4, wait: bool = True, **kwargs) -> Database:
        database = Database(settings, size, "app-tests", **kwargs)
        opened.append(database)
        return database.open(wait=wait, timeout=15)

    yield make
    for database in opened:
        database.close()


@pytest.fixture
def db_client(make_client, open_db, db_settings):
    """A WebTest client of the full app backed by a fresh database on the real server."""
    database = open_db(db_settings)
    app = make_client(database=database)
    app.database = database
    return app
