# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP check of a release candidate: one definition, used by the validation function and the release.

The codedeploy role writes the definition into the validation function's environment
(``definition_to_environment``); the function (roles/codedeploy/files/validation_hook.py, zipped with this
file) reads it back (``definition_from_environment``) and runs it (``run``). The release module judges each
answer with the same ``check_response``. Standard library only: this file runs inside Lambda as a top-level
module, next to the handler.
"""

from __future__ import annotations

import http.client
import re
import ssl
import time
from urllib.parse import urlsplit

# The body pattern may name the released image's tag; the function reads it from the deployment.
IMAGE_TAG = "{image_tag}"
EXCERPT_CHARS = 200

# Environment variable -> (definition key, kind). Lambda environment values are strings.
ENVIRONMENT = {
    "VALIDATION_URL": ("url", str),
    "VALIDATION_EXPECTED_STATUS": ("expected_status", int),
    "VALIDATION_BODY_PATTERN": ("body_pattern", str),
    "VALIDATION_ATTEMPTS": ("attempts", int),
    "VALIDATION_INTERVAL_SECONDS": ("interval_seconds", int),
    "VALIDATION_TIMEOUT_SECONDS": ("timeout_seconds", int),
    "VALIDATION_SERVER_NAME": ("server_name", str),
    "VALIDATION_CONTAINER_NAME": ("container_name", str),
}
DEFAULTS = {
    "expected_status": 200,
    "body_pattern": "",
    "attempts": 5,
    "interval_seconds": 5,
    "timeout_seconds": 10,
    "server_name": "",
    "container_name": "",
}


class DefinitionError(ValueError):
    """A check definition that cannot run; the message names the setting and the allowed values."""


def check_response(status, body, expected_status=200, body_pattern=None):
    """Judge one HTTP answer from the test listener: (ok, detail)."""
    if status is None:
        return False, f"no answer ({body})" if body else "no answer"
    if int(status) != int(expected_status):
        return False, f"HTTP {status}, expected {expected_status}"
    if body_pattern:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
        if not re.search(body_pattern, text):
            return False, f"HTTP {status} but the body does not match {body_pattern!r}"
    return True, f"HTTP {status}"


def excerpt(body, limit=EXCERPT_CHARS):
    """The start of a body, as text on one line, for a log line."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def expand_pattern(pattern, image_tag=None):
    """The body pattern with ``{image_tag}`` replaced by the (regex-escaped) tag being released."""
    if not pattern or IMAGE_TAG not in pattern:
        return pattern or ""
    if not image_tag:
        raise DefinitionError(f"the body pattern {pattern!r} names {IMAGE_TAG} but the released image tag is unknown")
    return pattern.replace(IMAGE_TAG, re.escape(image_tag))


def test_listener_url(dns_name, protocol, port, path):
    """The URL of the test listener: the load balancer's DNS name, the listener's protocol and port, the path."""
    scheme = str(protocol or "HTTP").lower()
    if scheme not in ("http", "https"):
        raise DefinitionError(f"the test listener's protocol is {protocol!r}; the check speaks HTTP or HTTPS")
    if not str(path).startswith("/"):
        raise DefinitionError(f"codedeploy_validation_path must start with '/', got {path!r}")
    return f"{scheme}://{dns_name}:{int(port)}{path}"


def validate(definition):
    """A complete definition (defaults filled) or DefinitionError naming what is wrong."""
    out = dict(DEFAULTS)
    out.update({k: v for k, v in (definition or {}).items() if v is not None})
    url = str(out.get("url") or "")
    if not url.lower().startswith(("http://", "https://")):
        raise DefinitionError(f"url must be an http:// or https:// URL, got {url!r}")
    for key, low, high in (
        ("expected_status", 100, 599),
        ("attempts", 1, 100),
        ("interval_seconds", 0, 300),
        ("timeout_seconds", 1, 60),
    ):
        try:
            out[key] = int(out[key])
        except (TypeError, ValueError):
            raise DefinitionError(f"{key} must be a whole number from {low} to {high}, got {out[key]!r}") from None
        if not low <= out[key] <= high:
            raise DefinitionError(f"{key} must be from {low} to {high}, got {out[key]}")
    try:
        re.compile(out["body_pattern"].replace(IMAGE_TAG, "tag"))
    except re.error as e:
        raise DefinitionError(f"body_pattern {out['body_pattern']!r} is not a regular expression: {e}") from None
    return out


