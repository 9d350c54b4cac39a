# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the codedeploy and pipeline layers build for each deployment controller."""

import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils.deployment_controller import (
    ControllerError,
    codedeploy_layer,
    controller_errors,
    deploy_stage,
    live_controller,
)

SERVICE = "prd-demo-web"


def live(controller=None, status="ACTIVE"):
    service = {"serviceName": SERVICE, "status": status}
    if controller:
        service["deploymentController"] = {"type": controller}
    return [service]


def test_controller_errors_name_the_variable_and_the_allowed_values():
    assert controller_errors("codedeploy") == []
    assert controller_errors("ecs") == []
    assert controller_errors("lambda") == [
        "bluegreen_deployment_controller: 'lambda' is not a deployment controller; allowed: codedeploy "
        "(CodeDeploy blue/green) or ecs (ECS-native blue/green)"
    ]


def test_live_controller_reads_the_active_service_and_aws_default():
    assert live_controller([]) is None
    assert live_controller(None) is None
    assert live_controller(live("CODE_DEPLOY", status="INACTIVE")) is None
    assert live_controller(live("CODE_DEPLOY")) == "CODE_DEPLOY"
    # DescribeServices leaves deploymentController out for ECS, the default.
    assert live_controller(live()) == "ECS"


@pytest.mark.parametrize("services", [[], live("CODE_DEPLOY")])
def test_codedeploy_builds_the_layer(services):
    decision = codedeploy_layer(services, "codedeploy", "present", SERVICE)
    assert (decision["state"], decision["validation"]) == ("present", "present")


@pytest.mark.parametrize("services", [[], live(), live("ECS"), live("CODE_DEPLOY")])
def test_state_absent_removes_whatever_the_controller(services):
    assert codedeploy_layer(services, "ecs", "absent", SERVICE) == {
        "state": "absent",
        "validation": "absent",
        "reason": "codedeploy_state is absent",
    }


def test_codedeploy_on_a_live_ecs_service_is_refused():
    with pytest.raises(
        ControllerError, match=r"^bluegreen_deployment_controller: codedeploy, but service prd-demo-web uses the ECS"
    ):
        codedeploy_layer(live(), "codedeploy", "present", SERVICE)


@pytest.mark.parametrize("services", [[], live(), live("ECS")])
def test_ecs_removes_the_layer(services):
    decision = codedeploy_layer(services, "ecs", "present", SERVICE)
    assert decision["state"] == "absent"
    # The validation function stays: the release invokes it while the ECS controller's PAUSE hook holds.
    assert decision["validation"] == "present"
    assert "released by ECS-native blue/green" in decision["reason"]


def test_ecs_on_a_live_code_deploy_service_removes_it_and_says_the_ecs_layer_moves_it():
    decision = codedeploy_layer(live("CODE_DEPLOY"), "ecs", "present", SERVICE)
    assert decision["state"] == "absent"
    assert "still uses CODE_DEPLOY; the ecs layer moves it" in decision["reason"]


def test_bad_setting_and_state_are_refused():
    with pytest.raises(ControllerError, match="^bluegreen_deployment_controller: 'CODE_DEPLOY' is not"):
        codedeploy_layer([], "CODE_DEPLOY", "present", SERVICE)
    with pytest.raises(ControllerError, match="^codedeploy_state: 'gone' is not a state; allowed: present, absent"):
        codedeploy_layer([], "ecs", "gone", SERVICE)


def test_deploy_stage():
    assert deploy_stage("codedeploy") == "codedeploy_to_ecs"
    assert deploy_stage("ecs") == "codebuild_release"
    with pytest.raises(ControllerError, match="^bluegreen_deployment_controller: 'x' is not"):
        deploy_stage("x")
