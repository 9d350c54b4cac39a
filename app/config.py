"""Settings read from environment variables and validated at start-up."""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
METADATA_ENV = "ECS_CONTAINER_METADATA_URI_V4"


class ConfigError(ValueError):
    """An environment variable holds a value the app cannot use."""

    def __init__(self, name: str, value: str, allowed: str) -> None:
        super().__init__(f"invalid value for environment variable {name}={value!r}: allowed values are {allowed}")
        self.name = name


SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
_VERIFYING = ("verify-ca", "verify-full")
# RDS's DBName rule for PostgreSQL: a letter, then letters, digits or underscores, 63 at most
# (CreateDBInstance, DBName: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html)
_DB_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,62}").fullmatch
_HOSTNAME = re.compile(
    r"(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?"
).fullmatch
# arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>
_SECRET_ARN = re.compile(r"arn:aws(-[a-z]+)*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@!-]+").fullmatch


@dataclasses.dataclass(frozen=True)
class DatabaseSettings:
    """Where the PostgreSQL database is and how to log in; None in Settings when DB_HOST is unset."""

    host: str
    name: str
    port: int = 5432
    user: str = ""
    password: str = dataclasses.field(default="", repr=False)
    secret_arn: str | None = None  # re-read at connect time after a rotation (app/credentials.py)
    sslmode: str = "verify-full"
    sslrootcert: str | None = None
    connect_timeout: int = 5


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the app and its server need to know."""

    host: str = "0.0.0.0"  # nosec B104 - a container must listen on all interfaces
    port: int = 8000
    app_version: str = "dev"
    git_commit: str = "unknown"
    build_time: str = "unknown"
    log_level: str = "INFO"
    threads: int = 4
    backlog: int = 1024
    shutdown_timeout: int = 25
    keepalive_timeout: int = 75  # above the ALB idle timeout (60 s), so the ALB closes idle connections first
    metadata_uri: str | None = None
    metadata_timeout: float = 1.0
    test_slow_ms: int = 0
    database: DatabaseSettings | None = None

    @property
    def access_log(self) -> bool:
        """Per-request lines are logged at INFO."""
        return self.log_level in ("DEBUG", "INFO")


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw, 10)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ConfigError(name, raw, f"an integer from {low} to {high}")
    return value


def _float(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:  # also rejects nan
        raise ConfigError(name, raw, f"a number of seconds from {low:g} to {high:g}")
    return value


def _text(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if len(raw) > 128 or not raw.isprintable():
        raise ConfigError(name, raw, "printable text of at most 128 characters")
    return raw


def _host(env: Mapping[str, str]) -> str:
    raw = env.get("HOST", "").strip()
    if not raw:
        return Settings.host
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        raise ConfigError("HOST", raw, "an IPv4 or IPv6 address such as 0.0.0.0 or 127.0.0.1") from None


def _metadata_uri(env: Mapping[str, str]) -> str | None:
    raw = env.get(METADATA_ENV, "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(METADATA_ENV, raw, "an http:// or https:// URL (set by the ECS agent)")
    return raw.rstrip("/")


def _db_host(raw: str) -> str:
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        if _HOSTNAME(raw):
            return raw
    raise ConfigError("DB_HOST", raw, "a DNS name or an IP address (the RDS instance's endpoint address)")


def _sslrootcert(env: Mapping[str, str], sslmode: str) -> str | None:
    raw = env.get("DB_SSLROOTCERT", "").strip()
    if not raw:
        if sslmode in _VERIFYING:
            raise ConfigError(
                "DB_SSLROOTCERT",
                raw,
                f"the path of a CA bundle file (PEM) or 'system', required with DB_SSLMODE={sslmode}",
            )
        return None
    if raw != "system" and not (os.path.isfile(raw) and os.access(raw, os.R_OK)):
        raise ConfigError("DB_SSLROOTCERT", raw, "the path of a readable CA bundle file (PEM) or 'system'")
    return raw


def _database(env: Mapping[str, str]) -> DatabaseSettings | None:
    """DB_* variables; the user and password may come from the secret alone (DB_SECRET_ARN)."""
    host = env.get("DB_HOST", "").strip()
    if not host:
        return None
    name = env.get("DB_NAME", "").strip()
    if not _DB_NAME(name):
        raise ConfigError(
            "DB_NAME", name, "a letter then letters, digits or underscores, 63 at most (required with DB_HOST)"
        )
    secret_arn = env.get("DB_SECRET_ARN", "").strip() or None
    if secret_arn is not None and not _SECRET_ARN(secret_arn):
        raise ConfigError(
            "DB_SECRET_ARN",
            secret_arn,
            "a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME)",
        )
    user, password = env.get("DB_USER", "").strip(), env.get("DB_PASSWORD", "")
    for var, value in (("DB_USER", user), ("DB_PASSWORD", password)):
        if not value and secret_arn is None:
            raise ConfigError(var, value, "a non-empty value (required with DB_HOST unless DB_SECRET_ARN is set)")
    sslmode = env.get("DB_SSLMODE", "").strip().lower() or DatabaseSettings.sslmode
    if sslmode not in SSL_MODES:
        raise ConfigError("DB_SSLMODE", env["DB_SSLMODE"], ", ".join(SSL_MODES))
    return DatabaseSettings(
        host=_db_host(host),
        name=name,
        port=_int(env, "DB_PORT", DatabaseSettings.port, 1, 65535),
        user=user,
        password=password,
        secret_arn=secret_arn,
        sslmode=sslmode,
        sslrootcert=_sslrootcert(env, sslmode),
        connect_timeout=_int(env, "DB_CONNECT_TIMEOUT", DatabaseSettings.connect_timeout, 1, 60),
    )


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from ``env`` (default ``os.environ``); raise ConfigError on a bad value."""
    env = os.environ if env is None else env
    level = env.get("LOG_LEVEL", "").strip().upper() or Settings.log_level
    if level not in LOG_LEVELS:
        raise ConfigError("LOG_LEVEL", env["LOG_LEVEL"], ", ".join(LOG_LEVELS))
    return Settings(
        host=_host(env),
        port=_int(env, "PORT", Settings.port, 1, 65535),
        app_version=_text(env, "APP_VERSION", Settings.app_version),
        git_commit=_text(env, "GIT_COMMIT", Settings.git_commit),
        build_time=_text(env, "BUILD_TIME", Settings.build_time),
        log_level=level,
        threads=_int(env, "SERVER_THREADS", Settings.threads, 1, 64),
        backlog=_int(env, "SERVER_BACKLOG", Settings.backlog, 16, 65535),
        shutdown_timeout=_int(env, "SHUTDOWN_TIMEOUT", Settings.shutdown_timeout, 1, 1800),
        keepalive_timeout=_int(env, "KEEPALIVE_TIMEOUT", Settings.keepalive_timeout, 1, 600),
        metadata_uri=_metadata_uri(env),
        metadata_timeout=_float(env, "METADATA_TIMEOUT", Settings.metadata_timeout, 0.05, 30),
        test_slow_ms=_int(env, "APP_TEST_SLOW_MS", Settings.test_slow_ms, 0, 600000),
        database=_database(env),
    )
