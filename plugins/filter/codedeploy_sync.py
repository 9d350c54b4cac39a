# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that read the codedeploy layer in one module run and tell its writers whether they would change anything
(documented in the YAML files beside this one); the decisions live in module_utils/codedeploy_sync.py,
resource_sync.py and lambda_zip.py, where they are unit tested."""

from __future__ import annotations

from ansible_collections.bluegreen.ecs.plugins.module_utils import codedeploy_sync, lambda_zip, resource_sync
from ansible_collections.bluegreen.ecs.plugins.plugin_utils.filter_guard import guarded

FILTERS = {
    "codedeploy_layer_reads": codedeploy_sync.layer_reads,
    "codedeploy_application_in_sync": codedeploy_sync.application_in_sync,
    "codedeploy_config_in_sync": codedeploy_sync.deployment_config_in_sync,
    "codedeploy_group_in_sync": codedeploy_sync.deployment_group_in_sync,
    "log_group_in_sync": resource_sync.log_group_in_sync,
    "security_group_by_name": resource_sync.security_group,
    "security_group_rules_in_sync": resource_sync.security_group_in_sync,
    "lambda_function_in_sync": resource_sync.lambda_function_in_sync,
    "lambda_bundle_sha256": lambda_zip.bundle_sha256,
}


class FilterModule:
    """bluegreen.ecs codedeploy convergence filters."""

    def filters(self):
        return guarded(FILTERS)
