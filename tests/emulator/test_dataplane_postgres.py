"""emulator/dataplane/postgres.py: a real PostgreSQL cluster on a loopback address, TLS forced, run as postgres."""

import os
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from emulator.dataplane import postgres

psycopg = pytest.importorskip("psycopg")
pytestmark = pytest.mark.skipif(not postgres.available(), reason="Debian's postgresql-15 is not installed")

HOST = "127.77.0.5"  # a loopback address no other test uses


@pytest.fixture
def base_dir():
    # pytest's tmp_path is 0700 root: the postgres user could not reach a cluster under it.
    directory = tempfile.mkdtemp(prefix="pg-test-")
    os.chmod(directory, 0o711)
    yield Path(directory)
    subprocess.run(["rm", "-rf", directory], check=False)


@pytest.fixture
def cluster(base_dir):
    tls = postgres.server_certificate(["db.example.test"], [HOST])
    server = postgres.Cluster(base_dir / "db", HOST, 5432, tls=tls)
    server.start()
    server.create_role("master", "first-pass'word")
    server.create_database("app", "master")
    yield server
    server.destroy()


def connect(password: str, **kwargs):
    params = {"sslmode": "verify-full", "sslrootcert": str(postgres.ca_file()), "user": "master"} | kwargs
    return psycopg.connect(host=HOST, port=5432, dbname="app", password=password, connect_timeout=5, **params)


def test_a_verified_tls_connection_with_the_role_password_reaches_the_database(cluster):
    with connect("first-pass'word") as conn:
        row = conn.execute(
            "SELECT current_user, current_database(), ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
        ).fetchone()
    assert row == ("master", "app", True)


def test_the_server_runs_as_the_postgres_user_and_listens_on_its_address_only(cluster):
    status = Path(f"/proc/{cluster.proc.pid}/status").read_text()
    uid = next(line.split()[1] for line in status.splitlines() if line.startswith("Uid:"))
    assert int(uid) == postgres.pwd.getpwnam("postgres").pw_uid
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()


def test_without_tls_the_server_refuses_the_connection(cluster):
    # rds.force_ssl=1: "no pg_hba.conf entry ... no encryption"
    with pytest.raises(psycopg.OperationalError, match="no encryption"):
        connect("first-pass'word", sslmode="disable")


def test_a_new_password_replaces_the_old_one(cluster):
    cluster.set_password("master", "second")
    with connect("second") as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect("first-pass'word")


def test_the_bootstrap_superuser_cannot_log_in_over_tcp(cluster):
    with pytest.raises(psycopg.OperationalError, match="pg_hba.conf rejects"):
        connect("", user="postgres")


def test_stop_ends_the_server_and_its_port(cluster):
    pid = cluster.proc.pid
    cluster.stop()
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
    with pytest.raises(OSError):
        socket.create_connection((HOST, 5432), timeout=1).close()


def test_the_cluster_keeps_its_data_across_a_restart(cluster):
    cluster.stop()
    cluster.start()
    assert "app" in cluster.databases()


def test_a_directory_the_postgres_user_cannot_reach_is_refused_before_initdb():
    private = tempfile.mkdtemp(prefix="pg-private-")  # 0700 root
    try:
        with pytest.raises(postgres.PostgresError, match="cannot reach"):
            postgres.Cluster(Path(private) / "db", HOST).start()
    finally:
        os.rmdir(private)


def test_traversable_needs_the_exec_bit_of_every_directory_above(tmp_path):
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    owner = (tmp_path / "a").stat().st_uid
    assert postgres.traversable(inner / "db", uid=owner, gids=set())  # owner bits: pytest's dirs are 0700
    assert not postgres.traversable(inner / "db", uid=owner + 12345, gids=set())
