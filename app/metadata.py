"""Lazy, cached look-up of the ECS task metadata (task id, availability zone)."""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request

LOG = logging.getLogger("app.metadata")
EMPTY = {"task_id": None, "availability_zone": None}
RETRY_AFTER = 60.0  # seconds before a failed look-up may be tried again
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the endpoint is link-local: no proxy


class TaskMetadata:
    """Fetches ``{uri}/task`` on first use, once, and caches the answer."""

    def __init__(self, uri: str | None, timeout: float = 1.0) -> None:
        self._uri = uri
        self._timeout = timeout
        self._lock = threading.Lock()
        self._value: dict | None = None
        self._failed_at: float | None = None

    def get(self) -> dict:
        """Return ``{"task_id": ..., "availability_zone": ...}``; values are None when unknown."""
        if self._value is not None or self._uri is None:
            return self._value or dict(EMPTY)
        with self._lock:
            if self._value is None and self._may_try():
                self._value = self._fetch()
        return self._value or dict(EMPTY)

    def _may_try(self) -> bool:
        return self._failed_at is None or time.monotonic() - self._failed_at >= RETRY_AFTER

    def _fetch(self) -> dict | None:
        url = f"{self._uri}/task"
        try:
            with _OPENER.open(url, timeout=self._timeout) as answer:  # nosec B310 - URL set by ECS
                doc = json.loads(answer.read(1 << 20))
            arn = doc.get("TaskARN")
            zone = doc.get("AvailabilityZone")
            task_id = arn.rsplit("/", 1)[-1] if isinstance(arn, str) else ""
            return {"task_id": task_id or None, "availability_zone": zone if isinstance(zone, str) else None}
        except (OSError, ValueError, AttributeError) as exc:
            self._failed_at = time.monotonic()
            LOG.warning("ECS task metadata unavailable from %s: %s", url, exc)
            return None
