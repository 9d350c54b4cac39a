"""What AWS refuses in an ECS-native blue/green service's settings, the emulator refuses before anything changes
(emulator/bluegreen/ecs_config.py): InvalidParameterException, and no service is created or changed."""

import json

import pytest
from botocore.exceptions import ClientError

from emulator.patches import iam as iam_patch
from tests.emulator.codedeploy_setup import age_role

CANARY = {"strategy": "CANARY", "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 1}}


def refused_create(stack, config, **kwargs) -> str:
    with pytest.raises(ClientError) as refused:
        stack.create(config, runs=False, **kwargs)
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert stack.ecs.describe_services(cluster="main", services=["web"])["services"] == []  # nothing created
    return refused.value.response["Error"]["Message"]


@pytest.mark.parametrize("stage", ["TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT"])
def test_pause_hook_at_a_traffic_shift_is_refused(stack, stage):
    message = refused_create(
        stack, {"strategy": "BLUE_GREEN", "lifecycleHooks": [{"targetType": "PAUSE", "lifecycleStages": [stage]}]}
    )
    assert stage in message and "PAUSE" in message


def test_lambda_hook_without_target_is_refused(stack):
    message = refused_create(
        stack, {"strategy": "BLUE_GREEN", "lifecycleHooks": [{"lifecycleStages": ["PRE_SCALE_UP"]}]}
    )
    assert "hookTargetArn" in message


def test_hook_timeout_above_14_days_is_refused(stack):
    hook = {
        "targetType": "PAUSE",
        "lifecycleStages": ["PRE_SCALE_UP"],
        "timeoutConfiguration": {"timeoutInMinutes": 20161},
    }
    assert "timeoutInMinutes" in refused_create(stack, {"strategy": "BLUE_GREEN", "lifecycleHooks": [hook]})


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ({"strategy": "BLUE_GREEN", "canaryConfiguration": {"canaryPercent": 10.0}}, "canaryConfiguration"),
        ({"strategy": "CANARY", "linearConfiguration": {"stepPercent": 10.0}}, "linearConfiguration"),
        ({"linearConfiguration": {"stepPercent": 10.0}}, "linearConfiguration"),
    ],
)
def test_strategy_configuration_without_its_strategy_is_refused(stack, config, named):
    assert named in refused_create(stack, config)


def test_linear_step_below_3_percent_is_refused(stack):
    assert "stepPercent" in refused_create(stack, {"strategy": "LINEAR", "linearConfiguration": {"stepPercent": 2.0}})


def test_blue_green_behind_a_load_balancer_needs_advanced_configuration(stack):
    plain = [{"targetGroupArn": stack.blue_tg, "containerName": "web", "containerPort": 8000}]
    assert "advancedConfiguration" in refused_create(stack, CANARY, loadBalancers=plain)


def test_missing_alternate_target_group_is_refused(stack):
    message = refused_create(stack, CANARY, loadBalancers=stack.balancers(alternateTargetGroupArn=None))
    assert "alternateTargetGroupArn" in message


def test_rule_that_mixes_forward_with_another_action_is_refused(stack):
    rule = stack.elbv2.create_rule(
        ListenerArn=stack.prod_listener,
        Priority=10,
        Conditions=[{"Field": "path-pattern", "Values": ["/*"]}],
        Actions=[
            {
                "Type": "fixed-response",
                "Order": 1,
                "FixedResponseConfig": {"StatusCode": "200", "ContentType": "text/plain", "MessageBody": "x"},
            },
            {"Type": "forward", "Order": 2, "TargetGroupArn": stack.blue_tg},
        ],
    )["Rules"][0]["RuleArn"]
    message = refused_create(stack, CANARY, loadBalancers=stack.balancers(productionListenerRule=rule))
    assert rule in message and "forward" in message


def test_unknown_listener_rule_is_refused(stack):
    missing = stack.prod_rule.rsplit("/", 1)[0] + "/0"
    assert "does not exist" in refused_create(stack, CANARY, loadBalancers=stack.balancers(testListenerRule=missing))


def test_role_that_ecs_cannot_assume_is_refused(stack):
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "codedeploy.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = stack.aws("iam").create_role(RoleName="not-ecs", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    assert "ecs.amazonaws.com" in refused_create(stack, CANARY, loadBalancers=stack.balancers(roleArn=role))
    missing = role.replace("not-ecs", "nobody")
    assert missing in refused_create(stack, CANARY, loadBalancers=stack.balancers(roleArn=missing))


def test_a_role_iam_has_not_propagated_yet_is_one_ecs_cannot_assume(stack):
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    iam_patch.set_propagation_seconds(30)
    try:
        fresh = stack.aws("iam").create_role(RoleName="fresh-lb", AssumeRolePolicyDocument=json.dumps(trust))
        arn = fresh["Role"]["Arn"]
        message = refused_create(stack, CANARY, loadBalancers=stack.balancers(roleArn=arn))
        # What the ecs role retries on (roles/ecs/tasks/ecs_service.yml: 'unable to assume', any case).
        assert "unable to assume" in message.lower() and arn in message
        age_role(arn, hours=31 / 3600)
        stack.create(CANARY, runs=False, loadBalancers=stack.balancers(roleArn=arn))
    finally:
        iam_patch.set_propagation_seconds(None)


def test_update_service_is_refused_before_it_changes_anything(stack, no_health):
    stack.create({"strategy": "BLUE_GREEN"}, runs=False)
    bad = {
        "strategy": "BLUE_GREEN",
        "lifecycleHooks": [{"targetType": "PAUSE", "lifecycleStages": ["TEST_TRAFFIC_SHIFT"]}],
    }
    with pytest.raises(ClientError) as refused:
        stack.ecs.update_service(
            cluster="main",
            service="web",
            taskDefinition=stack.task_definition("2.0.0", runs=False),
            deploymentConfiguration=bad,
        )
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    service = stack.ecs.describe_services(cluster="main", services=["web"])["services"][0]
    assert service["taskDefinition"].endswith("web:1")
    assert "lifecycleHooks" not in service["deploymentConfiguration"]
    assert len(stack.deployments()) == 1
