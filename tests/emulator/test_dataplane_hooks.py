"""CodeDeploy lifecycle hooks of ECS deployments run the AppSpec's Lambda function (emulator/bluegreen/hooks.py,
deployment.py), PutLifecycleEventHookExecutionStatus decides the event, and Install waits for healthy green targets.

The stack (ALB, target groups, CODE_DEPLOY service, group) is the engine tests' one; an emulated minute lasts
0.05 s here, so a hook's one-hour timeout is 3 s.
"""

import io
import json
import textwrap
import time
import zipfile

import pytest
from botocore.exceptions import ClientError

from emulator import clock
from emulator.bluegreen import deployment, hooks
from emulator.bluegreen.world import World
from tests.emulator import test_codedeploy_engine as engine_tests
from tests.emulator.codedeploy_setup import codedeploy_role
from tests.emulator.test_codedeploy_engine import (
    ROLE,
    assert_rolled_back,
    deploy,
    make_group,
    target,
    wait_for,
    wait_status,
)

MINUTE = 0.05
ECS_POLICY = "arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS"
ECS_LIMITED_POLICY = "arn:aws:iam::aws:policy/AWSCodeDeployRoleForECSLimited"
HOOK_SOURCE = textwrap.dedent(
    """
    import os

    import boto3


    def handler(event, context):
        print("execution", event["LifecycleEventHookExecutionId"])
        status = os.environ["HOOK_STATUS"]
        if status != "none":
            boto3.client("codedeploy").put_lifecycle_event_hook_execution_status(
                deploymentId=event["DeploymentId"],
                lifecycleEventHookExecutionId=event["LifecycleEventHookExecutionId"],
                status=status,
            )
        return status
    """
)


# The engine tests' stack fixture, registered here under the attribute's name.
stack = engine_tests.stack


@pytest.fixture(autouse=True)
def fixed_install(monkeypatch):
    """Install lasts its fixed time unless a test fakes target health: these stacks run no tasks (no image recipe),
    and the hooks are the point here, not the targets."""
    monkeypatch.setattr(World, "target_health_reader", staticmethod(lambda: None))


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hook.py", HOOK_SOURCE)
    return buffer.getvalue()


def lambda_role(aws, name: str = "hook") -> str:
    """A role Lambda may assume (made once; later calls find it)."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    iam = aws("iam")
    try:
        return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    except ClientError:
        return iam.get_role(RoleName=name)["Role"]["Arn"]


def hook_function(aws, name: str, status: str) -> str:
    role = lambda_role(aws)
    return aws("lambda").create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler="hook.handler",
        Code={"ZipFile": _zip()},
        Timeout=10,
        Environment={"Variables": {"HOOK_STATUS": status}},
    )["FunctionArn"]


def hooked_revision(stack, function: str, event: str = "AfterAllowTestTraffic") -> dict:
    properties = {"TaskDefinition": stack.td2, "LoadBalancerInfo": {"ContainerName": "web", "ContainerPort": 80}}
    document = {
        "version": 0.0,
        "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": properties}}],
        "Hooks": [{event: function}],
    }
    return {"revisionType": "AppSpecContent", "appSpecContent": {"content": json.dumps(document)}}


def deploy_hooked(aws, stack, function: str, policy: str = ECS_POLICY, event: str = "AfterAllowTestTraffic") -> str:
    clock.set_minute_seconds(MINUTE)
    aws("iam").attach_role_policy(RoleName="codedeploy", PolicyArn=policy)
    make_group(stack, "CodeDeployDefault.ECSAllAtOnce")
    return stack.codedeploy.create_deployment(
        applicationName="app", deploymentGroupName="dg", revision=hooked_revision(stack, function, event)
    )["deploymentId"]


def event_of(stack, deployment_id: str, name: str) -> dict:
    return next(e for e in target(stack, deployment_id)["lifecycleEvents"] if e["lifecycleEventName"] == name)


def hook_log(aws, function: str, timeout: float = 15.0) -> list[str]:
    """The hook function's log lines once an invocation has finished."""
    logs = aws("logs")

    def read():
        try:
            streams = logs.describe_log_streams(logGroupName=f"/aws/lambda/{function}")["logStreams"]
        except ClientError:
            return []
        lines = []
        for stream in streams:
            events = logs.get_log_events(logGroupName=f"/aws/lambda/{function}", logStreamName=stream["logStreamName"])
            lines += [event["message"] for event in events["events"]]
        return lines

    return wait_for(read, lambda lines: any(line.startswith("REPORT") for line in lines), timeout)


