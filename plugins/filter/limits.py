# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of AWS value limits shared by the roles (documented in the YAML files beside this one); the values
live in module_utils/limits.py, where they are unit tested."""

from __future__ import annotations

from ansible_collections.bluegreen.ecs.plugins.module_utils import limits


def log_retention_days(value, variable):
    """'' when ``value`` is a CloudWatch Logs retention, else the message naming ``variable``."""
    return limits.log_retention_error(value, variable)


class FilterModule:
    """bluegreen.ecs limit filters."""

    def filters(self):
        return {"log_retention_days": log_retention_days}
