# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import copy

import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import codedeploy as cd

PROD = "arn:aws:elasticloadbalancing:us-east-1:1:listener/app/a/1/prod"
PROD2 = "arn:aws:elasticloadbalancing:us-east-1:1:listener/app/a/1/prod2"
TEST = "arn:aws:elasticloadbalancing:us-east-1:1:listener/app/a/1/test"
ROLE = "arn:aws:iam::1:role/cd"

PARAMS = {
    "application": "prd-web",
    "name": "prd-web-dg",
    "service_role_arn": ROLE,
    "deployment_config_name": "prd-web-canary10pct-5min",
    "ecs_service": {"cluster": "prd-demo-cluster", "service": "prd-web"},
    "target_groups": ["prd-web-blue", "prd-web-green"],
    "prod_listener_arns": [PROD, PROD2],
    "test_listener_arns": [TEST],
    "ready_option": None,
    "termination_wait_minutes": 5,
    "auto_rollback": {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]},
    "alarms": {"names": ["b-alarm", "a-alarm"], "enabled": True, "ignore_poll_alarm_failure": False},
    "triggers": [
        {"name": "z", "target_arn": "arn:aws:sns:us-east-1:1:z", "events": ["DeploymentFailure", "DeploymentStop"]},
        {"name": "a", "target_arn": "arn:aws:sns:us-east-1:1:a", "events": ["DeploymentSuccess"]},
    ],
}


def params(**changes):
    result = copy.deepcopy(PARAMS)
    result.update(changes)
    return result


# -- traffic routing ---------------------------------------------------------------------------


def test_canary_config():
    assert cd.traffic_routing_config({"type": "time_based_canary", "percentage": 10, "interval": 5}) == {
        "type": "TimeBasedCanary",
        "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 5},
    }


def test_linear_config_allows_100_percent_and_two_days():
    assert cd.traffic_routing_config({"type": "time_based_linear", "percentage": 100, "interval": 2880}) == {
        "type": "TimeBasedLinear",
        "timeBasedLinear": {"linearPercentage": 100, "linearInterval": 2880},
    }


def test_all_at_once_config():
    assert cd.traffic_routing_config({"type": "all_at_once", "percentage": None, "interval": None}) == {
        "type": "AllAtOnce"
    }


@pytest.mark.parametrize(
    "traffic, message",
    [
        (
            {"type": "time_based_canary", "percentage": 100, "interval": 1},
            "percentage: 100 is out of range; allowed 1..99",
        ),
        (
            {"type": "time_based_linear", "percentage": 0, "interval": 1},
            "percentage: 0 is out of range; allowed 1..100",
        ),
        ({"type": "time_based_linear", "percentage": 10, "interval": 2881}, "interval: 2881 is out of range"),
        ({"type": "time_based_canary", "percentage": True, "interval": 1}, "percentage: True is not an integer"),
        ({"type": "time_based_canary", "interval": 1}, "needs both percentage and interval"),
        ({"type": "all_at_once", "interval": 1}, "do not apply"),
        ({"type": "blue_green"}, "traffic_routing.type: 'blue_green' is not one of"),
    ],
)
def test_traffic_routing_errors_name_the_field(traffic, message):
    with pytest.raises(cd.CodeDeployError) as err:
        cd.traffic_routing_config(traffic)
    assert message in str(err.value)


def test_normalized_config_ignores_what_aws_adds():
    live = {
        "deploymentConfigId": "x",
        "deploymentConfigName": "n",
        "createTime": "t",
        "computePlatform": "ECS",
        "minimumHealthyHosts": {"type": "FLEET_PERCENT", "value": 0},
        "trafficRoutingConfig": {
            "type": "TimeBasedCanary",
            "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 5},
        },
    }
    wanted = {
        "deploymentConfigName": "n",
        "computePlatform": "ECS",
        "trafficRoutingConfig": cd.traffic_routing_config(
            {"type": "time_based_canary", "percentage": 10, "interval": 5}
        ),
    }
    assert cd.normalize_deployment_config(live) == cd.normalize_deployment_config(wanted)
    wanted["trafficRoutingConfig"]["timeBasedCanary"]["canaryInterval"] = 6
    assert cd.normalize_deployment_config(live) != cd.normalize_deployment_config(wanted)


