"""CodeDeploy's ECS blue/green engine (emulator/bluegreen/): traffic shifts, waits, stops, rollbacks, alarms.

Each test builds a small ALB (blue and green target groups, production listener :80, test listener :8080), an ECS
CODE_DEPLOY service on the blue one and a CodeDeploy group, then deploys task definition revision 2.
One emulated minute lasts 0.1 s here.
"""

import json
import time
from dataclasses import dataclass

import pytest
from botocore.exceptions import ClientError

from emulator import clock
from emulator.bluegreen.world import World
from tests.emulator.codedeploy_setup import codedeploy_role

ROLE = "arn:aws:iam::123456789012:role/codedeploy"
MINUTE = 0.1
CONTAINER = {"name": "web", "image": "web:1", "memory": 128, "portMappings": [{"containerPort": 80}]}


@dataclass
class Stack:
    ec2: object
    elbv2: object
    ecs: object
    codedeploy: object
    cloudwatch: object
    prod: str  # listener ARNs
    test: str
    blue_tg: str
    green_tg: str
    td1: str  # task definition ARNs
    td2: str


@pytest.fixture
def stack(aws, monkeypatch):
    clock.set_minute_seconds(MINUTE)
    # Install lasts its fixed time here: these images have no local recipe, so no green target ever becomes
    # healthy; Install's wait for healthy targets is tested in test_dataplane_hooks.py.
    monkeypatch.setattr(World, "target_health_reader", staticmethod(lambda: None))
    ec2, elbv2, ecs = aws("ec2"), aws("elbv2"), aws("ecs")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in ((1, "a"), (2, "b"))
    ]
    alb = elbv2.create_load_balancer(Name="alb", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    tgs = [
        elbv2.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")["TargetGroups"][0][
            "TargetGroupArn"
        ]
        for name in ("blue", "green")
    ]
    forward = [{"Type": "forward", "TargetGroupArn": tgs[0]}]
    prod, test = (
        elbv2.create_listener(LoadBalancerArn=alb, Protocol="HTTP", Port=port, DefaultActions=forward)["Listeners"][0][
            "ListenerArn"
        ]
        for port in (80, 8080)
    )
    ecs.create_cluster(clusterName="main")
    td1, td2 = (
        ecs.register_task_definition(
            family="web",
            containerDefinitions=[dict(CONTAINER, image=f"web:{n}")],
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
        )["taskDefinition"]["taskDefinitionArn"]
        for n in (1, 2)
    )
    ecs.create_service(
        cluster="main",
        serviceName="web",
        taskDefinition=td1,
        desiredCount=2,
        launchType="FARGATE",
        deploymentController={"type": "CODE_DEPLOY"},
        loadBalancers=[{"targetGroupArn": tgs[0], "containerName": "web", "containerPort": 80}],
        networkConfiguration={"awsvpcConfiguration": {"subnets": subnets}},
    )
    codedeploy_role(aws)  # CreateDeploymentGroup checks the role, as AWS does
    codedeploy = aws("codedeploy")
    codedeploy.create_application(applicationName="app", computePlatform="ECS")
    yield Stack(ec2, elbv2, ecs, codedeploy, aws("cloudwatch"), prod, test, tgs[0], tgs[1], td1, td2)
    clock.set_minute_seconds(None)


def make_group(stack, config, ready_wait=None, termination=0, events=("DEPLOYMENT_FAILURE",), alarms=()):
    ready = {"actionOnTimeout": "CONTINUE_DEPLOYMENT", "waitTimeInMinutes": 0}
    if ready_wait is not None:
        ready = {"actionOnTimeout": "STOP_DEPLOYMENT", "waitTimeInMinutes": ready_wait}
    stack.codedeploy.create_deployment_group(
        applicationName="app",
        deploymentGroupName="dg",
        serviceRoleArn=ROLE,
        deploymentConfigName=config,
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        blueGreenDeploymentConfiguration={
            "deploymentReadyOption": ready,
            "terminateBlueInstancesOnDeploymentSuccess": {
                "action": "TERMINATE",
                "terminationWaitTimeInMinutes": termination,
            },
        },
        loadBalancerInfo={
            "targetGroupPairInfoList": [
                {
                    "targetGroups": [{"name": "blue"}, {"name": "green"}],
                    "prodTrafficRoute": {"listenerArns": [stack.prod]},
                    "testTrafficRoute": {"listenerArns": [stack.test]},
                }
            ]
        },
        ecsServices=[{"serviceName": "web", "clusterName": "main"}],
        autoRollbackConfiguration={"enabled": True, "events": list(events)},
        alarmConfiguration={"enabled": bool(alarms), "alarms": [{"name": name} for name in alarms]},
    )


