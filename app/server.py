"""The production server: granian's WSGI interface (chosen by measurement, see app/README.md)."""

from __future__ import annotations

from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.log import LogLevels
from granian.server import Server

from app.config import Settings
from app.logs import server_log_config

TARGET = "app.wsgi:application"


def build_server(settings: Settings, target: str = TARGET) -> Server:
    """One worker process for one small Fargate task; SIGTERM drains in-flight requests.

    ``target`` lets the benchmark run another WSGI app under exactly these settings.
    """
    return Server(
        target,
        address=settings.host,
        port=settings.port,
        interface=Interfaces.WSGI,
        workers=1,
        blocking_threads=settings.threads,
        runtime_threads=1,
        backlog=settings.backlog,
        http=HTTPModes.http1,
        websockets=False,
        http1_settings=HTTP1Settings(header_read_timeout=settings.keepalive_timeout * 1000),
        log_level=LogLevels(settings.log_level.lower()),
        log_dictconfig=server_log_config(settings.log_level, settings.app_version),
        log_access=False,
        workers_kill_timeout=settings.shutdown_timeout,
        respawn_failed_workers=True,
    )


def serve(settings: Settings) -> int:
    """Run until SIGTERM/SIGINT, then stop accepting, finish in-flight requests and return 0."""
    build_server(settings).serve()
    return 0
