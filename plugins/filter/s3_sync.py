# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that tell the alb and pipeline roles whether their buckets need the writers (documented in the
s3_*.yml files beside this one); the decisions live in module_utils/s3_sync.py, where they are unit tested."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.bluegreen.ecs.plugins.module_utils import s3_sync


def _guard(name, func):
    """Turn a bad argument into a filter error that names the filter."""

    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            raise AnsibleFilterError(f"{name}: {exc!r}") from None

    wrapper.__doc__ = func.__doc__
    return wrapper


FILTERS = {
    "s3_bucket_in_sync": s3_sync.bucket_in_sync,
    "s3_lifecycle_rule_in_sync": s3_sync.lifecycle_rule_in_sync,
}


class FilterModule:
    """bluegreen.ecs bucket convergence filters."""

    def filters(self):
        return {name: _guard(name, func) for name, func in FILTERS.items()}