def test_describe_traffic():
    assert cd.describe_traffic({"trafficRoutingConfig": {"type": "AllAtOnce"}}) == "AllAtOnce"
    linear = {
        "trafficRoutingConfig": {
            "type": "TimeBasedLinear",
            "timeBasedLinear": {"linearPercentage": 20, "linearInterval": 2},
        }
    }
    assert cd.describe_traffic(linear) == "TimeBasedLinear 20% every 2 min"


def test_predefined_names():
    assert cd.is_predefined_config("CodeDeployDefault.ECSAllAtOnce")
    assert not cd.is_predefined_config("prd-web-canary10pct-5min")


# -- deployment group validation -----------------------------------------------------------------


def test_valid_params_pass():
    cd.validate_deployment_group(params())


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"alarms": {"names": [str(i) for i in range(11)], "enabled": True}}, "alarms.names: 11 alarms given"),
        (
            {"auto_rollback": {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "NOPE"]}},
            "auto_rollback.events: 'NOPE'",
        ),
        ({"auto_rollback": {"enabled": True, "events": []}}, "give at least one event"),
        ({"alarms": None}, "DEPLOYMENT_STOP_ON_ALARM needs alarms.names"),
        ({"alarms": {"names": [], "enabled": True}}, "alarms.names: give at least one alarm"),
        ({"target_groups": ["a", "a"]}, "two different target group names"),
        ({"target_groups": ["a", "b", "c"]}, "two different target group names"),
        ({"prod_listener_arns": []}, "prod_listener_arns: give at least one"),
        ({"test_listener_arns": [PROD]}, f"test_listener_arns: {PROD} is also a production listener"),
        ({"ecs_service": {"cluster": "c", "service": None}}, "ecs_service.service is required"),
        ({"service_role_arn": ""}, "service_role_arn is required"),
        ({"termination_wait_minutes": -1}, "termination_wait_minutes: -1 is out of range; allowed 0..2880"),
        ({"ready_option": {"action": "wait", "wait_minutes": 2881}}, "ready_option.wait_minutes: 2881 is out of range"),
        ({"ready_option": {"action": "wait", "wait_minutes": None}}, "wait_minutes is required with action=wait"),
        ({"ready_option": {"action": "continue", "wait_minutes": 3}}, "applies only to action=wait"),
        ({"ready_option": {"action": "later"}}, "ready_option.action: 'later'"),
        ({"triggers": [{"name": "a", "target_arn": "t", "events": ["Nope"]}]}, "triggers[0].events: 'Nope'"),
        (
            {"triggers": [{"name": "a", "target_arn": "t", "events": ["DeploymentStop"]}] * 2},
            "triggers[1]: trigger name 'a'",
        ),
        (
            {"triggers": [{"name": "a", "target_arn": None, "events": ["DeploymentStop"]}]},
            "triggers[0]: name and target_arn",
        ),
    ],
)
def test_validation_errors_name_the_option(changes, message):
    with pytest.raises(cd.CodeDeployError) as err:
        cd.validate_deployment_group(params(**changes))
    assert message in str(err.value)


def test_disabled_rollback_does_not_need_alarms():
    cd.validate_deployment_group(
        params(alarms=None, auto_rollback={"enabled": False, "events": ["DEPLOYMENT_STOP_ON_ALARM"]})
    )


# -- request building and comparison -------------------------------------------------------------


def test_request_shape():
    request = cd.deployment_group_request(params(), ROLE)
    assert request["deploymentStyle"] == {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"}
    assert request["blueGreenDeploymentConfiguration"] == {
        "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": 5},
        "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT", "waitTimeInMinutes": 0},
    }
    pair = request["loadBalancerInfo"]["targetGroupPairInfoList"][0]
    assert pair["targetGroups"] == [{"name": "prd-web-blue"}, {"name": "prd-web-green"}]
    assert pair["testTrafficRoute"] == {"listenerArns": [TEST]}
    assert request["alarmConfiguration"]["alarms"] == [{"name": "b-alarm"}, {"name": "a-alarm"}]
    assert request["triggerConfigurations"][0] == {
        "triggerName": "z",
        "triggerTargetArn": "arn:aws:sns:us-east-1:1:z",
        "triggerEvents": ["DeploymentFailure", "DeploymentStop"],
    }


