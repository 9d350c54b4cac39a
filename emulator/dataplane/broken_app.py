"""``python -m emulator.dataplane.broken_app health``: the unchanged app, except that /health answers 503.

The recipe of an image pushed with ``scripts/push_image.py --broken health``: a version whose health check
fails, for demos and tests of a rollback, without a defect in app/ itself. It runs the app's own server
(``app.server.build_server``) around the app's own WSGI application; only GET /health is answered here.
(``--broken version`` needs no code: the image's APP_VERSION is another version.)
"""

from __future__ import annotations

import json
import sys

HEALTH_PATH = "/health"
TARGET = "emulator.dataplane.broken_app:health_fails"  # granian imports it in its worker
_APP: list = []


def health_fails(environ, start_response):
    """WSGI: 503 on the health path, the app's answer everywhere else."""
    if environ.get("PATH_INFO") == HEALTH_PATH:
        body = json.dumps({"status": "broken on purpose (scripts/push_image.py --broken health)"}).encode()
        start_response(
            "503 Service Unavailable", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        )
        return [body]
    if not _APP:
        from app.wsgi import application  # pylint: disable=import-outside-toplevel  # the worker imports it

        _APP.append(application)
    return _APP[0](environ, start_response)


def main(argv: list[str]) -> int:
    if argv != ["health"]:
        print("usage: python -m emulator.dataplane.broken_app health", file=sys.stderr)
        return 2
    from app.config import ConfigError, load_settings  # pylint: disable=import-outside-toplevel
    from app.server import build_server  # pylint: disable=import-outside-toplevel

    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"app: configuration error: {exc}", file=sys.stderr)
        return 2
    build_server(settings, target=TARGET).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