def test_hook_that_reports_succeeded_lets_the_deployment_continue(aws, stack):
    hook_function(aws, "CodeDeployHook_ok", "Succeeded")
    deployment_id = deploy_hooked(aws, stack, "CodeDeployHook_ok")
    done = wait_status(stack, deployment_id, "Succeeded", "Failed", "Stopped")
    assert done["status"] == "Succeeded", done.get("errorInformation")
    assert event_of(stack, deployment_id, "AfterAllowTestTraffic")["status"] == "Succeeded"
    execution_id = next(line.split()[1] for line in hook_log(aws, "CodeDeployHook_ok") if line.startswith("execution"))
    with pytest.raises(ClientError) as err:  # the hook has reported; a second report is refused
        stack.codedeploy.put_lifecycle_event_hook_execution_status(
            deploymentId=deployment_id, lifecycleEventHookExecutionId=execution_id, status="Succeeded"
        )
    assert err.value.response["Error"]["Code"] == "LifecycleEventAlreadyCompletedException"


def test_hook_that_reports_failed_fails_the_deployment_and_rolls_back(aws, stack):
    hook_function(aws, "CodeDeployHook_bad", "Failed")
    deployment_id = deploy_hooked(aws, stack, "CodeDeployHook_bad")
    failed = wait_status(stack, deployment_id, "Succeeded", "Failed", "Stopped")
    assert failed["status"] == "Failed"
    assert failed["errorInformation"]["code"] == "HOOK_EXECUTION_FAILURE"
    assert "AfterAllowTestTraffic" in failed["errorInformation"]["message"]
    event = event_of(stack, deployment_id, "AfterAllowTestTraffic")
    assert event["status"] == "Failed"
    assert event["diagnostics"]["errorCode"] == "ScriptFailed"
    assert event["diagnostics"]["scriptName"] == "CodeDeployHook_bad"
    assert event_of(stack, deployment_id, "AllowTraffic")["status"] == "Skipped"
    assert_rolled_back(stack, failed)


def test_hook_that_never_reports_times_out_after_an_hour(aws, stack):
    hook_function(aws, "CodeDeployHook_mute", "none")
    began = time.monotonic()
    deployment_id = deploy_hooked(aws, stack, "CodeDeployHook_mute")
    failed = wait_status(stack, deployment_id, "Succeeded", "Failed", "Stopped")
    assert time.monotonic() - began >= hooks.TIMEOUT_MINUTES * MINUTE
    assert failed["status"] == "Failed"
    assert failed["errorInformation"]["code"] == "HOOK_EXECUTION_FAILURE"
    assert "within 60 minutes" in failed["errorInformation"]["message"]
    assert event_of(stack, deployment_id, "AfterAllowTestTraffic")["diagnostics"]["errorCode"] == "ScriptTimedOut"
    assert_rolled_back(stack, failed)


def test_hook_the_service_role_may_not_invoke_fails_the_deployment(aws, stack):
    hook_function(aws, "validate", "Succeeded")  # AWSCodeDeployRoleForECSLimited allows only CodeDeployHook_*
    deployment_id = deploy_hooked(aws, stack, "validate", policy=ECS_LIMITED_POLICY)
    failed = wait_status(stack, deployment_id, "Succeeded", "Failed", "Stopped")
    assert failed["errorInformation"]["code"] == "IAM_ROLE_PERMISSIONS"
    assert ROLE in failed["errorInformation"]["message"]
    assert "AWSLambda" in failed["errorInformation"]["message"]
    with pytest.raises(ClientError):
        aws("logs").describe_log_streams(logGroupName="/aws/lambda/validate")  # never invoked


