# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that tell a role whether its IAM writers would change anything (documented in the iam_*.yml files beside
this one); the decisions live in module_utils/iam_sync.py, where they are unit tested."""

from __future__ import annotations

from ansible_collections.bluegreen.ecs.plugins.module_utils import iam_sync
from ansible_collections.bluegreen.ecs.plugins.plugin_utils.filter_guard import guarded

FILTERS = {
    "iam_role_reads": iam_sync.role_reads,
    "iam_role_in_sync": iam_sync.role_in_sync,
    "iam_policy_in_sync": iam_sync.policy_in_sync,
}


class FilterModule:
    """bluegreen.ecs IAM convergence filters."""

    def filters(self):
        return guarded(FILTERS)
