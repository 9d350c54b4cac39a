# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that tell the alb and pipeline roles whether their buckets need the writers (documented in the
s3_*.yml files beside this one); the decisions live in module_utils/s3_sync.py, where they are unit tested."""

from __future__ import annotations

from ansible_collections.bluegreen.ecs.plugins.module_utils import s3_sync
from ansible_collections.bluegreen.ecs.plugins.plugin_utils.filter_guard import guarded

FILTERS = {
    "s3_bucket_in_sync": s3_sync.bucket_in_sync,
    "s3_lifecycle_rule_in_sync": s3_sync.lifecycle_rule_in_sync,
}


class FilterModule:
    """bluegreen.ecs bucket convergence filters."""

    def filters(self):
        return guarded(FILTERS)
