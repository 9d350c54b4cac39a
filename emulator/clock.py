"""Emulated time, shared by every deployment engine, IAM propagation and the data plane.

One emulated minute lasts ``minute_seconds()`` real seconds: 60 (AWS's pace) unless ``EMULATOR_MINUTE_SECONDS``
says otherwise (``0.1``-``0.5`` for tests and demos), or a test overrides it in-process with ``set_minute_seconds``.
"""

import os

_MINUTE_OVERRIDE: list[float | None] = [None]


def set_minute_seconds(value: float | None) -> None:
    """Override EMULATOR_MINUTE_SECONDS in this process (tests); None goes back to the environment."""
    _MINUTE_OVERRIDE[0] = None if value is None else max(float(value), 0.0)


def minute_seconds() -> float:
    """Real seconds per emulated minute (set_minute_seconds, else EMULATOR_MINUTE_SECONDS, else 60)."""
    if _MINUTE_OVERRIDE[0] is not None:
        return _MINUTE_OVERRIDE[0]
    try:
        return max(float(os.environ.get("EMULATOR_MINUTE_SECONDS", "60")), 0.0)
    except ValueError:
        return 60.0
