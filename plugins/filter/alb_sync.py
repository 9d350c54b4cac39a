# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that tell the alb role which target group writers a converged service still needs (documented in the
alb_*.yml files beside this one); the decisions live in module_utils/alb_sync.py, where they are unit tested."""

from __future__ import annotations

from ansible_collections.bluegreen.ecs.plugins.module_utils import alb_sync
from ansible_collections.bluegreen.ecs.plugins.plugin_utils.filter_guard import guarded

FILTERS = {
    "alb_target_groups_by_name": alb_sync.target_groups_by_name,
    "alb_target_groups_to_write": alb_sync.target_groups_to_write,
    "alb_target_group_arns": alb_sync.target_group_arns,
}


class FilterModule:
    """bluegreen.ecs alb convergence filters."""

    def filters(self):
        return guarded(FILTERS)
