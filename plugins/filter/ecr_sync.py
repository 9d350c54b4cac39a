# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for the ecr role's one read and its convergence check (documented in the ecr_*.yml files beside this one);
the decisions live in module_utils/ecr_sync.py, where they are unit tested."""

from __future__ import annotations

from ansible_collections.bluegreen.ecs.plugins.module_utils import ecr_sync
from ansible_collections.bluegreen.ecs.plugins.plugin_utils.filter_guard import guarded

FILTERS = {
    "ecr_reads": ecr_sync.reads,
    "ecr_repository": ecr_sync.repository,
    "ecr_repository_in_sync": ecr_sync.repository_in_sync,
}


class FilterModule:
    """bluegreen.ecs ECR convergence filters."""

    def filters(self):
        return guarded(FILTERS)
