"""The notes resource against a real PostgreSQL server: routes, validation, schema, TLS, outages, no-database mode."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import io
import json
import signal
import sys
import threading
import urllib.request
import wsgiref.util

import pytest
from app_test_helpers import ROOT, base_env, free_port, running_server, wait_healthy

from app import notes
from app.db import Database


def _count(postgres, settings) -> int:
    return int(postgres.sql("SELECT count(*) FROM notes", settings.name))


def test_post_then_list_newest_first(db_client):
    created = [db_client.post_json("/notes", {"text": f"note {n}"}, status=201) for n in range(3)]
    first = created[0]
    assert first.headers["Location"] == f"/notes/{first.json['id']}"
    assert first.content_type == "application/json"
    assert set(first.json) == {"id", "text", "created_at"} and first.json["text"] == "note 0"
    assert first.json["created_at"].endswith("Z")
    listed = db_client.get("/notes").json["notes"]
    assert [n["text"] for n in listed] == ["note 2", "note 1", "note 0"]
    assert db_client.get("/notes?limit=2").json["notes"] == listed[:2]
    assert db_client.get("/notes").headers["Cache-Control"] == "no-store"


def test_get_one_note_and_404_as_json(db_client):
    note = db_client.post_json("/notes", {"text": "élan ✓"}, status=201).json
    assert db_client.get(f"/notes/{note['id']}").json == note
    for missing in (note["id"] + 1, 2**70):
        res = db_client.get(f"/notes/{missing}", status=404)
        assert res.json == {
            "error": "Not Found",
            "status": 404,
            "detail": f"no note {missing}",
            "path": f"/notes/{missing}",
        }


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"not json", "the body must be a JSON object"),
        (b"\xff\xfe", "the body must be a JSON object"),
        (b'["text"]', "the body must be a JSON object"),
        (b'{"text": 5}', "text must be a string of 1 to 1000 characters"),
        (b'{"text": ""}', "text must be a string of 1 to 1000 characters"),
        (b'{"text": "   "}', "not blank"),
        (json.dumps({"text": "x" * 1001}).encode(), "text must be a string of 1 to 1000 characters"),
        (b'{"text": "a\\u0000b"}', "NUL"),
        (b'{"text": "a", "author": "b"}', "unknown field(s) author"),
        (b"{}", "text must be a string"),
    ],
)
def test_bad_note_is_400_and_stores_nothing(db_client, postgres, db_settings, body, detail):
    res = db_client.post("/notes", body, content_type="application/json", status=400)
    assert res.json["error"] == "Bad Request" and detail in res.json["detail"]
    assert _count(postgres, db_settings) == 0


def test_longest_note_is_accepted(db_client):
    text = "é" * notes.MAX_TEXT  # characters, not bytes
    assert db_client.post_json("/notes", {"text": text}, status=201).json["text"] == text


def test_wrong_content_type_and_too_large_body(db_client, postgres, db_settings):
    res = db_client.post("/notes", b'{"text": "a"}', content_type="text/plain", status=415)
    assert res.json["detail"] == "Content-Type must be application/json"
    big = json.dumps({"text": "a" * (notes.MAX_BODY + 10)}).encode()
    res = db_client.post("/notes", big, content_type="application/json", status=413)
    assert res.json["status"] == 413 and str(notes.MAX_BODY) in res.json["detail"]
    assert _count(postgres, db_settings) == 0


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "1.5", "9" * 5000, "٣"])
def test_bad_limit_is_400_naming_it(db_client, limit):
    res = db_client.get("/notes", {"limit": limit}, status=400)
    assert res.json["detail"] == "limit must be an integer from 1 to 100"


def test_other_methods_are_405_as_json(db_client):
    res = db_client.delete("/notes", status=405)
    assert res.json["allowed"] == ["GET", "POST"] and res.headers["Allow"] == "GET,POST"


def test_schema_is_created_once_by_several_tasks_starting_at_once(postgres, db_settings):
    """Eight pools (eight tasks) connect to an empty database at the same moment: none fails, one table."""
    barrier = threading.Barrier(8)
    errors, databases = [], []

    def start():
        database = Database(db_settings, 2, "app-tests")
        databases.append(database)
        barrier.wait()
        try:
            database.open(wait=True, timeout=15)
            database.add_note("hello")
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=start) for _worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for database in databases:
        database.close()
    assert errors == []
    assert postgres.sql("SELECT count(*) FROM pg_tables WHERE tablename = 'notes'", db_settings.name) == "1"
    assert _count(postgres, db_settings) == 8


def test_health_says_whether_the_database_answers(db_client, make_client, open_db, db_settings, postgres):
    res = db_client.get("/health")
    assert res.json == {"status": "ok", "database": "ok", "ready": True}
    assert res.headers["Cache-Control"] == "no-store"
    unreachable = dataclasses.replace(db_settings, port=postgres.port + 1 if postgres.port < 65535 else 1)
    down = make_client(database=open_db(unreachable, wait=False))
    res = down.get("/health", status=200)  # the load balancer's check still passes
    assert res.json == {"status": "ok", "database": "unavailable", "ready": False}
    res = down.get("/notes", status=503)
    assert res.json == {"error": "Service Unavailable", "status": 503, "detail": "database unavailable"}
    assert res.headers["Retry-After"] == "2"
    down.post_json("/notes", {"text": "a"}, status=503)


@pytest.mark.parametrize("case", ["another CA", "no TLS"])
def test_tls_is_verified(open_db, make_client, db_settings, tmp_path, case):
    """Every other test connects with verify-full and the local CA; here the same server with another CA
    fails verification, and a client without TLS is refused by the server (hostssl only, as rds.force_ssl=1)."""
    if case == "another CA":
        import certifi  # noqa: PLC0415 - public roots: they did not sign the server's certificate

        settings = dataclasses.replace(db_settings, sslrootcert=certifi.where())
    else:
        settings = dataclasses.replace(db_settings, sslmode="disable", sslrootcert=None)
    database = open_db(settings, wait=False)
    client = make_client(database=database)
    assert client.get("/notes", status=503).json["detail"] == "database unavailable"
    assert database.pool.get_stats().get("connections_errors", 0) >= 1


def test_reads_survive_a_database_restart(db_client, postgres):
    db_client.post_json("/notes", {"text": "before"}, status=201)
    postgres.cluster.stop()
    postgres.cluster.start()
    # every pooled connection is now dead: the read is retried on a fresh one
    assert [n["text"] for n in db_client.get("/notes").json["notes"]] == ["before"]
    db_client.post_json("/notes", {"text": "after"}, status=201)


def test_pool_is_bounded_by_the_server_threads(db_client, postgres, db_settings):
    """32 concurrent writers share the 4 connections of a 4-thread server; every note is stored once."""
    app = db_client.app
    errors = []

    def write(n):
        try:
            for i in range(10):
                body = json.dumps({"text": f"{n}-{i}"}).encode()
                env = {
                    "REQUEST_METHOD": "POST",
                    "PATH_INFO": "/notes",
                    "CONTENT_TYPE": "application/json",
                    "CONTENT_LENGTH": str(len(body)),
                }
                status = _wsgi(app, env, body)
                if status != 201:
                    errors.append(status)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _count(postgres, db_settings) == 320
    sessions = postgres.sql(f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{db_settings.name}'")
    assert int(sessions) == 4


def _wsgi(app, environ, body: bytes) -> int:

    wsgiref.util.setup_testing_defaults(environ)
    environ["wsgi.input"] = io.BytesIO(body)
    seen = []
    b"".join(app(environ, lambda status, headers, exc_info=None: seen.append(status)))
    return int(seen[0][:3])


def test_without_a_database_the_notes_routes_answer_503(client):
    for method, path in (("get", "/notes"), ("post", "/notes"), ("get", "/notes/1")):
        res = getattr(client, method)(path, status=503)
        assert res.json == {"error": "Service Unavailable", "status": 503, "detail": "database not configured"}
        assert "Retry-After" not in res.headers
    assert client.get("/health").json == {"status": "ok"}


def test_the_production_server_serves_notes_with_a_pool_of_its_threads(postgres, db_settings):
    """``python -m app`` (granian, 2 threads) from the environment ECS gives it; 16 concurrent clients."""

    port = free_port()
    env = base_env(
        PORT=str(port),
        SERVER_THREADS="2",
        DB_HOST=db_settings.host,
        DB_PORT=str(db_settings.port),
        DB_NAME=db_settings.name,
        DB_USER=db_settings.user,
        DB_PASSWORD=db_settings.password,
        DB_SSLROOTCERT=db_settings.sslrootcert,
    )

    def post(n):
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/notes",
            data=json.dumps({"text": f"n{n}"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status

    with running_server([sys.executable, "-m", "app"], env, cwd=ROOT) as proc:
        wait_healthy(port, proc)
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            assert set(pool.map(post, range(64))) == {201}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as resp:
            assert json.loads(resp.read()) == {"status": "ok", "database": "ok", "ready": True}
        sessions = postgres.sql(f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{db_settings.name}'")
        assert int(sessions) == 2
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    assert _count(postgres, db_settings) == 64
