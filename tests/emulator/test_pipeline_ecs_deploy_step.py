"""The pipeline's deploy step for an ECS-native service (roles/pipeline/files/ecs_deploy_step.py), end to end
against the emulator's ECS-native engine: the stack and CANARY service of test_release_ecs_native (PAUSE hook at
POST_TEST_TRAFFIC_SHIFT). The step must exit 0 only for a SUCCESSFUL deployment and 1 when ECS rolls back, so that
CodePipeline fails the Deploy stage."""

import importlib
import os
import sys
import time

import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils.service_spec import normalize
from ansible_collections.bluegreen.ecs.plugins.module_utils.task_definition import task_definition
from tests.emulator.test_ecs_native_engine import ROOT, versions
from tests.emulator.test_release_ecs_native import EXEC, NAMES, SPEC, TASK, json_image

sys.path[:0] = [os.path.join(ROOT, "roles", "pipeline", "files"), os.path.join(ROOT, "plugins", "module_utils")]
step_module = importlib.import_module("ecs_deploy_step")


def run_step(stack, tag, pattern):
    """The build's two files (taskdef.json with the placeholder, imageDetail.json), then the step."""
    taskdef = task_definition(normalize(SPEC), NAMES, step_module.IMAGE_PLACEHOLDER, "us-east-1", EXEC, TASK)
    env = {
        "CLUSTER": "main",
        "SERVICE": "web",
        "VALIDATION_PATH": "/version",
        "VALIDATION_BODY_PATTERN": pattern,
        "VALIDATION_ATTEMPTS": "2",
        "VALIDATION_INTERVAL_SECONDS": "0",
        "POLL_SECONDS": "0",
        "DEPLOY_TIMEOUT_MINUTES": "2",
    }
    lines = []
    step = step_module.Step(stack.ecs, stack.aws("elbv2"), env, sleep=lambda _s: time.sleep(0.05), log=lines.append)
    image = json_image(stack, tag)
    arn = step.start(taskdef, image)
    return step.follow(arn, step_module.image_tag(image)), arn, lines


@pytest.mark.parametrize("service", [{"canary_bake": 1}], indirect=True)
def test_a_validated_deployment_exits_0_and_serves_the_new_version(service):
    code, arn, lines = run_step(service, "2.0.0", '"version":\\s*"{image_tag}"')
    assert code == 0, lines
    assert service.describe(arn)["status"] == "SUCCESSFUL"
    assert any(line.startswith("validation passed") for line in lines)
    assert set(versions(service, 80, 5)) == {"2.0.0"}


def test_a_failed_validation_rolls_back_and_exits_1(service):
    code, arn, lines = run_step(service, "2.0.0", "^9.9.9$")
    assert code == 1, lines
    assert service.describe(arn)["status"].startswith("ROLLBACK")
    assert any(line.startswith("validation failed") for line in lines)
    assert lines[-1].startswith("service deployment ROLLBACK")
    assert set(versions(service, 80, 5)) == {"1.0.0"}
