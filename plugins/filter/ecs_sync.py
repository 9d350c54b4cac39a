# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that read the ecs role's layer and tell it which writers would change anything (documented in the ecs_*.yml
files beside this one); the decisions live in module_utils/ecs_sync.py, where they are unit tested."""

from __future__ import annotations

from ansible_collections.bluegreen.ecs.plugins.module_utils import ecs_sync, resource_sync, tag_sync
from ansible_collections.bluegreen.ecs.plugins.plugin_utils.filter_guard import guarded

FILTERS = {
    "ecs_layer_reads": ecs_sync.layer_reads,
    "ecs_followup_reads": ecs_sync.followup_reads,
    "ecs_key_manager": ecs_sync.key_manager,
    "ecs_live_cluster": ecs_sync.live_cluster,
    "ecs_live_service": ecs_sync.live_service,
    "ecs_tags_in_sync": tag_sync.in_sync,
    "ecs_cluster_in_sync": ecs_sync.cluster_in_sync,
    "ecs_cluster_settings_in_sync": ecs_sync.cluster_settings_in_sync,
    "ecs_log_group_in_sync": resource_sync.log_group_in_sync,
    "ecs_security_group": resource_sync.security_group,
    "ecs_security_group_in_sync": ecs_sync.security_group_in_sync,
    "ecs_service_in_sync": ecs_sync.service_in_sync,
    "ecs_scaling_policies": ecs_sync.scaling_policies,
    "ecs_scaling_in_sync": ecs_sync.scaling_in_sync,
}


class FilterModule:
    """bluegreen.ecs ECS layer convergence filters."""

    def filters(self):
        return guarded(FILTERS)
