"""UpdateService(serviceRegistries) on an ECS-native blue/green service (emulator/bluegreen/ecs_engine.py): a new
service revision and deployment, as AWS documents ("This parameter triggers a new service deployment",
API_UpdateService.html serviceRegistries; "Service registries" is a property of a service revision,
developerguide/service-revision-property.html). Its PAUSE hook holds it like any release; once it ends, the new
revision's tasks are the ones in Cloud Map."""

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.bluegreen.ecs.plugins.modules import ecs_service_registries
from tests.emulator.test_dataplane_discovery import cloud_map, discovered
from tests.emulator.test_ecs_native_engine import PORT, awaiting, hook_of, status_is, wait_deployment, wait_for


def test_adding_service_registries_starts_a_deployment_whose_tasks_register(stack):
    sd, _namespace, registry = cloud_map(stack)
    hooks = [{"targetType": "PAUSE", "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"]}]
    stack.create({"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 0, "lifecycleHooks": hooks})
    [first] = stack.deployments()
    wait_for(lambda: stack.ecs.list_tasks(cluster="main", serviceName="web")["taskArns"], lambda found: len(found) == 1)
    assert discovered(sd) == []

    registries = [{"registryArn": registry["Arn"], "containerName": "web", "containerPort": PORT}]
    stack.ecs.update_service(cluster="main", service="web", serviceRegistries=registries)

    newest = stack.deployments()[0]
    assert newest["serviceDeploymentArn"] != first["serviceDeploymentArn"]
    revision = stack.ecs.describe_service_revisions(serviceRevisionArns=[newest["targetServiceRevisionArn"]])
    assert revision["serviceRevisions"][0]["serviceRegistries"] == registries
    found = wait_deployment(stack, newest["serviceDeploymentArn"], awaiting("POST_TEST_TRAFFIC_SHIFT"))
    stack.ecs.continue_service_deployment(serviceDeploymentArn=found["serviceDeploymentArn"], hookId=hook_of(found))
    wait_deployment(stack, newest["serviceDeploymentArn"], status_is("SUCCESSFUL"))

    tasks = wait_for(
        lambda: stack.ecs.list_tasks(cluster="main", serviceName="web")["taskArns"], lambda found: len(found) == 1
    )
    [instance] = wait_for(lambda: discovered(sd), lambda found: len(found) == 1)
    assert instance["InstanceId"] == tasks[0].rsplit("/", 1)[-1]  # green's task, not blue's


def test_the_same_service_registries_again_start_no_deployment(stack):
    _sd, _namespace, registry = cloud_map(stack)
    registries = [{"registryArn": registry["Arn"], "containerName": "web", "containerPort": PORT}]
    stack.create({"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 0}, serviceRegistries=registries)
    before = stack.deployments()
    stack.ecs.update_service(cluster="main", service="web", desiredCount=1)
    assert stack.deployments() == before


def run_module(capsys, stack, registries, monkeypatch):
    """``ecs_service_registries.main()`` in-process on the emulator (polls every 0.05 s); returns (failed, result)."""
    monkeypatch.setattr(ecs_service_registries, "POLL_SECONDS", 0.05)
    args = {
        "cluster": "main",
        "service": "web",
        "registries": registries,
        "wait_timeout": 60,
        "region": "us-east-1",
        "endpoint_url": stack.ecs.meta.endpoint_url,
        "access_key": "testing",
        "secret_key": "testing",
    }
    with patch_module_args(args), pytest.raises(SystemExit) as exit_info:
        ecs_service_registries.main()
    return exit_info.value.code != 0, json.loads(capsys.readouterr().out)


def test_the_module_continues_the_pause_hook_and_ends_with_the_tasks_registered(stack, capsys, monkeypatch):
    sd, _namespace, registry = cloud_map(stack)
    hooks = [{"targetType": "PAUSE", "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"]}]
    stack.create({"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 0, "lifecycleHooks": hooks})
    registries = [{"registryArn": registry["Arn"], "containerName": "web", "containerPort": PORT}]

    failed, result = run_module(capsys, stack, registries, monkeypatch)
    assert not failed, result
    assert result["changed"] is True
    assert result["deployment"]["status"] == "SUCCESSFUL"
    # Without the module's CONTINUE the PAUSE hook would time out and roll back (its default timeout action).
    wait_for(lambda: discovered(sd), lambda found: len(found) == 1)

    failed, again = run_module(capsys, stack, registries, monkeypatch)
    assert not failed, again
    assert again["changed"] is False
