# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deployment controller filters: the decisions, and a refusal as an Ansible filter error."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.bluegreen.ecs.plugins.filter.deployment_controller import FilterModule

FILTERS = FilterModule().filters()


def test_codedeploy_layer_filter():
    services = [{"status": "ACTIVE", "deploymentController": {"type": "ECS"}}]
    assert FILTERS["codedeploy_layer"](services, "ecs", "present", "s")["state"] == "absent"


def test_codedeploy_layer_refusal_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="^codedeploy_layer: bluegreen_deployment_controller: codedeploy, but"):
        FILTERS["codedeploy_layer"]([{"status": "ACTIVE"}], "codedeploy", "present", "s")


def test_pipeline_deploy_stage_filter():
    assert FILTERS["pipeline_deploy_stage"]("ecs") == "codebuild_release"
    with pytest.raises(AnsibleFilterError, match="^pipeline_deploy_stage: bluegreen_deployment_controller: 'x'"):
        FILTERS["pipeline_deploy_stage"]("x")


def test_deployment_controller_errors_filter():
    assert FILTERS["deployment_controller_errors"]("ecs") == []
