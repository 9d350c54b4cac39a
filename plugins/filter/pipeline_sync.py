# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that read the pipeline layer in one module run and tell its writers whether they would change anything
(documented in the YAML files beside this one); the decisions live in module_utils/pipeline_sync.py, where they are
unit tested."""

from __future__ import annotations

from ansible_collections.bluegreen.ecs.plugins.module_utils import pipeline_sync
from ansible_collections.bluegreen.ecs.plugins.plugin_utils.filter_guard import guarded

FILTERS = {
    "pipeline_layer_reads": pipeline_sync.layer_reads,
    "pipeline_bucket_record": pipeline_sync.bucket_record,
    "codebuild_project_in_sync": pipeline_sync.codebuild_project_in_sync,
    "pipeline_in_sync": pipeline_sync.pipeline_in_sync,
}


class FilterModule:
    """bluegreen.ecs pipeline convergence filters."""

    def filters(self):
        return guarded(FILTERS)
