"""Moving a live CODE_DEPLOY service to ECS-native blue/green in place (emulator/patches/ecs.py ``is_migration``):
AWS's migration guide (developerguide/migrate-code-deploy-to-ecs-blue-green.html) is one UpdateService with
deploymentController ECS, the blue/green configuration and the load balancer's advancedConfiguration, once no
deployment is in flight. The service's tasks carry on as its first revision: production never stops answering.
"""

import threading
import time

import pytest
from botocore.exceptions import ClientError

from tests.emulator.test_dataplane_balancers import get
from tests.emulator.test_ecs_native_engine import (
    PORT,
    awaiting,
    hook_of,
    status_is,
    versions,
    wait_deployment,
    wait_for,
)

CONFIG = {
    "strategy": "BLUE_GREEN",
    "bakeTimeInMinutes": 0,
    "lifecycleHooks": [{"targetType": "PAUSE", "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"]}],
}


def code_deploy_service(stack):
    """A CODE_DEPLOY service on blue (its PRIMARY task set's tasks run), answering 1.0.0 on the production listener."""
    stack.ecs.create_service(
        cluster="main",
        serviceName="web",
        taskDefinition=stack.task_definition("1.0.0"),
        desiredCount=1,
        launchType="FARGATE",
        deploymentController={"type": "CODE_DEPLOY"},
        loadBalancers=[{"targetGroupArn": stack.blue_tg, "containerName": "web", "containerPort": PORT}],
        networkConfiguration={"awsvpcConfiguration": {"subnets": stack.subnets, "securityGroups": []}},
    )
    wait_for(lambda: versions(stack, 80, 1), lambda answers: answers == ["1.0.0"])


def migrate(stack, **extra):
    return stack.ecs.update_service(
        cluster="main",
        service="web",
        deploymentController={"type": "ECS"},
        deploymentConfiguration=CONFIG,
        loadBalancers=stack.balancers(),
        **extra,
    )["service"]


class Prober(threading.Thread):
    """GET / on the production listener every 20 ms; records every answer (or the error)."""

    def __init__(self, dns):
        super().__init__(daemon=True)
        self.dns, self.answers, self.done = dns, [], threading.Event()

    def run(self):
        while not self.done.is_set():
            try:
                status, body, _headers = get(self.dns, 80, timeout=2)
                self.answers.append((status, body.decode()))
            except OSError as err:
                self.answers.append((0, repr(err)))
            time.sleep(0.02)


def test_migration_keeps_serving_and_the_next_release_is_ecs_native(stack):
    code_deploy_service(stack)
    task_before = stack.ecs.list_tasks(cluster="main", serviceName="web")["taskArns"]
    prober = Prober(stack.dns)
    prober.start()
    try:
        service = migrate(stack)
        assert service["deploymentController"] == {"type": "ECS"}
        assert service["deploymentConfiguration"]["strategy"] == "BLUE_GREEN"
        described = stack.ecs.describe_services(cluster="main", services=["web"])["services"][0]
        assert described.get("taskSets", []) == []
        # The running task is handed over, not replaced.
        assert stack.ecs.list_tasks(cluster="main", serviceName="web")["taskArns"] == task_before
        first = stack.deployments()
        assert [d["status"] for d in first] == ["SUCCESSFUL"]
        time.sleep(1.0)
    finally:
        prober.done.set()
        prober.join()
    assert prober.answers and set(prober.answers) == {(200, "1.0.0")}

    arn = stack.release("2.0.0")
    found = wait_deployment(stack, arn, awaiting("POST_TEST_TRAFFIC_SHIFT"))
    assert set(versions(stack, 8080, 2)) == {"2.0.0"}
    stack.ecs.continue_service_deployment(serviceDeploymentArn=arn, hookId=hook_of(found), action="CONTINUE")
    wait_deployment(stack, arn, status_is("SUCCESSFUL"))
    wait_for(lambda: versions(stack, 80, 2), lambda answers: set(answers) == {"2.0.0"})


