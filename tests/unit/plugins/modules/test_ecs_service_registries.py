# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.bluegreen.ecs.plugins.modules import ecs_service_registries
from ansible_collections.bluegreen.ecs.tests.unit.plugins.modules.utils import ACCOUNT, AwsStubs, run_module

CLUSTER, NAME = "prd-demo-cluster", "prd-demo-api"
REGISTRY = f"arn:aws:servicediscovery:us-east-1:{ACCOUNT}:service/srv-0123456789abcdef"
WANTED = [{"registryArn": REGISTRY, "containerName": "api", "containerPort": 9000}]
ARGS = {"cluster": CLUSTER, "service": NAME, "registries": WANTED, "wait_timeout": 60}
OLD = f"arn:aws:ecs:us-east-1:{ACCOUNT}:service-deployment/{CLUSTER}/{NAME}/old"
NEW = f"arn:aws:ecs:us-east-1:{ACCOUNT}:service-deployment/{CLUSTER}/{NAME}/new"


@pytest.fixture(autouse=True)
def fake_time(monkeypatch):
    """A clock that moves by each sleep: no test waits for real."""
    now = [0.0]
    monkeypatch.setattr(ecs_service_registries, "_clock", lambda: now[0])
    monkeypatch.setattr(ecs_service_registries, "_sleep", lambda seconds: now.__setitem__(0, now[0] + seconds))


def service(registries=None, controller="ECS"):
    return {
        "serviceName": NAME,
        "status": "ACTIVE",
        "deploymentController": {"type": controller},
        "serviceRegistries": registries or [],
    }


def describe(stubs, found):
    stubs.ecs.add_response(
        "describe_services",
        {"services": [found] if found else [], "failures": []},
        {"cluster": CLUSTER, "services": [NAME]},
    )


def listed(stubs, *entries):
    briefs = [{"serviceDeploymentArn": arn, "status": status} for arn, status in entries]
    stubs.ecs.add_response(
        "list_service_deployments", {"serviceDeployments": briefs}, {"cluster": CLUSTER, "service": NAME}
    )


def deployment(stubs, status, stage="SCALE_UP", hooks=None, reason=None):
    found = {
        "serviceDeploymentArn": NEW,
        "status": status,
        "lifecycleStage": stage,
        "lifecycleHookDetails": hooks or [],
    }
    if reason:
        found["statusReason"] = reason
    stubs.ecs.add_response(
        "describe_service_deployments",
        {"serviceDeployments": [found], "failures": []},
        {"serviceDeploymentArns": [NEW]},
    )


def updated(stubs):
    stubs.ecs.add_response(
        "update_service",
        {"service": service(WANTED)},
        {"cluster": CLUSTER, "service": NAME, "serviceRegistries": WANTED},
    )


PAUSED = [{"hookId": "ecs-pause-1", "targetType": "PAUSE", "status": "AWAITING_ACTION"}]


def test_same_registries_make_no_write_call(capsys):
    stubs = AwsStubs("ecs")
    describe(stubs, service([{**WANTED[0], "containerPort": 9000}]))
    failed, result = run_module(ecs_service_registries, ARGS, stubs, capsys)
    assert not failed, result
    assert result["changed"] is False
    assert result["request"] == {}


def test_check_mode_plans_the_change_with_a_diff_and_writes_nothing(capsys):
    stubs = AwsStubs("ecs")
    describe(stubs, service())
    failed, result = run_module(ecs_service_registries, ARGS, stubs, capsys, check_mode=True, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["request"] == {"serviceRegistries": WANTED}
    assert result["diff"] == {"before": {"serviceRegistries": []}, "after": {"serviceRegistries": WANTED}}


def test_code_deploy_service_is_refused_naming_the_settings(capsys):
    stubs = AwsStubs("ecs")
    describe(stubs, service(controller="CODE_DEPLOY"))
    failed, result = run_module(ecs_service_registries, ARGS, stubs, capsys)
    assert failed
    assert "bluegreen_service.discovery" in result["msg"]
    assert "bluegreen_deployment_controller" in result["msg"]


def test_change_follows_the_deployment_and_continues_its_pause_hook(capsys):
    stubs = AwsStubs("ecs")
    describe(stubs, service())
    listed(stubs, (OLD, "SUCCESSFUL"))
    updated(stubs)
    listed(stubs, (NEW, "PENDING"), (OLD, "SUCCESSFUL"))
    deployment(stubs, "IN_PROGRESS")
    deployment(stubs, "IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", PAUSED)
    stubs.ecs.add_response(
        "continue_service_deployment",
        {"serviceDeploymentArn": NEW},
        {"serviceDeploymentArn": NEW, "hookId": "ecs-pause-1", "action": "CONTINUE"},
    )
    deployment(stubs, "SUCCESSFUL", "CLEAN_UP", [{**PAUSED[0], "status": "SUCCEEDED"}])
    describe(stubs, service(WANTED))
    failed, result = run_module(ecs_service_registries, ARGS, stubs, capsys)
    assert not failed, result
    assert result["changed"] is True
    assert result["deployment"]["status"] == "SUCCESSFUL"
    assert result["service"]["service_registries"] == [
        {"registry_arn": REGISTRY, "container_name": "api", "container_port": 9000}
    ]


def test_a_rolled_back_deployment_fails_saying_so(capsys):
    stubs = AwsStubs("ecs")
    describe(stubs, service())
    listed(stubs)
    updated(stubs)
    listed(stubs, (NEW, "IN_PROGRESS"))
    deployment(stubs, "ROLLBACK_SUCCESSFUL", reason="tasks failed to start")
    failed, result = run_module(ecs_service_registries, ARGS, stubs, capsys)
    assert failed
    assert "ROLLBACK_SUCCESSFUL: tasks failed to start" in result["msg"]


def test_a_deployment_past_wait_timeout_fails_with_where_it_is(capsys):
    stubs = AwsStubs("ecs")
    describe(stubs, service())
    listed(stubs)
    updated(stubs)
    listed(stubs, (NEW, "IN_PROGRESS"))
    for _poll in range(13):  # 60 s in 5 s polls: the 13th look is at the deadline
        deployment(stubs, "IN_PROGRESS", "BAKE_TIME")
    failed, result = run_module(ecs_service_registries, ARGS, stubs, capsys)
    assert failed
    assert "still IN_PROGRESS at BAKE_TIME after 60 s" in result["msg"]


def test_a_deployment_in_flight_is_not_stopped(capsys):
    stubs = AwsStubs("ecs")
    describe(stubs, service())
    listed(stubs, (OLD, "IN_PROGRESS"))
    failed, result = run_module(ecs_service_registries, ARGS, stubs, capsys)
    assert failed
    assert "retry once it ends" in result["msg"]


def test_missing_service_fails_outside_check_mode(capsys):
    stubs = AwsStubs("ecs")
    describe(stubs, None)
    failed, result = run_module(ecs_service_registries, ARGS, stubs, capsys)
    assert failed
    assert "does not exist" in result["msg"]
