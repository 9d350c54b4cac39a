# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that tell a role whether amazon.aws.ec2_security_group would change a group it read (documented in the
security_group_*.yml files beside this one); the decisions live in module_utils/sg_sync.py, unit tested."""

from __future__ import annotations

from ansible_collections.bluegreen.ecs.plugins.module_utils import sg_sync
from ansible_collections.bluegreen.ecs.plugins.plugin_utils.filter_guard import guarded

FILTERS = {
    "security_group_find": sg_sync.find,
    "security_group_in_sync": sg_sync.security_group_in_sync,
    "security_group_id": sg_sync.group_id,
}


class FilterModule:
    """bluegreen.ecs security group convergence filters."""

    def filters(self):
        return guarded(FILTERS)