def test_request_wait_option_and_arns_for_ecs_names():
    request = cd.deployment_group_request(
        params(
            ready_option={"action": "wait", "wait_minutes": 30},
            ecs_service={
                "cluster": "arn:aws:ecs:us-east-1:1:cluster/prd-demo-cluster",
                "service": "arn:aws:ecs:us-east-1:1:service/prd-demo-cluster/prd-web",
            },
        ),
        ROLE,
    )
    ready = request["blueGreenDeploymentConfiguration"]["deploymentReadyOption"]
    assert ready == {"actionOnTimeout": "STOP_DEPLOYMENT", "waitTimeInMinutes": 30}
    assert request["ecsServices"] == [{"serviceName": "prd-web", "clusterName": "prd-demo-cluster"}]


def test_unset_optional_blocks_are_not_sent_and_not_compared():
    request = cd.deployment_group_request(
        params(auto_rollback=None, alarms=None, triggers=None, test_listener_arns=None), ROLE
    )
    for key in ("autoRollbackConfiguration", "alarmConfiguration", "triggerConfigurations"):
        assert key not in request
    assert "testTrafficRoute" not in request["loadBalancerInfo"]["targetGroupPairInfoList"][0]
    live = aws_view(request)
    live["alarmConfiguration"] = {"enabled": True, "alarms": [{"name": "other"}], "ignorePollAlarmFailure": False}
    before, after = cd.compare_deployment_group(request, live)
    assert before == after
    assert "alarmConfiguration" not in after


def aws_view(request):
    """The request as GetDeploymentGroup would return it: extra keys, set-like lists reordered."""
    live = copy.deepcopy(request)
    live.update(
        deploymentGroupId="id",
        computePlatform="ECS",
        ec2TagFilters=[],
        autoScalingGroups=[],
        outdatedInstancesStrategy="UPDATE",
        terminationHookEnabled=False,
        lastAttemptedDeployment={"deploymentId": "d", "status": "Succeeded"},
    )
    pair = live["loadBalancerInfo"]["targetGroupPairInfoList"][0]
    pair["targetGroups"].reverse()
    pair["prodTrafficRoute"]["listenerArns"].reverse()
    for key, inner in (("alarmConfiguration", "alarms"), ("autoRollbackConfiguration", "events")):
        if key in live:
            live[key][inner].reverse()
    if "triggerConfigurations" in live:
        live["triggerConfigurations"].reverse()
        for trigger in live["triggerConfigurations"]:
            trigger["triggerEvents"].reverse()
    return live


def test_live_group_equal_to_request_compares_equal_despite_order_and_extra_fields():
    request = cd.deployment_group_request(params(), ROLE)
    before, after = cd.compare_deployment_group(request, aws_view(request))
    assert before == after


@pytest.mark.parametrize(
    "mutate, key",
    [
        (lambda live: live.update(deploymentConfigName="CodeDeployDefault.ECSAllAtOnce"), "deploymentConfigName"),
        (lambda live: live.update(serviceRoleArn="arn:aws:iam::1:role/other"), "serviceRoleArn"),
        (
            lambda live: live["blueGreenDeploymentConfiguration"]["terminateBlueInstancesOnDeploymentSuccess"].update(
                terminationWaitTimeInMinutes=60
            ),
            "blueGreenDeploymentConfiguration",
        ),
        (
            lambda live: live["loadBalancerInfo"]["targetGroupPairInfoList"][0]["testTrafficRoute"].update(
                listenerArns=[]
            ),
            "loadBalancerInfo",
        ),
        (lambda live: live["ecsServices"][0].update(serviceName="other"), "ecsServices"),
        (lambda live: live["autoRollbackConfiguration"]["events"].pop(), "autoRollbackConfiguration"),
        (lambda live: live["alarmConfiguration"].update(ignorePollAlarmFailure=True), "alarmConfiguration"),
        (lambda live: live["triggerConfigurations"].pop(), "triggerConfigurations"),
    ],
)
def test_each_managed_difference_is_seen(mutate, key):
    request = cd.deployment_group_request(params(), ROLE)
    live = aws_view(request)
    mutate(live)
    before, after = cd.compare_deployment_group(request, live)
    assert cd.changed_keys(before, after) == [key]


def test_missing_group_compares_as_empty():
    request = cd.deployment_group_request(params(), ROLE)
    before, after = cd.compare_deployment_group(request, None)
    assert before == {}
    assert after["deploymentConfigName"] == "prd-web-canary10pct-5min"


