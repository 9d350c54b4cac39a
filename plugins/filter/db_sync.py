# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for the db role's one read of its layer and which of its writers a converged environment still needs
(documented in the db_*.yml files beside this one); the decisions live in module_utils/db_sync.py, unit tested."""

from __future__ import annotations

from ansible_collections.bluegreen.ecs.plugins.module_utils import db_sync
from ansible_collections.bluegreen.ecs.plugins.plugin_utils.filter_guard import guarded

FILTERS = {
    "db_reads": db_sync.reads,
    "db_subnet_group_in_sync": db_sync.subnet_group_in_sync,
    "db_instance": db_sync.instance,
    "db_instance_in_sync": db_sync.instance_in_sync,
    "db_secret_in_sync": db_sync.secret_in_sync,
    "db_offer_needed": db_sync.offer_needed,
}


class FilterModule:
    """bluegreen.ecs db convergence filters."""

    def filters(self):
        return guarded(FILTERS)
