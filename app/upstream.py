"""Calling another service of the environment by its discovered name (``UPSTREAM_<NAME>=<name>.<namespace>``).

The ecs role sets ``UPSTREAM_<NAME>`` for each service the spec ``calls``; the callee's tasks are registered by ECS
in the environment's Cloud Map namespace (docs/design.md, "Service discovery"). This module asks Cloud Map's
``DiscoverInstances`` (``AWS_INSTANCE_IPV4`` and ``AWS_INSTANCE_PORT`` of each healthy task; the task role may call
it for exactly its callees) and keeps the answer ``CACHE_SECONDS``, so a request costs no API call while a stopped
task leaves the list within seconds. When the API cannot be asked (throttling, an outage), the name is resolved by
DNS instead (the namespace's A records, on the port the API gave last). The API works the same on AWS and on the
emulator, which has no DNS for the namespace's names.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping

LOG = logging.getLogger("app.upstream")
PREFIX = "UPSTREAM_"
CACHE_SECONDS = 5.0
TIMEOUT = 2.0


class UpstreamError(Exception):
    """The upstream cannot be reached; the message is the reason the route returns (502)."""


def from_environ(env: Mapping[str, str]) -> dict[str, str]:
    """``{name: '<name>.<namespace>'}`` from the UPSTREAM_* variables (keys lowercased, '_' back to '-')."""
    found = {}
    for key, value in env.items():
        if key.startswith(PREFIX) and value.strip() and "." in value:
            found[value.split(".", 1)[0]] = value.strip()
    return found


def _client(region: str):
    """A botocore Cloud Map client (task role credentials; AWS_ENDPOINT_URL* honoured)."""
    import botocore.config  # noqa: PLC0415 - only when the app calls an upstream
    import botocore.session  # noqa: PLC0415

    # DiscoverInstances is sent to data-servicediscovery.<region>.amazonaws.com (the "data-" host prefix); an
    # endpoint URL (the emulator, a VPC endpoint) is taken as it is.
    custom = bool(os.environ.get("AWS_ENDPOINT_URL_SERVICEDISCOVERY") or os.environ.get("AWS_ENDPOINT_URL"))
    config = botocore.config.Config(
        connect_timeout=2,
        read_timeout=3,
        retries={"mode": "standard", "max_attempts": 2},
        inject_host_prefix=not custom,
    )
    return botocore.session.get_session().create_client("servicediscovery", region_name=region, config=config)


def discover_instances(fqdn: str, client=None) -> list[tuple[str, int]]:
    """(IPv4, port) of each healthy instance of ``<service>.<namespace>`` (all of them if none is healthy)."""
    service, namespace = fqdn.split(".", 1)
    client = client or _client(os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1")
    answer = client.discover_instances(NamespaceName=namespace, ServiceName=service, HealthStatus="HEALTHY_OR_ELSE_ALL")
    found = []
    for instance in answer.get("Instances") or []:
        attributes = instance.get("Attributes") or {}
        if attributes.get("AWS_INSTANCE_IPV4") and attributes.get("AWS_INSTANCE_PORT"):
            found.append((attributes["AWS_INSTANCE_IPV4"], int(attributes["AWS_INSTANCE_PORT"])))
    return found


def resolve_dns(fqdn: str, port: int) -> list[tuple[str, int]]:
    """The namespace's A records of ``fqdn`` (the VPC resolver answers them), on ``port``."""
    infos = socket.getaddrinfo(fqdn, port, socket.AF_INET, socket.SOCK_STREAM)
    return sorted({(info[4][0], port) for info in infos})


class Upstreams:
    """The configured upstreams, their cached instances, and a GET of one of them (round robin)."""

    def __init__(
        self,
        names: Mapping[str, str],
        discover: Callable[[str], list] | None = None,
        resolve: Callable[[str, int], list] = resolve_dns,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.names = dict(names)
        self._discover = discover or discover_instances
        self._resolve = resolve
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, list]] = {}
        self._ports: dict[str, int] = {}
        self._turn = itertools.count()

    def instances(self, name: str) -> list[tuple[str, int]]:
        fqdn = self.names[name]
        with self._lock:
            cached = self._cache.get(name)
            if cached and self._clock() - cached[0] < CACHE_SECONDS:
                return cached[1]
        try:
            found = self._discover(fqdn)
        except Exception as exc:  # noqa: BLE001 - any API failure: DNS, then the last answer
            LOG.warning("DiscoverInstances for %s failed (%s: %s); resolving by DNS", fqdn, type(exc).__name__, exc)
            found = self._by_dns(name, fqdn, exc)
        with self._lock:
            if found:
                self._ports[name] = found[0][1]
            self._cache[name] = (self._clock(), found)
        return found

    def _by_dns(self, name: str, fqdn: str, api_error: Exception) -> list:
        port = self._ports.get(name)
        if port is None:
            raise UpstreamError(f"cannot discover {fqdn}: {type(api_error).__name__}: {api_error}") from None
        try:
            return self._resolve(fqdn, port)
        except OSError as exc:
            raise UpstreamError(f"cannot discover {fqdn}: API: {api_error}; DNS: {exc}") from None

    def get(self, name: str, path: str) -> tuple[str, int, object]:
        """GET ``path`` on one instance: (address, HTTP status, JSON body). UpstreamError when it cannot be had."""
        found = self.instances(name)
        if not found:
            raise UpstreamError(f"{self.names[name]} has no registered instance")
        host, port = found[next(self._turn) % len(found)]
        address = f"{host}:{port}"
        try:
            with urllib.request.urlopen(f"http://{address}{path}", timeout=TIMEOUT) as answer:  # noqa: S310 - http only
                status, raw = answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        except (OSError, ValueError) as exc:
            with self._lock:
                self._cache.pop(name, None)  # ask again next time: the task may have stopped
            raise UpstreamError(f"{self.names[name]} at {address} is not reachable: {exc}") from None
        try:
            return address, status, json.loads(raw)
        except ValueError:
            raise UpstreamError(f"{self.names[name]} at {address} answered {status} without JSON") from None