def test_hook_for_an_event_ecs_cannot_hook_is_an_invalid_revision(aws, stack):
    hook_function(aws, "CodeDeployHook_x", "Succeeded")
    deployment_id = deploy_hooked(aws, stack, "CodeDeployHook_x", event="ApplicationStart")
    failed = wait_status(stack, deployment_id, "Succeeded", "Failed", "Stopped")
    assert failed["errorInformation"]["code"] == "INVALID_REVISION"
    assert "ApplicationStart" in failed["errorInformation"]["message"]


def test_put_lifecycle_event_hook_execution_status_refusals(aws, stack):
    hook_function(aws, "CodeDeployHook_mute", "none")
    deployment_id = deploy_hooked(aws, stack, "CodeDeployHook_mute")
    execution_id = next(
        line.split()[1] for line in hook_log(aws, "CodeDeployHook_mute") if line.startswith("execution")
    )
    put = stack.codedeploy.put_lifecycle_event_hook_execution_status
    cases = [
        ({"deploymentId": deployment_id, "lifecycleEventHookExecutionId": execution_id, "status": "Skipped"},
         "InvalidLifecycleEventHookExecutionStatusException"),
        ({"deploymentId": deployment_id, "lifecycleEventHookExecutionId": "nope", "status": "Succeeded"},
         "InvalidLifecycleEventHookExecutionIdException"),
        ({"lifecycleEventHookExecutionId": execution_id, "status": "Succeeded"}, "DeploymentIdRequiredException"),
        ({"deploymentId": "d-AAAAAAAAA", "lifecycleEventHookExecutionId": execution_id, "status": "Succeeded"},
         "DeploymentDoesNotExistException"),
    ]  # fmt: skip
    for kwargs, code in cases:
        with pytest.raises(ClientError) as err:
            put(**kwargs)
        assert err.value.response["Error"]["Code"] == code, kwargs
    answer = put(deploymentId=deployment_id, lifecycleEventHookExecutionId=execution_id, status="Succeeded")
    assert answer["lifecycleEventHookExecutionId"] == execution_id
    assert wait_status(stack, deployment_id, "Succeeded", "Failed", "Stopped")["status"] == "Succeeded"


def test_policy_evaluation_follows_the_managed_policies():
    limited = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["lambda:InvokeFunction"],
                "Resource": "arn:aws:lambda:*:*:function:CodeDeployHook_*",
            }
        ]
    }
    ecs = {"Statement": [{"Effect": "Allow", "Action": ["lambda:InvokeFunction", "ecs:*"], "Resource": "*"}]}
    deny = {"Statement": {"Effect": "Deny", "Action": "lambda:*", "Resource": "*"}}
    fn = "arn:aws:lambda:us-east-1:123456789012:function:{}"
    assert hooks.allows([json.dumps(limited)], hooks.INVOKE, fn.format("CodeDeployHook_check"))
    assert not hooks.allows([limited], hooks.INVOKE, fn.format("check"))
    assert hooks.allows([ecs], hooks.INVOKE, fn.format("check"))
    assert not hooks.allows([ecs, deny], hooks.INVOKE, fn.format("check"))
    assert not hooks.allows([], hooks.INVOKE, fn.format("check"))


# -- Install waits for healthy green targets (balancers.target_states, faked here) -------------------


class FakeHealth:
    """Stands in for balancers.target_states: the green target group's targets are ``state``."""

    def __init__(self, stack, state: str):
        self.green_tg = stack.green_tg
        self.state = state
        self.reads = 0

    def __call__(self, target_group_arn):
        self.reads += 1
        if target_group_arn != self.green_tg:
            return {}
        return {("10.0.1.10", 80): self.state, ("10.0.2.10", 80): self.state}