def appspec(task_definition: str, yaml: bool = False) -> dict:
    if yaml:
        content = (
            "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n"
            f"        TaskDefinition: {task_definition}\n        LoadBalancerInfo:\n"
            "          ContainerName: web\n          ContainerPort: 80\n"
        )
    else:
        properties = {
            "TaskDefinition": task_definition,
            "LoadBalancerInfo": {"ContainerName": "web", "ContainerPort": 80},
        }
        content = json.dumps(
            {"version": 0.0, "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": properties}}]}
        )
    return {"revisionType": "AppSpecContent", "appSpecContent": {"content": content}}


def deploy(stack, task_definition=None, **extra) -> str:
    revision = appspec(task_definition or stack.td2, yaml=extra.pop("yaml", False))
    return stack.codedeploy.create_deployment(
        applicationName="app", deploymentGroupName="dg", revision=revision, **extra
    )["deploymentId"]


def info(stack, deployment_id) -> dict:
    return stack.codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]


def target(stack, deployment_id) -> dict:
    return stack.codedeploy.get_deployment_target(deploymentId=deployment_id, targetId="main:web")["deploymentTarget"][
        "ecsTarget"
    ]


def weights(stack, listener=None) -> dict:
    """{"blue": %, "green": %} of a listener's default action (production by default)."""
    action = stack.elbv2.describe_listeners(ListenerArns=[listener or stack.prod])["Listeners"][0]["DefaultActions"][0]
    groups = (action.get("ForwardConfig") or {}).get("TargetGroups") or [
        {"TargetGroupArn": action["TargetGroupArn"], "Weight": 1}
    ]
    total = sum(g["Weight"] for g in groups)
    names = {stack.blue_tg: "blue", stack.green_tg: "green"}
    found = {"blue": 0, "green": 0}
    found.update({names[g["TargetGroupArn"]]: round(100 * g["Weight"] / total) for g in groups})
    return found


def service(stack) -> dict:
    return stack.ecs.describe_services(cluster="main", services=["web"])["services"][0]


def wait_for(read, until, timeout=30.0):
    """Call ``read`` until ``until(answer)`` holds; return that answer."""
    deadline = time.monotonic() + timeout
    while True:
        answer = read()
        if until(answer):
            return answer
        assert time.monotonic() < deadline, f"timed out; last answer: {answer}"
        time.sleep(0.005)


def wait_status(stack, deployment_id, *statuses) -> dict:
    return wait_for(lambda: info(stack, deployment_id), lambda found: found["status"] in statuses)


def assert_rolled_back(stack, stopped: dict) -> None:
    """Rollback Succeeded; production and test traffic on blue; only the original task set left, PRIMARY."""
    rollback_id = stopped["rollbackInfo"]["rollbackDeploymentId"]
    rollback = wait_status(stack, rollback_id, "Succeeded", "Failed", "Stopped")
    assert rollback["status"] == "Succeeded"
    assert rollback["creator"] == "codeDeployRollback"
    assert rollback["rollbackInfo"]["rollbackTriggeringDeploymentId"] == stopped["deploymentId"]
    put_back = stack.codedeploy.get_application_revision(applicationName="app", revision=rollback["revision"])
    assert stack.td1 in put_back["revision"]["appSpecContent"]["content"]  # the revision it puts back
    assert weights(stack) == {"blue": 100, "green": 0}
    assert weights(stack, stack.test) == {"blue": 100, "green": 0}
    live = service(stack)
    assert [(ts["status"], ts["taskDefinition"]) for ts in live["taskSets"]] == [("PRIMARY", stack.td1)]
    assert live["taskDefinition"] == stack.td1


def test_code_deploy_service_starts_with_a_primary_task_set(stack):
    live = service(stack)
    (task_set,) = live["taskSets"]
    assert (task_set["status"], task_set["taskDefinition"], task_set["stabilityStatus"]) == (
        "PRIMARY",
        stack.td1,
        "STEADY_STATE",
    )
    assert task_set["scale"] == {"value": 100.0, "unit": "PERCENT"}
    assert task_set["loadBalancers"][0]["targetGroupArn"] == stack.blue_tg
    # web:1 has no local recipe: its tasks fail to start (tests/emulator/test_dataplane_tasks.py), none runs
    assert (task_set["computedDesiredCount"], task_set["runningCount"]) == (2, 0)


