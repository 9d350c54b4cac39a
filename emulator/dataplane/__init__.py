"""The emulator's data plane: what AWS runs, not only what it stores.

moto holds the control plane (what was asked for). This package makes it run, on this machine only:

- ``network``: every emulated network interface (an ECS task's ENI, a Lambda function's ENI in a VPC, a
  load balancer node) gets its own loopback address (all of 127.0.0.0/8 is loopback on Linux), mapped to
  its emulated VPC, subnet and private IP, so a listener can tell who connects and evaluate its security
  groups. The default loopback address 127.0.0.1 is the internet (the machine running Ansible).
- ``processes``: child processes (tasks, function invocations) that die with the emulator, even on SIGKILL.

Everything here stops with the emulator (``stop_all``) and on POST /moto-api/reset (``reset``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

_LOCK = threading.Lock()
_STOPPERS: list[Callable[[], None]] = []


def on_stop(stopper: Callable[[], None]) -> Callable[[], None]:
    """Register a callable that stops a piece of the data plane (listeners, tasks); returns it."""
    with _LOCK:
        _STOPPERS.append(stopper)
    return stopper


def stop_all() -> None:
    """Stop every registered piece, newest first (tasks before the listeners that route to them)."""
    with _LOCK:
        stoppers = list(reversed(_STOPPERS))
        _STOPPERS.clear()
    for stopper in stoppers:
        try:
            stopper()
        except Exception:  # noqa: BLE001 - one failed stop must not leave the others running
            pass


def reset() -> None:
    """Stop everything and forget every address (POST /moto-api/reset)."""
    from emulator.dataplane import network  # pylint: disable=import-outside-toplevel

    stop_all()
    network.BOOK.clear()
