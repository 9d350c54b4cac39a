"""DB_* variables: read as ECS delivers them (spec env + secret JSON keys), refused with the variable named."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from app_test_helpers import ROOT, base_env

from app.config import ConfigError, DatabaseSettings, load_settings

ARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!db-0f9a-AbC123"


@pytest.fixture
def ca(tmp_path):
    path = tmp_path / "ca.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\n")
    return str(path)


def test_no_db_host_means_no_database():
    assert load_settings({}).database is None
    assert load_settings({"DB_HOST": " ", "DB_NAME": "app"}).database is None


def test_all_db_variables_read(ca):
    env = {
        "DB_HOST": "db.abc.eu-west-1.rds.amazonaws.com",
        "DB_PORT": "6543",
        "DB_NAME": "notes_1",
        "DB_USER": "app",
        "DB_PASSWORD": "p@ss word",
        "DB_SECRET_ARN": ARN,
        "DB_SSLMODE": "VERIFY-CA",
        "DB_SSLROOTCERT": ca,
        "DB_CONNECT_TIMEOUT": "9",
    }
    assert load_settings(env).database == DatabaseSettings(
        host="db.abc.eu-west-1.rds.amazonaws.com",
        name="notes_1",
        port=6543,
        user="app",
        password="p@ss word",
        secret_arn=ARN,
        sslmode="verify-ca",
        sslrootcert=ca,
        connect_timeout=9,
    )


def test_defaults_verify_full_and_port_5432(ca):
    db = load_settings(
        {"DB_HOST": "10.0.3.4", "DB_NAME": "app", "DB_USER": "u", "DB_PASSWORD": "hunter2", "DB_SSLROOTCERT": ca}
    ).database
    assert (db.port, db.sslmode, db.secret_arn) == (5432, "verify-full", None)
    assert "hunter2" not in repr(db)  # the password stays out of the repr


def test_secret_arn_alone_is_enough():
    db = load_settings({"DB_HOST": "h", "DB_NAME": "app", "DB_SECRET_ARN": ARN, "DB_SSLROOTCERT": "system"}).database
    assert (db.user, db.password, db.secret_arn, db.sslrootcert) == ("", "", ARN, "system")


def test_weaker_tls_only_when_asked():
    db = load_settings({"DB_HOST": "h", "DB_NAME": "app", "DB_USER": "u", "DB_PASSWORD": "p", "DB_SSLMODE": "disable"})
    assert (db.database.sslmode, db.database.sslrootcert) == ("disable", None)


BASE = {"DB_HOST": "h", "DB_NAME": "app", "DB_USER": "u", "DB_PASSWORD": "p", "DB_SSLROOTCERT": "system"}


@pytest.mark.parametrize(
    ("override", "name", "allowed"),
    [
        ({"DB_HOST": "bad host!"}, "DB_HOST", "a DNS name or an IP address"),
        ({"DB_NAME": ""}, "DB_NAME", "a letter then letters, digits or underscores"),
        ({"DB_NAME": "1app"}, "DB_NAME", "63 at most"),
        ({"DB_NAME": "a" * 64}, "DB_NAME", "63 at most"),
        ({"DB_NAME": "my-db"}, "DB_NAME", "63 at most"),
        ({"DB_USER": ""}, "DB_USER", "unless DB_SECRET_ARN is set"),
        ({"DB_PASSWORD": ""}, "DB_PASSWORD", "unless DB_SECRET_ARN is set"),
        ({"DB_SECRET_ARN": "rds!db-0f9a"}, "DB_SECRET_ARN", "a Secrets Manager secret ARN"),
        ({"DB_SECRET_ARN": "arn:aws:ssm:eu-west-1:111122223333:parameter/x"}, "DB_SECRET_ARN", "secret ARN"),
        ({"DB_SSLMODE": "on"}, "DB_SSLMODE", "disable, allow, prefer, require, verify-ca, verify-full"),
        ({"DB_SSLROOTCERT": ""}, "DB_SSLROOTCERT", "required with DB_SSLMODE=verify-full"),
        ({"DB_SSLROOTCERT": "/nonexistent/ca.pem"}, "DB_SSLROOTCERT", "a readable CA bundle file"),
        ({"DB_PORT": "0"}, "DB_PORT", "an integer from 1 to 65535"),
        ({"DB_CONNECT_TIMEOUT": "61"}, "DB_CONNECT_TIMEOUT", "an integer from 1 to 60"),
    ],
)
def test_bad_db_values_name_the_variable(override, name, allowed):
    with pytest.raises(ConfigError) as caught:
        load_settings({**BASE, **override})
    assert caught.value.name == name
    assert allowed in str(caught.value)


def test_a_bad_db_setting_stops_the_app_before_it_starts():
    env = base_env(DB_HOST="h", DB_NAME="app", DB_USER="u", DB_PASSWORD="secret-value")
    proc = subprocess.run(
        [sys.executable, "-m", "app"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30, check=False
    )
    assert proc.returncode == 2
    assert "DB_SSLROOTCERT" in proc.stderr and "secret-value" not in proc.stderr


@pytest.mark.parametrize(("db_host", "loaded"), [("", False), ("127.0.0.1", True)])
def test_psycopg_is_imported_only_with_a_database(db_host, loaded):
    """The app without a database loads neither psycopg nor botocore (its routes' speed is unchanged)."""
    # One write (the pool's background thread logs to the same stdout and may interleave between print's arguments).
    code = (
        "import sys, app.wsgi; sys.stdout.write('MODULES ' + repr(sorted(m for m in ('psycopg', 'psycopg_pool', "
        "'botocore') if m in sys.modules)) + '\\n'); sys.stdout.flush()"
    )
    env = base_env(DB_HOST=db_host, DB_NAME="app", DB_USER="u", DB_PASSWORD="p", DB_SSLMODE="disable", DB_PORT="1")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30, check=False
    )
    assert out.returncode == 0, out.stderr
    assert re.findall(r"MODULES (\[[^\]]*\])", out.stdout) == ["['psycopg', 'psycopg_pool']" if loaded else "[]"]