def test_install_waits_for_healthy_targets(aws, stack, monkeypatch):
    health = FakeHealth(stack, "initial")
    monkeypatch.setattr(World, "target_health_reader", staticmethod(lambda: health))
    clock.set_minute_seconds(MINUTE)
    make_group(stack, "CodeDeployDefault.ECSAllAtOnce")
    deployment_id = deploy(stack)
    wait_for(lambda: event_of(stack, deployment_id, "Install")["status"], lambda status: status == "InProgress")
    # The engine has looked 20 times (one a STEP, 1 emulated minute at least): far past the fixed install time.
    wait_for(lambda: health.reads, lambda reads: reads >= 20)
    assert event_of(stack, deployment_id, "Install")["status"] == "InProgress"
    health.state = "healthy"
    assert wait_status(stack, deployment_id, "Succeeded", "Failed", "Stopped")["status"] == "Succeeded"


@pytest.mark.parametrize("state", ["healthy", "unused"])
def test_install_ends_on_healthy_or_unchecked_targets(aws, stack, monkeypatch, state):
    # unused: no listener routes to the green group during Install, so ELB checks nothing (Target.NotInUse)
    monkeypatch.setattr(World, "target_health_reader", staticmethod(lambda: FakeHealth(stack, state)))
    clock.set_minute_seconds(MINUTE)
    make_group(stack, "CodeDeployDefault.ECSAllAtOnce")
    assert wait_status(stack, deploy(stack), "Succeeded", "Failed", "Stopped")["status"] == "Succeeded"


def test_install_whose_targets_never_become_healthy_fails_and_rolls_back(aws, stack, monkeypatch):
    monkeypatch.setattr(deployment, "MIN_INSTALL_TIMEOUT_SECONDS", 0.0)  # the emulated hour alone: 3 s
    monkeypatch.setattr(World, "target_health_reader", staticmethod(lambda: FakeHealth(stack, "unhealthy")))
    clock.set_minute_seconds(MINUTE)
    make_group(stack, "CodeDeployDefault.ECSAllAtOnce")
    deployment_id = deploy(stack)
    failed = wait_status(stack, deployment_id, "Succeeded", "Failed", "Stopped")
    assert failed["status"] == "Failed"
    assert failed["errorInformation"] == {
        "code": "ECS_UPDATE_ERROR",
        "message": "The deployment timed out while waiting for the replacement task set to become healthy. "
        "This time out period is 60 minutes.",
    }
    assert event_of(stack, deployment_id, "Install")["status"] == "Failed"
    assert_rolled_back(stack, failed)


def test_put_lifecycle_event_hook_execution_status_on_an_ec2_deployment_is_refused(aws):
    codedeploy_role(aws)
    client = aws("codedeploy")
    client.create_application(applicationName="server-app", computePlatform="Server")
    client.create_deployment_group(applicationName="server-app", deploymentGroupName="fleet", serviceRoleArn=ROLE)
    revision = {"revisionType": "String", "string": {"content": "version: 0.0\nos: linux\n"}}
    deployment_id = client.create_deployment(
        applicationName="server-app", deploymentGroupName="fleet", revision=revision
    )["deploymentId"]
    with pytest.raises(ClientError) as err:
        client.put_lifecycle_event_hook_execution_status(
            deploymentId=deployment_id, lifecycleEventHookExecutionId="x", status="Succeeded"
        )
    assert err.value.response["Error"]["Code"] == "UnsupportedActionForDeploymentTypeException"


def test_install_waits_real_seconds_at_least_whatever_the_clock(aws, stack, monkeypatch):
    monkeypatch.setattr(World, "target_health_reader", staticmethod(lambda: FakeHealth(stack, "unhealthy")))
    monkeypatch.setattr(deployment, "MIN_INSTALL_TIMEOUT_SECONDS", 1.5)
    make_group(stack, "CodeDeployDefault.ECSAllAtOnce")
    clock.set_minute_seconds(0.005)  # the emulated hour lasts 0.3 s
    began = time.monotonic()
    failed = wait_status(stack, deploy(stack), "Succeeded", "Failed", "Stopped")
    assert failed["errorInformation"]["code"] == "ECS_UPDATE_ERROR"
    assert time.monotonic() - began >= 1.5
