# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import service_registries as sr

ARN = "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1"
WANTED = [{"registryArn": ARN, "containerName": "api", "containerPort": 9000}]


def test_normalized_keeps_given_members_and_makes_ports_integers():
    assert (
        sr.normalized([{"registryArn": ARN, "containerName": "api", "containerPort": "9000", "port": None}]) == WANTED
    )


def test_plan_is_empty_when_the_live_registries_are_wanted():
    assert sr.plan({"serviceRegistries": WANTED}, WANTED) == {"request": {}, "refused": ""}


def test_plan_on_the_default_controller_sends_the_wanted_list():
    assert sr.plan({"serviceName": "api"}, WANTED)["request"] == {"serviceRegistries": WANTED}
    assert sr.plan({"serviceRegistries": WANTED}, [])["request"] == {"serviceRegistries": []}


def test_plan_refuses_a_change_on_code_deploy_but_not_a_match():
    refused = sr.plan({"serviceName": "web", "deploymentController": {"type": "CODE_DEPLOY"}}, WANTED)
    assert refused["request"] == {}
    assert "bluegreen_deployment_controller: ecs" in refused["refused"]
    assert (
        sr.plan({"deploymentController": {"type": "CODE_DEPLOY"}, "serviceRegistries": WANTED}, WANTED)["refused"] == ""
    )


@pytest.mark.parametrize(
    ("deployment", "expected"),
    [
        ({"status": "SUCCESSFUL"}, ("done", "SUCCESSFUL")),
        ({"status": "ROLLBACK_IN_PROGRESS", "statusReason": "alarm"}, ("failed", "ROLLBACK_IN_PROGRESS: alarm")),
        ({"status": "STOPPED", "rollback": {"reason": "stopped by user"}}, ("failed", "STOPPED: stopped by user")),
        ({"status": "PENDING"}, ("wait", "PENDING at its first stage")),
        (
            {
                "status": "IN_PROGRESS",
                "lifecycleStage": "POST_TEST_TRAFFIC_SHIFT",
                "lifecycleHookDetails": [{"hookId": "h1", "targetType": "PAUSE", "status": "AWAITING_ACTION"}],
            },
            ("continue", "h1"),
        ),
        (
            {
                "status": "IN_PROGRESS",
                "lifecycleStage": "POST_TEST_TRAFFIC_SHIFT",
                "lifecycleHookDetails": [{"hookId": "h1", "targetType": "AWS_LAMBDA", "status": "AWAITING_ACTION"}],
            },
            ("wait", "IN_PROGRESS at POST_TEST_TRAFFIC_SHIFT"),
        ),
    ],
)
def test_step(deployment, expected):
    assert sr.step(deployment) == expected


def test_step_answers_each_pause_hook_once():
    paused = {
        "status": "IN_PROGRESS",
        "lifecycleStage": "POST_TEST_TRAFFIC_SHIFT",
        "lifecycleHookDetails": [{"hookId": "h1", "targetType": "PAUSE", "status": "AWAITING_ACTION"}],
    }
    assert sr.step(paused, ["h1"])[0] == "wait"


def test_newest_deployment_is_the_one_not_listed_before():
    before = [{"serviceDeploymentArn": "a"}]
    assert sr.newest_deployment(before, [{"serviceDeploymentArn": "b"}, {"serviceDeploymentArn": "a"}]) == "b"
    assert sr.newest_deployment(before, before) is None
