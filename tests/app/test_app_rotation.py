"""Password rotation: the secret is re-read when a connect fails, so the app keeps answering after a rotation.

The real PostgreSQL server's password is changed, then the emulated secret (moto's Secrets Manager, in process),
as RDS's rotation does; the sessions the app holds are then ended (as at their max lifetime or a failover), so
the next request needs a new connection.
"""

from __future__ import annotations

import dataclasses
import json

import boto3
import moto
import pytest

from app import credentials

REGION = "eu-west-1"


@pytest.fixture
def secrets(monkeypatch):
    """moto's Secrets Manager in this process, with fake credentials; botocore clients made afresh."""
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setattr(credentials, "_CLIENTS", {})
    with moto.mock_aws():
        yield boto3.client("secretsmanager", region_name=REGION)


def _rotate(postgres, client, settings, secret_arn=None):
    postgres.cluster.set_password(settings.user, "rotated-password")
    if secret_arn:
        doc = {"username": settings.user, "password": "rotated-password"}
        client.put_secret_value(SecretId=secret_arn, SecretString=json.dumps(doc))
    postgres.sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{settings.user}'")


def _start(db_settings, open_db, make_client, secret_arn=None):
    settings = dataclasses.replace(db_settings, secret_arn=secret_arn)
    app = make_client(database=open_db(settings))
    app.post_json("/notes", {"text": "before"}, status=201)
    return app


def test_after_a_rotation_new_connections_use_the_fresh_secret(postgres, db_settings, open_db, make_client, secrets):
    doc = {"username": db_settings.user, "password": db_settings.password, "engine": "postgres"}
    arn = secrets.create_secret(Name="rds!db-notes", SecretString=json.dumps(doc))["ARN"]
    app = _start(db_settings, open_db, make_client, arn)
    _rotate(postgres, secrets, db_settings, arn)
    assert [n["text"] for n in app.get("/notes").json["notes"]] == ["before"]
    app.post_json("/notes", {"text": "after"}, status=201)
    assert app.get("/health").json["database"] == "ok"


def test_without_the_secret_arn_a_rotation_leaves_only_the_stale_password(
    postgres, db_settings, open_db, make_client, secrets
):
    """Why DB_SECRET_ARN exists: the value ECS injected at start no longer logs in."""
    app = _start(db_settings, open_db, make_client)
    _rotate(postgres, secrets, db_settings)
    assert app.get("/notes", status=503).json["detail"] == "database unavailable"


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_secret_is_read_only_when_a_connect_failed_and_at_most_every_interval():
    reads = []

    def fetch(arn):
        reads.append(arn)
        return {"username": "app", "password": f"pw{len(reads)}"}

    clock = FakeClock()
    creds = credentials.SecretCredentials("arn:x", "app", "injected", fetch=fetch, clock=clock)
    assert creds.get() == {"user": "app", "password": "injected"} and reads == []  # the injected value first
    assert creds.refresh() is True and creds.get()["password"] == "pw1"
    assert creds.refresh() is False and len(reads) == 1  # a database that is down does not flood Secrets Manager
    clock.now += credentials.MIN_INTERVAL
    assert creds.refresh() is True and creds.get()["password"] == "pw2"


def test_secret_read_failure_keeps_the_known_value_and_logs_no_secret(caplog):
    def fetch(arn):
        raise KeyError("password")

    creds = credentials.SecretCredentials("arn:x", "app", "injected-secret", fetch=fetch)
    assert creds.refresh() is False
    assert creds.get() == {"user": "app", "password": "injected-secret"}
    assert "cannot read the database secret arn:x: KeyError" in caplog.text
    assert "injected-secret" not in caplog.text


def test_secret_is_read_at_first_use_when_nothing_was_injected():
    creds = credentials.SecretCredentials("arn:x", fetch=lambda arn: {"username": "u", "password": "p"})
    assert creds.get() == {"user": "u", "password": "p"}


def test_fetch_secret_reads_awscurrent_in_the_arns_region(secrets, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # not the secret's region
    arn = secrets.create_secret(Name="s", SecretString=json.dumps({"username": "u", "password": "old"}))["ARN"]
    secrets.put_secret_value(SecretId=arn, SecretString=json.dumps({"username": "u", "password": "new"}))
    assert credentials.fetch_secret(arn) == {"username": "u", "password": "new"}
    secrets.put_secret_value(SecretId=arn, SecretString='["not", "an", "object"]')
    with pytest.raises(ValueError, match="not a JSON object"):
        credentials.fetch_secret(arn)
