"""The notes table in PostgreSQL, through psycopg 3 and a connection pool sized for the server's threads.

Imported only when DB_HOST is set, so the app without a database never loads psycopg.

- Pool: one worker process runs ``SERVER_THREADS`` request threads (app/server.py), each holding at most one
  connection during a request, so the pool is fixed at that many: no request waits for another's connection, and
  none sits idle beyond them. The pool connects in the background: a database that is down at start does not
  stop the server from starting (requests then answer 503 and /health says so).
- Schema: created by the first connection of each process (``configure``), under a transaction-level advisory
  lock, so that several tasks starting at once do not race on ``CREATE TABLE IF NOT EXISTS`` (which is not
  safe against a concurrent create of the same name: it may fail on the catalog's unique index).
- Credentials: from app/credentials.py; a failed connect re-reads the secret once (rotation), see there.
- Lost connections (a restart, a failover): a read is retried once on a fresh connection; a write is not (the
  client cannot tell whether it was committed, so it gets 503 and decides).
"""

from __future__ import annotations

import logging
import threading
import time

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from app.config import DatabaseSettings
from app.credentials import SecretCredentials, StaticCredentials
from app.notes import MAX_TEXT

LOG = logging.getLogger("app.db")
SCHEMA_LOCK = 0x6E6F746573  # any constant: the advisory lock's key ("notes")
SCHEMA = f"""CREATE TABLE IF NOT EXISTS notes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    text text NOT NULL CHECK (char_length(text) BETWEEN 1 AND {MAX_TEXT}),
    created_at timestamptz NOT NULL DEFAULT now()
)"""
POOL_TIMEOUT = 1.0  # s a request waits for a connection before 503: a database outage must not hold every thread
HEALTH_TIMEOUT = 0.5  # s /health waits for a connection
HEALTH_TTL = 2.0  # s a health probe's result is reused: load balancer checks do not each cost a query
STATEMENT_TIMEOUT_MS = 5000
MAX_ID = 2**63 - 1


class Unavailable(Exception):
    """The database did not answer (no connection in time, connection lost, statement cancelled)."""


def connect_kwargs(settings: DatabaseSettings, application_name: str) -> dict:
    """libpq parameters apart from the user and password (those come from the credentials at each connect)."""
    kwargs = {
        "host": settings.host,
        "port": settings.port,
        "dbname": settings.name,
        "sslmode": settings.sslmode,
        "connect_timeout": settings.connect_timeout,
        "application_name": application_name[:63],
        "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c TimeZone=UTC",
        # each statement is its own transaction: no BEGIN and COMMIT round trips around a single statement
        "autocommit": True,
    }
    if settings.sslrootcert:
        kwargs["sslrootcert"] = settings.sslrootcert
    return kwargs


def make_credentials(settings: DatabaseSettings) -> StaticCredentials | SecretCredentials:
    if settings.secret_arn:
        return SecretCredentials(settings.secret_arn, settings.user, settings.password)
    return StaticCredentials(settings.user, settings.password)


def rotating_connection(credentials) -> type[psycopg.Connection]:
    """A connection class whose connect, when it fails, re-reads the credentials once and tries again with them."""

    class RotatingConnection(psycopg.Connection):
        @classmethod
        def connect(cls, conninfo: str = "", **kwargs):
            try:
                return super().connect(conninfo, **kwargs)
            except psycopg.OperationalError:
                if not credentials.refresh():
                    raise
            return super().connect(conninfo, **{**kwargs, **credentials.get()})

    return RotatingConnection


def _note(row) -> dict:
    note_id, text, created_at = row  # in UTC: the session's TimeZone
    return {"id": note_id, "text": text, "created_at": created_at.isoformat(timespec="milliseconds")[:-6] + "Z"}


class Database:
    """The pool and the three statements the notes routes need."""

    def __init__(self, settings: DatabaseSettings, size: int, application_name: str = "app", credentials=None) -> None:
        self.credentials = credentials or make_credentials(settings)
        self._static = connect_kwargs(settings, application_name)
        self.schema_ready = False
        self._health = (float("-inf"), False)
        self._health_lock = threading.Lock()
        self.pool = ConnectionPool(
            kwargs=self._kwargs,
            connection_class=rotating_connection(self.credentials),
            min_size=size,
            max_size=size,
            open=False,
            name="app-db",
            timeout=POOL_TIMEOUT,
            configure=self._configure,
        )

    def _kwargs(self) -> dict:
        return {**self._static, **self.credentials.get()}

    def _configure(self, conn: psycopg.Connection) -> None:
        if self.schema_ready:
            return
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            conn.execute(SCHEMA)
        self.schema_ready = True
        LOG.info("database schema ready (table notes)")

    def open(self, wait: bool = False, timeout: float = 30.0) -> Database:
        """Start connecting (in the background unless ``wait``)."""
        self.pool.open(wait=wait, timeout=timeout)
        return self

    def close(self) -> None:
        self.pool.close()

    def _run(self, work, retry: bool):
        """``work(conn)`` in a transaction; Unavailable when the database does not answer."""
        for attempt in range(2 if retry else 1):
            conn = None
            try:
                with self.pool.connection() as conn:
                    return work(conn)
            except PoolTimeout as exc:
                raise Unavailable(f"no database connection within {POOL_TIMEOUT:g} s") from exc
            except psycopg.OperationalError as exc:
                if conn is None or not conn.broken:  # e.g. the statement timed out: the server is there but slow
                    raise Unavailable(f"database error: {type(exc).__name__}") from exc
                LOG.warning("database connection lost (%s)%s", exc, "; retrying" if retry and not attempt else "")
                self.pool.check()  # discard the other connections the same event broke
        raise Unavailable("database connection lost")

    def add_note(self, text: str) -> dict:
        sql = "INSERT INTO notes (text) VALUES (%s) RETURNING id, text, created_at"
        return self._run(lambda conn: _note(conn.execute(sql, (text,)).fetchone()), retry=False)

    def list_notes(self, limit: int) -> list[dict]:
        sql = "SELECT id, text, created_at FROM notes ORDER BY id DESC LIMIT %s"
        return self._run(lambda conn: [_note(row) for row in conn.execute(sql, (limit,))], retry=True)

    def get_note(self, note_id: int) -> dict | None:
        if not 1 <= note_id <= MAX_ID:
            return None
        sql = "SELECT id, text, created_at FROM notes WHERE id = %s"
        row = self._run(lambda conn: conn.execute(sql, (note_id,)).fetchone(), retry=True)
        return _note(row) if row else None

    def healthy(self) -> bool:
        """Whether the database answered a query lately (one probe per HEALTH_TTL; concurrent callers reuse it)."""
        checked_at, ok = self._health
        if time.monotonic() - checked_at < HEALTH_TTL or not self._health_lock.acquire(blocking=False):
            return ok
        try:
            try:
                with self.pool.connection(timeout=HEALTH_TIMEOUT) as conn:
                    conn.execute("SELECT 1")
                ok = True
            except (PoolTimeout, psycopg.Error) as exc:
                if ok:
                    LOG.warning("database unavailable: %s: %s", type(exc).__name__, exc)
                ok = False
            self._health = (time.monotonic(), ok)
        finally:
            self._health_lock.release()
        return ok
