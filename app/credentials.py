"""The database user and password: as ECS injected them at start, re-read from Secrets Manager after a rotation.

ECS reads a task definition's ``secrets`` once, when the container starts ("Pass Secrets Manager secrets through
Amazon ECS environment variables": "the data is not updated if the secret is rotated",
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html), while RDS rotates
its managed master secret every 7 days by default ("Password management with Amazon RDS and AWS Secrets Manager",
https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html). Connections already open survive a
password change; a new one made with the start-time value fails. So when ``DB_SECRET_ARN`` is set, a failed connect
re-reads the secret (its ``AWSCURRENT`` version, JSON keys ``username`` and ``password``, as RDS writes it) through the
task role and tries once more. Without it, the start-time value is all there is (the task must be replaced).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable

LOG = logging.getLogger("app.credentials")
MIN_INTERVAL = 5.0  # seconds between two reads of the secret: a database that is down must not flood Secrets Manager


class StaticCredentials:
    """The values ECS injected at start (DB_USER, DB_PASSWORD); nothing fresher can be had."""

    def __init__(self, user: str, password: str) -> None:
        self._value = {"user": user, "password": password}

    def get(self) -> dict[str, str]:
        return dict(self._value)

    def refresh(self) -> bool:
        """Nothing to re-read: the caller's connect failure stands."""
        return False


class SecretCredentials:
    """Start with the injected values (if any); ``refresh()`` re-reads the secret, at most every MIN_INTERVAL s."""

    def __init__(
        self,
        secret_arn: str,
        user: str = "",
        password: str = "",
        fetch: Callable[[str], dict] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.secret_arn = secret_arn
        self._fetch = fetch or fetch_secret
        self._clock = clock
        self._lock = threading.Lock()
        self._value = {"user": user, "password": password} if user and password else None
        self._read_at: float | None = None
        if fetch is None:  # building the client loads botocore's service model (~0.5 s): not while a request waits
            threading.Thread(target=_client, args=(_region(secret_arn),), name="secret-client", daemon=True).start()

    def get(self) -> dict[str, str]:
        if self._value is None:
            self.refresh()
        if self._value is None:  # never read, nothing injected: connecting fails with the driver's own error
            return {}
        return dict(self._value)

    def refresh(self) -> bool:
        """Re-read the secret; True when it now holds another user or password than before."""
        with self._lock:
            now = self._clock()
            if self._read_at is not None and now - self._read_at < MIN_INTERVAL:
                return False
            self._read_at = now
            try:
                doc = self._fetch(self.secret_arn)
                fresh = {"user": str(doc["username"]), "password": str(doc["password"])}
            except Exception as exc:  # noqa: BLE001 - any failure leaves the known value in place
                LOG.warning("cannot read the database secret %s: %s", self.secret_arn, _describe(exc))
                return False
            changed = fresh != self._value
            self._value = fresh
        if changed:
            LOG.info("database credentials re-read from %s", self.secret_arn)
        return changed


def _describe(exc: Exception) -> str:
    """The error's type and message, never a secret value (KeyError names only the missing key)."""
    return f"{type(exc).__name__}: {exc}"


_CLIENTS: dict[str, object] = {}
_CLIENTS_LOCK = threading.Lock()


def _client(region: str):
    """A botocore Secrets Manager client (credentials from the task role; AWS_ENDPOINT_URL* honoured)."""
    with _CLIENTS_LOCK:
        if region not in _CLIENTS:
            import botocore.config  # noqa: PLC0415 - only when DB_SECRET_ARN is set
            import botocore.session  # noqa: PLC0415

            config = botocore.config.Config(
                connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3}
            )
            _CLIENTS[region] = botocore.session.get_session().create_client(
                "secretsmanager", region_name=region, config=config
            )
        return _CLIENTS[region]


def _region(secret_arn: str) -> str:
    return secret_arn.split(":")[3]


def fetch_secret(secret_arn: str) -> dict:
    """GetSecretValue (AWSCURRENT) of the secret, parsed as JSON; its region is the ARN's."""
    answer = _client(_region(secret_arn)).get_secret_value(SecretId=secret_arn)
    doc = json.loads(answer["SecretString"])
    if not isinstance(doc, dict):
        raise ValueError("the secret is not a JSON object")
    return doc