def test_canary_release_succeeds(stack):
    make_group(stack, "CodeDeployDefault.ECSCanary10Percent5Minutes", termination=3)
    deployment_id = deploy(stack)
    assert info(stack, deployment_id)["status"] in ("Created", "InProgress")
    assert stack.codedeploy.list_deployment_targets(deploymentId=deployment_id)["targetIds"] == ["main:web"]

    canary = wait_for(
        lambda: target(stack, deployment_id),
        lambda found: {s["trafficWeight"] for s in found["taskSetsInfo"]} == {10.0, 90.0},
    )
    assert weights(stack) == {"blue": 90, "green": 10}
    assert weights(stack, stack.test) == {"blue": 0, "green": 100}
    by_label = {s["taskSetLabel"]: s for s in canary["taskSetsInfo"]}
    assert (by_label["Blue"]["trafficWeight"], by_label["Green"]["trafficWeight"]) == (90.0, 10.0)
    assert by_label["Green"]["targetGroup"] == {"name": "green"} and by_label["Blue"]["targetGroup"] == {"name": "blue"}
    # web:2 has no local recipe: no green task runs (tests/emulator/test_dataplane_tasks.py)
    assert (by_label["Green"]["status"], by_label["Green"]["desiredCount"], by_label["Green"]["runningCount"]) == (
        "ACTIVE",
        2,
        0,
    )
    events = {e["lifecycleEventName"]: e for e in canary["lifecycleEvents"]}
    assert events["AllowTraffic"]["status"] == "InProgress" and events["AfterAllowTraffic"]["status"] == "Pending"

    baking = wait_status(stack, deployment_id, "Baking")
    assert baking["instanceTerminationWaitTimeStarted"] is True
    assert {s["status"] for s in service(stack)["taskSets"]} == {"PRIMARY", "ACTIVE"}  # blue kept during the bake

    done = wait_status(stack, deployment_id, "Succeeded", "Failed", "Stopped")
    assert done["status"] == "Succeeded" and done["completeTime"] >= done["startTime"]
    assert weights(stack) == {"blue": 0, "green": 100}
    live = service(stack)
    assert [(ts["status"], ts["taskDefinition"]) for ts in live["taskSets"]] == [("PRIMARY", stack.td2)]
    assert live["taskDefinition"] == stack.td2
    final = target(stack, deployment_id)
    assert final["status"] == "Succeeded"
    assert all(e["status"] == "Succeeded" and e["endTime"] >= e["startTime"] for e in final["lifecycleEvents"])
    with pytest.raises(ClientError) as err:
        stack.codedeploy.stop_deployment(deploymentId=deployment_id)
    assert err.value.response["Error"]["Code"] == "DeploymentAlreadyCompletedException"
    assert info(stack, deployment_id)["status"] == "Succeeded"


def watch_production(stack, deployment_id) -> list[int]:
    """Green's production weight each time it changes, from before the deployment starts until it ends."""
    seen = [0]

    def ended():
        status = info(stack, deployment_id)["status"]
        green = weights(stack)["green"]  # read after the status, so the last change is seen too
        if green != seen[-1]:
            seen.append(green)
        return status in ("Succeeded", "Failed", "Stopped")

    wait_for(ended, bool)
    return seen


def test_linear_shifts_in_steps_and_the_next_release_uses_the_other_target_group(stack):
    stack.codedeploy.create_deployment_config(
        deploymentConfigName="Linear25Every3",
        computePlatform="ECS",
        trafficRoutingConfig={
            "type": "TimeBasedLinear",
            "timeBasedLinear": {"linearPercentage": 25, "linearInterval": 3},
        },
    )
    make_group(stack, "Linear25Every3")
    deployment_id = deploy(stack)
    assert watch_production(stack, deployment_id) == [0, 25, 50, 75, 100]
    assert info(stack, deployment_id)["status"] == "Succeeded"
    events = {e["lifecycleEventName"]: e for e in target(stack, deployment_id)["lifecycleEvents"]}
    shifting = events["AllowTraffic"]["endTime"] - events["AllowTraffic"]["startTime"]
    # Three intervals between the four increments; the API's times are whole milliseconds, each cut down.
    assert shifting.total_seconds() >= 3 * 3 * MINUTE - 0.002
    # the next release installs green on the blue target group, which production no longer uses
    second = deploy(stack, stack.td1, deploymentConfigName="CodeDeployDefault.ECSAllAtOnce")
    assert wait_status(stack, second, "Succeeded", "Failed", "Stopped")["status"] == "Succeeded"
    assert weights(stack) == {"blue": 100, "green": 0}
    assert service(stack)["taskDefinition"] == stack.td1