def test_migrated_service_is_stable_for_the_services_stable_waiter(stack):
    """On the ECS controller DescribeServices reports the service's deployments, the most recent one PRIMARY
    (API_Deployment.html); a CODE_DEPLOY service reports task sets instead. botocore's services_stable waiter (what
    bluegreen.ecs.ecs_service_deployment_config waits for after the switch) needs exactly one deployment and
    runningCount == desiredCount: the migrated service, whose running tasks are its first revision, is stable at once."""
    code_deploy_service(stack)
    assert stack.ecs.describe_services(cluster="main", services=["web"])["services"][0]["deployments"] == []
    migrate(stack)
    service = stack.ecs.describe_services(cluster="main", services=["web"])["services"][0]
    [primary] = service["deployments"]
    assert primary["status"] == "PRIMARY"
    assert primary["taskDefinition"] == service["taskDefinition"]
    assert (primary["runningCount"], primary["desiredCount"]) == (1, 1)
    assert primary["rolloutState"] == "COMPLETED"
    first_definition = primary["taskDefinition"]
    stack.ecs.get_waiter("services_stable").wait(
        cluster="main", services=["web"], WaiterConfig={"Delay": 1, "MaxAttempts": 3}
    )

    # The next release is one more deployment until it ends, then one PRIMARY again: the waiter keeps working.
    arn = stack.release("2.0.0")
    found = wait_deployment(stack, arn, awaiting("POST_TEST_TRAFFIC_SHIFT"))
    stack.ecs.continue_service_deployment(serviceDeploymentArn=arn, hookId=hook_of(found), action="CONTINUE")
    wait_deployment(stack, arn, status_is("SUCCESSFUL"))
    service = stack.ecs.describe_services(cluster="main", services=["web"])["services"][0]
    [primary] = service["deployments"]
    assert primary["taskDefinition"] == service["taskDefinition"] != first_definition


def test_migration_is_refused_while_a_codedeploy_deployment_is_in_flight(stack):
    code_deploy_service(stack)
    stack.ecs.create_task_set(
        cluster="main",
        service="web",
        taskDefinition=stack.task_definition("2.0.0"),
        loadBalancers=[{"targetGroupArn": stack.green_tg, "containerName": "web", "containerPort": PORT}],
        networkConfiguration={"awsvpcConfiguration": {"subnets": stack.subnets, "securityGroups": []}},
        launchType="FARGATE",
        scale={"value": 100.0, "unit": "PERCENT"},
    )
    with pytest.raises(ClientError) as err:
        migrate(stack)
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "while a deployment is in progress" in err.value.response["Error"]["Message"]
    service = stack.ecs.describe_services(cluster="main", services=["web"])["services"][0]
    assert service["deploymentController"] == {"type": "CODE_DEPLOY"}


def test_migration_refuses_a_new_task_definition_in_the_same_call(stack):
    code_deploy_service(stack)
    with pytest.raises(ClientError) as err:
        migrate(stack, taskDefinition=stack.task_definition("2.0.0"))
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "Unable to update task definition" in err.value.response["Error"]["Message"]
    service = stack.ecs.describe_services(cluster="main", services=["web"])["services"][0]
    assert service["deploymentController"] == {"type": "CODE_DEPLOY"}


def test_migration_without_advanced_configuration_is_refused(stack):
    code_deploy_service(stack)
    with pytest.raises(ClientError) as err:
        stack.ecs.update_service(
            cluster="main",
            service="web",
            deploymentController={"type": "ECS"},
            deploymentConfiguration=CONFIG,
            loadBalancers=[{"targetGroupArn": stack.blue_tg, "containerName": "web", "containerPort": PORT}],
        )
    assert "advancedConfiguration is required" in err.value.response["Error"]["Message"]


def test_updating_only_the_deployment_configuration_starts_no_deployment(stack):
    stack.create(CONFIG)
    stack.ecs.update_service(cluster="main", service="web", deploymentConfiguration={**CONFIG, "bakeTimeInMinutes": 3})
    assert [d["status"] for d in stack.deployments()] == ["SUCCESSFUL"]