def worst_case_seconds(definition):
    """How long ``run`` can take: every attempt timing out, with the pauses between them."""
    d = validate(definition)
    return d["attempts"] * d["timeout_seconds"] + (d["attempts"] - 1) * d["interval_seconds"]


def definition_to_environment(definition):
    """The function's environment variables (strings) for a definition."""
    d = validate(definition)
    return {var: str(d[key]) for var, (key, _kind) in ENVIRONMENT.items() if d.get(key) not in (None, "")}


def definition_from_environment(environ):
    """The definition in a function's environment (os.environ, or GetFunctionConfiguration's Variables)."""
    definition = {}
    for var, (key, kind) in ENVIRONMENT.items():
        value = (environ or {}).get(var)
        if value in (None, ""):
            continue
        try:
            definition[key] = kind(value)
        except ValueError:
            raise DefinitionError(f"{var} must be a whole number, got {value!r}") from None
    if "url" not in definition:
        raise DefinitionError("VALIDATION_URL is not set: the function has no test listener to check")
    return validate(definition)


class NamedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to one address (the load balancer's) with SNI and certificate check for another name (its domain)."""

    def __init__(self, host, port, server_name, **kwargs):
        super().__init__(host, port, **kwargs)
        self.server_name = server_name

    def connect(self):
        http.client.HTTPConnection.connect(self)
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.server_name)


def fetch(url, timeout, server_name=None):
    """One GET: (status, body), or (None, error text) when nothing answered.

    With ``server_name`` the request goes to the URL's address but says ``server_name`` in SNI and Host, and
    the certificate is checked against it: an ALB's DNS name never matches its certificate's domain.
    """
    parts = urlsplit(url)
    https = parts.scheme.lower() == "https"
    default = 443 if https else 80
    port = parts.port or default
    name = server_name or parts.hostname
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if https:
        conn = NamedHTTPSConnection(parts.hostname, port, name, timeout=timeout, context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": name if port == default else f"{name}:{port}"})
        response = conn.getresponse()
        return response.status, response.read()
    except Exception as e:  # noqa: BLE001 - any failure to get an answer is "no answer", with its reason
        return None, f"{type(e).__name__}: {e}"
    finally:
        conn.close()


def run(
    definition, image_tag=None, fetch=fetch, sleep=time.sleep, clock=time.monotonic, on_attempt=None, deadline=None
):
    """Run the check: attempts until one passes, ``interval_seconds`` apart.

    Returns ``{"ok", "detail", "attempts"}``; each attempt has its number, ok, status, latency_ms, detail and,
    when it failed, an excerpt of the body. ``on_attempt`` sees each attempt as it ends (the function logs it).
    ``deadline`` (a ``clock`` value) stops before an attempt that could not end in time.
    """
    d = validate(definition)
    pattern = expand_pattern(d["body_pattern"], image_tag)
    attempts = []
    ok, detail = False, "no attempt"
    for number in range(1, d["attempts"] + 1):
        if deadline is not None and clock() + d["timeout_seconds"] > deadline:
            detail = f"out of time before attempt {number} ({detail})"
            break
        started = clock()
        status, body = fetch(d["url"], d["timeout_seconds"], d["server_name"] or None)
        latency_ms = int(round((clock() - started) * 1000))
        ok, detail = check_response(status, body, d["expected_status"], pattern)
        attempt = {"attempt": number, "ok": ok, "status": status, "latency_ms": latency_ms, "detail": detail}
        if not ok:
            attempt["body_excerpt"] = excerpt(body)
        attempts.append(attempt)
        if on_attempt:
            on_attempt(attempt)
        if ok:
            break
        if number < d["attempts"]:
            sleep(d["interval_seconds"])
    return {"ok": ok, "detail": detail, "attempts": attempts}
