# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS value limits several roles check before any call, kept once."""

from __future__ import annotations

# CloudWatch Logs PutRetentionPolicy retentionInDays (API reference, shape Days): the only values it accepts.
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)


def _as_int(value):
    """The value as an int, or None: inventories give numbers as int or as digit strings; a bool is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def log_retention_error(value, variable):
    """'' when ``value`` is a retention CloudWatch Logs accepts, else a message naming ``variable``, the value and the allowed ones."""
    if _as_int(value) in LOG_RETENTION_DAYS:
        return ""
    allowed = ", ".join(str(days) for days in LOG_RETENTION_DAYS)
    return f"{variable}: {value} is not a retention CloudWatch Logs accepts; allowed: {allowed}."
