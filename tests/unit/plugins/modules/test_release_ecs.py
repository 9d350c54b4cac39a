# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""bluegreen.ecs.release on the ECS controller against stubbed clients (botocore Stubber): what the emulator meets only
by chance (tests/emulator/test_release_ecs_native.py runs the whole flow there): a deployment that completes between
the module's read and its StopServiceDeployment, and check mode (only reads are queued: any write fails the Stubber).
"""

from datetime import UTC, datetime

import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import release_runtime as runtime
from ansible_collections.bluegreen.ecs.plugins.modules import release
from ansible_collections.bluegreen.ecs.tests.unit.plugins.modules.utils import ACCOUNT, REGION, AwsStubs, run_module

ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/prd-demo-web:{{}}"
REVISION = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service-revision/prd-demo-cluster/prd-demo-web/{{}}"
DEPLOYMENT = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service-deployment/prd-demo-cluster/prd-demo-web/{{}}"
IN_FLIGHT = ["PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"]
WHERE = {"cluster": "prd-demo-cluster", "service": "prd-demo-web"}
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(runtime, "_clock", lambda: now[0])
    monkeypatch.setattr(runtime, "_sleep", lambda seconds: now.__setitem__(0, now[0] + seconds))


def service(revision):
    return {
        "services": [
            {
                "serviceName": "prd-demo-web",
                "status": "ACTIVE",
                "taskDefinition": ARN.format(revision),
                "deploymentController": {"type": "ECS"},
                "deploymentConfiguration": {"strategy": "CANARY"},
                "loadBalancers": [{"targetGroupArn": "arn:tg/blue", "containerName": "web", "containerPort": 8000}],
            }
        ],
        "failures": [],
    }


def in_flight(stubs, deployment, revision, status="IN_PROGRESS"):
    stubs.ecs.add_response(
        "list_service_deployments",
        {
            "serviceDeployments": [
                {
                    "serviceDeploymentArn": DEPLOYMENT.format(deployment),
                    "targetServiceRevisionArn": REVISION.format(revision),
                    "status": status,
                    "createdAt": T0,
                }
            ]
            if deployment
            else []
        },
        dict(WHERE, status=IN_FLIGHT),
    )
    if deployment:
        revision_is(stubs, revision, revision)
        stubs.ecs.add_response(
            "describe_task_definition",
            {"taskDefinition": {"taskDefinitionArn": ARN.format(revision)}},
            {"taskDefinition": ARN.format(revision)},
        )


def revision_is(stubs, revision, task_definition):
    stubs.ecs.add_response(
        "describe_service_revisions",
        {
            "serviceRevisions": [
                {"serviceRevisionArn": REVISION.format(revision), "taskDefinition": ARN.format(task_definition)}
            ]
        },
        {"serviceRevisionArns": [REVISION.format(revision)]},
    )


def described(stubs, deployment, status, source=None, target=None, stage="CLEAN_UP"):
    found = {"serviceDeploymentArn": DEPLOYMENT.format(deployment), "status": status, "lifecycleStage": stage}
    if source:
        found["sourceServiceRevisions"] = [{"arn": REVISION.format(source)}]
    if target:
        found["targetServiceRevision"] = {"arn": REVISION.format(target)}
    stubs.ecs.add_response(
        "describe_service_deployments",
        {"serviceDeployments": [found], "failures": []},
        {"serviceDeploymentArns": [DEPLOYMENT.format(deployment)]},
    )


def test_rollback_of_a_deployment_that_completes_before_the_stop_deploys_what_was_live(capsys):
    stubs = AwsStubs("ecs")
    stubs.ecs.add_response(
        "describe_services", service(4), {"cluster": "prd-demo-cluster", "services": ["prd-demo-web"]}
    )
    in_flight(stubs, "new", 4)
    described(stubs, "new", "IN_PROGRESS", source=3, target=4, stage="BAKE_TIME")  # what production serves
    revision_is(stubs, 3, 3)
    stubs.ecs.add_client_error(
        "stop_service_deployment",
        "ConflictException",
        "The service deployment is SUCCESSFUL and cannot be stopped.",
        expected_params={"serviceDeploymentArn": DEPLOYMENT.format("new"), "stopType": "ROLLBACK"},
    )
    described(stubs, "new", "SUCCESSFUL", source=3, target=4)  # read again: it completed meanwhile
    stubs.ecs.add_response("describe_services", service(4), None)
    stubs.ecs.add_response(
        "update_service", {"service": service(3)["services"][0]}, dict(WHERE, taskDefinition=ARN.format(3))
    )
    in_flight(stubs, "undo", 3)  # UpdateService's answer names no deployment: the module lists it
    described(stubs, "undo", "SUCCESSFUL", source=4, target=3)
    stubs.ecs.add_response("describe_services", service(3), None)

    failed, result = run_module(
        release, {"env": "prd", "project": "demo", "service": "web", "action": "rollback"}, stubs, capsys
    )

    assert not failed, result["msg"]
    assert result["rolled_back"] is True
    assert result["rollback_deployment_id"] == DEPLOYMENT.format("undo")
    assert result["task_definition_before"] == ARN.format(3)  # production served 3 while 4 was in flight
    assert result["task_definition_after"] == ARN.format(3)
    assert "completed before the rollback took effect" in result["msg"]
    names = [s["name"] for s in result["steps"]]
    assert names.index("stop_service_deployment") < names.index("update_service")
    (stop,) = [s for s in result["steps"] if s["name"] == "stop_service_deployment"]
    assert stop["status"] == "refused"


def test_check_mode_on_the_ecs_controller_writes_nothing(capsys):
    stubs = AwsStubs("ecs")
    stubs.ecs.add_response("describe_services", service(3), None)
    in_flight(stubs, None, None)
    stubs.ecs.add_response("describe_task_definition", {"taskDefinition": {"taskDefinitionArn": ARN.format(3)}}, None)
    stubs.ecs.add_response("list_task_definitions", {"taskDefinitionArns": [ARN.format(3)]}, None)  # 3 is live
    args = {
        "env": "prd",
        "project": "demo",
        "spec": {"name": "web", "port": 8000},
        "image": "repo/web:2",
        "execution_role_arn": f"arn:aws:iam::{ACCOUNT}:role/exec",
        "task_role_arn": f"arn:aws:iam::{ACCOUNT}:role/task",
    }

    failed, result = run_module(release, args, stubs, capsys, check_mode=True)

    assert not failed, result["msg"]
    assert result["changed"] is True
    assert result["msg"] == (
        "would register a new revision of prd-demo-web and update service prd-demo-web (an ECS blue/green deployment)"
    )


def test_a_rolling_ecs_service_is_refused_before_anything_changes(capsys):
    stubs = AwsStubs("ecs")
    answer = service(3)
    answer["services"][0]["deploymentConfiguration"] = {"strategy": "ROLLING"}
    stubs.ecs.add_response("describe_services", answer, None)

    failed, result = run_module(
        release, {"env": "prd", "project": "demo", "service": "web", "action": "continue"}, stubs, capsys
    )

    assert failed
    assert result["msg"].startswith(
        "ECS service 'prd-demo-web' uses the ECS deployment controller with the ROLLING strategy"
    )
    assert result["changed"] is False
