"""Helpers shared by the patch modules."""

import json

from emulator.errors import AwsError


def aws_error(code: str, message: str) -> AwsError:
    """An error moto serialises the way the service's protocol does (HTTP 400, error code, message)."""
    return AwsError(code, message)


def install(target: type, patch: type) -> None:
    """Copy the operation methods defined on ``patch`` onto moto's response class ``target``.

    moto dispatches an operation to the method named after its snake_case name, so defining
    e.g. ``stop_deployment`` here makes ``StopDeployment`` answer instead of HTTP 500. Copying
    (rather than subclassing) keeps moto's own dispatch in charge; setting the same function twice is harmless.
    """
    for name, value in vars(patch).items():
        if not name.startswith("__") and callable(value):
            setattr(target, name, value)


def raw_json(body) -> dict:
    """The JSON request exactly as sent; moto's parser coerces types (int("10")) that AWS would reject."""
    try:
        doc = json.loads(body or "{}")
    except (TypeError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}