def test_all_at_once_with_a_yaml_appspec(stack):
    make_group(stack, "CodeDeployDefault.ECSAllAtOnce")
    deployment_id = deploy(stack, yaml=True)
    assert watch_production(stack, deployment_id) == [0, 100]
    assert info(stack, deployment_id)["status"] == "Succeeded"
    assert service(stack)["taskDefinition"] == stack.td2


def test_ready_wait_then_continue_then_end_the_bake_early(stack):
    make_group(stack, "CodeDeployDefault.ECSAllAtOnce", ready_wait=30, termination=60)
    deployment_id = deploy(stack)
    wait_status(stack, deployment_id, "Ready")
    assert target(stack, deployment_id)["status"] == "Ready"
    assert weights(stack, stack.test) == {"blue": 0, "green": 100}
    time.sleep(5 * MINUTE)
    assert weights(stack) == {"blue": 100, "green": 0}  # production waits
    assert info(stack, deployment_id)["status"] == "Ready"

    stack.codedeploy.continue_deployment(deploymentId=deployment_id, deploymentWaitType="READY_WAIT")
    wait_status(stack, deployment_id, "Baking")
    assert weights(stack) == {"blue": 0, "green": 100}
    with pytest.raises(ClientError) as err:  # no longer Ready
        stack.codedeploy.continue_deployment(deploymentId=deployment_id, deploymentWaitType="READY_WAIT")
    assert err.value.response["Error"]["Code"] == "DeploymentIsNotInReadyStateException"
    stack.codedeploy.continue_deployment(deploymentId=deployment_id, deploymentWaitType="TERMINATION_WAIT")
    assert wait_status(stack, deployment_id, "Succeeded", "Failed", "Stopped")["status"] == "Succeeded"
    assert len(service(stack)["taskSets"]) == 1


def test_ready_wait_timeout_stops_and_rolls_back(stack):
    make_group(stack, "CodeDeployDefault.ECSAllAtOnce", ready_wait=2)
    deployment_id = deploy(stack)
    wait_status(stack, deployment_id, "Ready")
    stopped = wait_status(stack, deployment_id, "Stopped", "Failed", "Succeeded")
    assert stopped["status"] == "Stopped"
    assert stopped["errorInformation"]["code"] == "TIMEOUT"
    assert_rolled_back(stack, stopped)


def test_stop_with_rollback_while_shifting(stack):
    make_group(stack, "CodeDeployDefault.ECSCanary10Percent15Minutes")
    deployment_id = deploy(stack)
    wait_for(lambda: weights(stack)["green"], lambda green: green == 10)
    answer = stack.codedeploy.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=True)
    assert answer["status"] in ("Pending", "Succeeded")
    stopped = info(stack, deployment_id)
    assert stopped["status"] == "Stopped" and stopped["errorInformation"]["code"] == "MANUAL_STOP"
    events = {e["lifecycleEventName"]: e["status"] for e in target(stack, deployment_id)["lifecycleEvents"]}
    assert (events["AllowTraffic"], events["AfterAllowTraffic"]) == ("Failed", "Skipped")
    assert_rolled_back(stack, info(stack, deployment_id))
    assert info(stack, deployment_id)["status"] == "Stopped"  # a stopped deployment never moves again