def test_continue_ignores_live_wait_time_and_disabled_rollback_ignores_events():
    request = cd.deployment_group_request(
        params(auto_rollback={"enabled": False, "events": ["DEPLOYMENT_FAILURE"]}), ROLE
    )
    live = aws_view(request)
    live["blueGreenDeploymentConfiguration"]["deploymentReadyOption"]["waitTimeInMinutes"] = 60
    live["autoRollbackConfiguration"] = {"enabled": False}
    before, after = cd.compare_deployment_group(request, live)
    assert before == after


def test_absent_blocks_in_live_group_get_aws_defaults():
    request = cd.deployment_group_request(params(triggers=[]), ROLE)
    live = aws_view(request)
    del live["triggerConfigurations"]
    before, after = cd.compare_deployment_group(request, live)
    assert before == after


def test_update_request_renames_the_key():
    request = cd.deployment_group_request(params(), ROLE)
    request["tags"] = [{"Key": "a", "Value": "b"}]
    update = cd.update_request(request)
    assert update["currentDeploymentGroupName"] == "prd-web-dg"
    assert "deploymentGroupName" not in update
    assert "tags" not in update
    assert "deploymentGroupName" in request


# -- tags and ARNs ------------------------------------------------------------------------------


def test_arns():
    assert cd.application_arn("aws", "us-east-1", "1", "app") == "arn:aws:codedeploy:us-east-1:1:application:app"
    assert (
        cd.deployment_group_arn("aws-cn", "cn-north-1", "1", "app", "dg")
        == "arn:aws-cn:codedeploy:cn-north-1:1:deploymentgroup:app/dg"
    )


# -- code_deploy_service_plan ---------------------------------------------------------------------------------------

LIVE_SERVICE = {
    "serviceName": "web",
    "platformVersion": "LATEST",
    "enableExecuteCommand": False,
    "healthCheckGracePeriodSeconds": 60,
    "networkConfiguration": {
        "awsvpcConfiguration": {
            "subnets": ["subnet-b", "subnet-a"],
            "securityGroups": ["sg-1"],
            "assignPublicIp": "DISABLED",
        }
    },
}
WANTED_SERVICE = {
    "subnets": ["subnet-a", "subnet-b"],
    "security_groups": ["sg-1"],
    "assign_public_ip": False,
    "platform_version": "LATEST",
    "enable_execute_command": False,
    "health_check_grace_period_seconds": 60,
}


def test_converged_code_deploy_service_needs_nothing():
    assert cd.code_deploy_service_plan(LIVE_SERVICE, WANTED_SERVICE) == {"release": [], "refused": []}
    # the grace period is updatable: not the plan's business
    assert cd.code_deploy_service_plan(LIVE_SERVICE, dict(WANTED_SERVICE, health_check_grace_period_seconds=30)) == {
        "release": [],
        "refused": [],
    }


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"subnets": ["subnet-a", "subnet-c"]}, "subnets: subnet-a, subnet-b -> subnet-a, subnet-c"),
        ({"security_groups": ["sg-2"]}, "security groups: sg-1 -> sg-2"),
        ({"assign_public_ip": True}, "assignPublicIp: DISABLED -> ENABLED"),
        ({"platform_version": "1.4.0"}, "platform version: LATEST -> 1.4.0"),
    ],
)
def test_network_and_platform_changes_wait_for_the_next_release(change, needle):
    plan = cd.code_deploy_service_plan(LIVE_SERVICE, dict(WANTED_SERVICE, **change))
    assert plan == {"release": [needle], "refused": []}


def test_execute_command_cannot_change_on_a_code_deploy_service():
    plan = cd.code_deploy_service_plan(LIVE_SERVICE, dict(WANTED_SERVICE, enable_execute_command=True))
    assert plan["release"] == [] and len(plan["refused"]) == 1
    assert plan["refused"][0].startswith("ecs_enable_execute_command:")
    assert "ecs_enable_execute_command: false" in plan["refused"][0]


def test_grace_period_change_is_refused_only_with_ecs_exec_on():
    live = dict(LIVE_SERVICE, enableExecuteCommand=True)
    wanted = dict(WANTED_SERVICE, enable_execute_command=True)
    assert cd.code_deploy_service_plan(live, wanted)["refused"] == []
    refused = cd.code_deploy_service_plan(live, dict(wanted, health_check_grace_period_seconds=30))["refused"]
    assert len(refused) == 1 and refused[0].startswith("ecs_health_check_grace_period_seconds:")
