# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pipeline's ECS deploy step: its pure decisions (the emulator run is tests/emulator/test_pipeline_ecs_deploy_step.py)."""

import importlib
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path[:0] = [os.path.join(ROOT, "roles", "pipeline", "files"), os.path.join(ROOT, "plugins", "module_utils")]
step = importlib.import_module("ecs_deploy_step")

HOOK = {"hookId": "h-1", "targetType": "PAUSE", "status": "AWAITING_ACTION"}


def test_successful_is_the_only_success():
    assert step.next_step({"status": "SUCCESSFUL"}, set()) == (step.SUCCEEDED, "")


@pytest.mark.parametrize("status", step.FAILED)
def test_a_rollback_or_stop_fails_the_step_with_the_reason(status):
    kind, detail = step.next_step({"status": status, "rollback": {"reason": "alarm tst-5xx"}}, set())
    assert kind == step.FAILED_STEP
    assert detail == f"service deployment {status}: alarm tst-5xx"


def test_the_pause_at_post_test_traffic_shift_is_validated_once():
    deployment = {"status": "IN_PROGRESS", "lifecycleStage": "POST_TEST_TRAFFIC_SHIFT", "lifecycleHookDetails": [HOOK]}
    assert step.next_step(deployment, set()) == (step.VALIDATE, "h-1")
    assert step.next_step(deployment, {"h-1"}) == (step.WAIT, "")


@pytest.mark.parametrize(
    "deployment",
    [
        {"status": "PENDING"},
        {"status": "IN_PROGRESS", "lifecycleStage": "SCALE_UP"},
        # A pause elsewhere is not ours to answer.
        {"status": "IN_PROGRESS", "lifecycleStage": "POST_SCALE_UP", "lifecycleHookDetails": [HOOK]},
        {
            "status": "IN_PROGRESS",
            "lifecycleStage": "POST_TEST_TRAFFIC_SHIFT",
            "lifecycleHookDetails": [dict(HOOK, status="SUCCEEDED")],
        },
    ],
)
def test_everything_else_waits(deployment):
    assert step.next_step(deployment, set()) == (step.WAIT, "")


def test_listener_of_rule():
    rule = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/lb/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee"
    assert step.listener_of_rule(rule) == (
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/lb/50dc6c495c0c9188/f2f7dc8efc522ab2"
    )
    with pytest.raises(ValueError, match="is not a listener rule ARN"):
        step.listener_of_rule("arn:aws:elasticloadbalancing:us-east-1:1:listener/app/lb/1/2")


def test_the_image_replaces_the_placeholder_and_names_its_tag():
    taskdef = {"family": "f", "containerDefinitions": [{"name": "web", "image": "<IMAGE1_NAME>"}]}
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/prd-demo-web:3f9c2a7"
    assert step.task_definition_request(taskdef, image)["containerDefinitions"][0]["image"] == image
    assert step.image_tag(image) == "3f9c2a7"
    assert step.image_tag("localhost:5000/web") == ""
    with pytest.raises(ValueError, match="has no <IMAGE1_NAME>"):
        step.task_definition_request({"family": "f"}, image)