def test_stop_without_rollback_leaves_traffic_where_it_is(stack):
    make_group(stack, "CodeDeployDefault.ECSCanary10Percent15Minutes")
    deployment_id = deploy(stack)
    wait_for(lambda: weights(stack)["green"], lambda green: green == 10)
    stack.codedeploy.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=False)
    time.sleep(3 * MINUTE)
    stopped = info(stack, deployment_id)
    assert stopped["status"] == "Stopped" and "rollbackInfo" not in stopped
    assert weights(stack) == {"blue": 90, "green": 10}
    assert sorted(ts["status"] for ts in service(stack)["taskSets"]) == ["ACTIVE", "PRIMARY"]
    assert stack.codedeploy.list_deployments(applicationName="app", deploymentGroupName="dg")["deployments"] == [
        deployment_id
    ]
    # the next deployment replaces the stranded green task set and moves all traffic
    second = deploy(stack, deploymentConfigName="CodeDeployDefault.ECSAllAtOnce")
    assert wait_status(stack, second, "Succeeded", "Failed", "Stopped")["status"] == "Succeeded"
    assert [ts["status"] for ts in service(stack)["taskSets"]] == ["PRIMARY"]
    assert weights(stack) == {"blue": 0, "green": 100}


def test_next_deployment_after_a_stop_without_rollback_moves_production_back_before_installing(stack):
    """Issue 10 item 13: the new replacement task set must not serve the production share the stopped one had."""
    make_group(stack, "CodeDeployDefault.ECSCanary10Percent15Minutes", ready_wait=30)
    first = deploy(stack)
    wait_status(stack, first, "Ready")
    stack.codedeploy.continue_deployment(deploymentId=first, deploymentWaitType="READY_WAIT")
    wait_for(lambda: weights(stack)["green"], lambda green: green == 10)
    stack.codedeploy.stop_deployment(deploymentId=first, autoRollbackEnabled=False)
    assert weights(stack) == {"blue": 90, "green": 10}  # split, as the stop left it

    second = deploy(stack)
    wait_status(stack, second, "Ready")
    assert weights(stack) == {"blue": 100, "green": 0}  # production back on the original task set
    assert weights(stack, stack.test) == {"blue": 0, "green": 100}  # the new task set serves test traffic only
    task_sets = {ts["status"]: ts["taskDefinition"] for ts in service(stack)["taskSets"]}
    assert task_sets == {"PRIMARY": stack.td1, "ACTIVE": stack.td2} and len(service(stack)["taskSets"]) == 2
    stack.codedeploy.stop_deployment(deploymentId=second, autoRollbackEnabled=True)


def test_alarm_during_the_bake_stops_and_rolls_back(stack):
    stack.cloudwatch.put_metric_alarm(
        AlarmName="web-5xx",
        MetricName="HTTPCode_Target_5XX_Count",
        Namespace="AWS/ApplicationELB",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    make_group(
        stack,
        "CodeDeployDefault.ECSAllAtOnce",
        termination=60,
        events=("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"),
        alarms=("web-5xx",),
    )
    deployment_id = deploy(stack)
    wait_status(stack, deployment_id, "Baking")
    assert service(stack)["taskDefinition"] == stack.td2
    stack.cloudwatch.set_alarm_state(AlarmName="web-5xx", StateValue="ALARM", StateReason="5xx")
    stopped = wait_status(stack, deployment_id, "Stopped", "Failed", "Succeeded")
    assert stopped["status"] == "Stopped"
    assert stopped["errorInformation"]["code"] == "ALARM_ACTIVE"
    assert "web-5xx" in stopped["errorInformation"]["message"]
    assert_rolled_back(stack, stopped)


def test_one_active_deployment_per_group(stack):
    make_group(stack, "CodeDeployDefault.ECSCanary10Percent15Minutes")
    deployment_id = deploy(stack)
    with pytest.raises(ClientError) as err:
        deploy(stack)
    assert err.value.response["Error"]["Code"] == "DeploymentLimitExceededException"
    assert deployment_id in err.value.response["Error"]["Message"]


def test_bad_revision_fails_and_rolls_back(stack):
    make_group(stack, "CodeDeployDefault.ECSAllAtOnce")
    deployment_id = deploy(stack, "arn:aws:ecs:us-east-1:123456789012:task-definition/web:99")
    failed = wait_status(stack, deployment_id, "Failed", "Stopped", "Succeeded")
    assert failed["status"] == "Failed" and failed["errorInformation"]["code"] == "INVALID_REVISION"
    events = {e["lifecycleEventName"]: e["status"] for e in target(stack, deployment_id)["lifecycleEvents"]}
    assert (events["BeforeInstall"], events["Install"], events["AfterInstall"]) == ("Succeeded", "Failed", "Skipped")
    assert_rolled_back(stack, failed)
