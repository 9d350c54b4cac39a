# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for the alb role's reads of its layer and which of its writers a converged service still needs
(documented in the alb_*.yml files beside this one); the decisions live in module_utils/alb_sync.py, unit tested."""

from __future__ import annotations

from ansible_collections.bluegreen.ecs.plugins.module_utils import alb_sync
from ansible_collections.bluegreen.ecs.plugins.plugin_utils.filter_guard import guarded

FILTERS = {
    "alb_target_groups_by_name": alb_sync.target_groups_by_name,
    "alb_target_groups_to_write": alb_sync.target_groups_to_write,
    "alb_target_group_arns": alb_sync.target_group_arns,
    "alb_layer_reads": alb_sync.layer_reads,
    "alb_followup_reads": alb_sync.followup_reads,
    "alb_target_group_records": alb_sync.target_group_records,
    "alb_load_balancer_record": alb_sync.load_balancer_record,
    "alb_bucket_record": alb_sync.bucket_record,
    "alb_load_balancer_in_sync": alb_sync.load_balancer_in_sync,
}


class FilterModule:
    """bluegreen.ecs alb convergence filters."""

    def filters(self):
        return guarded(FILTERS)
