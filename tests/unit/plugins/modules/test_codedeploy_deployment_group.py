# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import copy
import json

import pytest

from ansible_collections.bluegreen.ecs.plugins.modules import codedeploy_deployment_group as module
from ansible_collections.bluegreen.ecs.tests.unit.plugins.modules.utils import ACCOUNT, AwsStubs, run_module

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/prd-web-codedeploy-role"
PROD = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:listener/app/prd-web-alb/1/prod"
TEST = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:listener/app/prd-web-alb/1/test"
DG_ARN = f"arn:aws:codedeploy:us-east-1:{ACCOUNT}:deploymentgroup:prd-web/prd-web-dg"
KEY = {"applicationName": "prd-web", "deploymentGroupName": "prd-web-dg"}

ARGS = {
    "application": "prd-web",
    "name": "prd-web-dg",
    "service_role_arn": ROLE_ARN,
    "deployment_config_name": "prd-web-canary10pct-5min",
    "ecs_service": {"cluster": "prd-demo-cluster", "service": "prd-web"},
    "target_groups": ["prd-web-blue", "prd-web-green"],
    "prod_listener_arns": [PROD],
    "test_listener_arns": [TEST],
    "termination_wait_minutes": 0,
    "auto_rollback": {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]},
    "alarms": {"names": ["prd-web-5xx", "prd-web-latency"]},
}

REQUEST = {
    "applicationName": "prd-web",
    "deploymentGroupName": "prd-web-dg",
    "deploymentConfigName": "prd-web-canary10pct-5min",
    "serviceRoleArn": ROLE_ARN,
    "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
    "blueGreenDeploymentConfiguration": {
        "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": 0},
        "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT", "waitTimeInMinutes": 0},
    },
    "loadBalancerInfo": {
        "targetGroupPairInfoList": [
            {
                "targetGroups": [{"name": "prd-web-blue"}, {"name": "prd-web-green"}],
                "prodTrafficRoute": {"listenerArns": [PROD]},
                "testTrafficRoute": {"listenerArns": [TEST]},
            }
        ]
    },
    "ecsServices": [{"serviceName": "prd-web", "clusterName": "prd-demo-cluster"}],
    "autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]},
    "alarmConfiguration": {
        "enabled": True,
        "ignorePollAlarmFailure": False,
        "alarms": [{"name": "prd-web-5xx"}, {"name": "prd-web-latency"}],
    },
}


def live_info(**changes):
    """What GetDeploymentGroup returns for REQUEST on AWS: extra fields, lists in another order."""
    info = {
        "applicationName": "prd-web",
        "deploymentGroupId": "dg-1",
        "deploymentGroupName": "prd-web-dg",
        "deploymentConfigName": "prd-web-canary10pct-5min",
        "ec2TagFilters": [],
        "onPremisesInstanceTagFilters": [],
        "autoScalingGroups": [],
        "serviceRoleArn": ROLE_ARN,
        "triggerConfigurations": [],
        "alarmConfiguration": {
            "enabled": True,
            "ignorePollAlarmFailure": False,
            "alarms": [{"name": "prd-web-latency"}, {"name": "prd-web-5xx"}],
        },
        "autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_FAILURE"]},
        "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        "outdatedInstancesStrategy": "UPDATE",
        "blueGreenDeploymentConfiguration": {
            "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": 0},
            "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT", "waitTimeInMinutes": 0},
        },
        "loadBalancerInfo": {
            "targetGroupPairInfoList": [
                {
                    "targetGroups": [{"name": "prd-web-green"}, {"name": "prd-web-blue"}],
                    "prodTrafficRoute": {"listenerArns": [PROD]},
                    "testTrafficRoute": {"listenerArns": [TEST]},
                }
            ]
        },
        "lastSuccessfulDeployment": {"deploymentId": "d-1", "status": "Succeeded"},
        "computePlatform": "ECS",
        "ecsServices": [{"serviceName": "prd-web", "clusterName": "prd-demo-cluster"}],
        "terminationHookEnabled": False,
    }
    info.update(changes)
    return {"deploymentGroupInfo": info}


def lookups(stubs, listeners=(PROD, TEST), groups=("prd-web-blue", "prd-web-green"), controller="CODE_DEPLOY"):
    for arn in listeners:
        stubs.elbv2.add_response(
            "describe_listeners", {"Listeners": [{"ListenerArn": arn, "Port": 80}]}, {"ListenerArns": [arn]}
        )
    for name in groups:
        stubs.elbv2.add_response(
            "describe_target_groups", {"TargetGroups": [{"TargetGroupName": name}]}, {"Names": [name]}
        )
    stubs.ecs.add_response(
        "describe_services",
        {
            "services": [{"serviceName": "prd-web", "status": "ACTIVE", "deploymentController": {"type": controller}}],
            "failures": [],
        },
        {"cluster": "prd-demo-cluster", "services": ["prd-web"]},
    )


def group_missing(stubs, code="DeploymentGroupDoesNotExistException"):
    stubs.codedeploy.add_client_error("get_deployment_group", code, expected_params=KEY)


def group_live(stubs, response=None):
    stubs.codedeploy.add_response("get_deployment_group", response or live_info(), KEY)


def new_stubs():
    return AwsStubs("codedeploy", "elbv2", "ecs", "iam", "sts")


def test_create(capsys):
    stubs = new_stubs()
    lookups(stubs)
    group_missing(stubs)
    stubs.codedeploy.add_response("create_deployment_group", {"deploymentGroupId": "dg-1"}, REQUEST)
    group_live(stubs)
    failed, result = run_module(module, ARGS, stubs, capsys, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["deployment_group"]["deployment_group_id"] == "dg-1"
    assert "last_successful_deployment" not in result["deployment_group"]
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["deployment_config_name"] == "prd-web-canary10pct-5min"


def test_create_with_tags_and_role_name(capsys):
    stubs = new_stubs()
    stubs.iam.add_response(
        "get_role",
        {
            "Role": {
                "Path": "/",
                "RoleName": "prd-web-codedeploy-role",
                "RoleId": "AROATEST0000000000000",
                "Arn": ROLE_ARN,
                "CreateDate": "2026-01-01T00:00:00Z",
            }
        },
        {"RoleName": "prd-web-codedeploy-role"},
    )
    lookups(stubs)
    group_missing(stubs)
    stubs.codedeploy.add_response(
        "create_deployment_group",
        {"deploymentGroupId": "dg-1"},
        dict(REQUEST, tags=[{"Key": "Environment", "Value": "prd"}]),
    )
    group_live(stubs)
    args = dict(ARGS, service_role_arn="prd-web-codedeploy-role", tags={"Environment": "prd"})
    failed, result = run_module(module, args, stubs, capsys)
    assert not failed, result
    assert result["changed"] is True
    assert result["deployment_group"]["tags"] == {"Environment": "prd"}


def test_converged_group_makes_no_write_call(capsys):
    stubs = new_stubs()
    lookups(stubs)
    group_live(stubs)
    stubs.caller_identity()
    stubs.codedeploy.add_response(
        "list_tags_for_resource", {"Tags": [{"Key": "Environment", "Value": "prd"}]}, {"ResourceArn": DG_ARN}
    )
    failed, result = run_module(module, dict(ARGS, tags={"Environment": "prd"}), stubs, capsys, diff=True)
    assert not failed, result
    assert result["changed"] is False
    assert result["diff"]["before"] == result["diff"]["after"]
    assert result["deployment_group"]["tags"] == {"Environment": "prd"}


def test_options_left_unset_are_not_compared(capsys):
    stubs = new_stubs()
    lookups(stubs)
    # Live group has a trigger and no alarms; the task manages neither.
    trigger = {
        "triggerName": "ops",
        "triggerTargetArn": "arn:aws:sns:us-east-1:1:t",
        "triggerEvents": ["DeploymentFailure"],
    }
    group_live(stubs, live_info(triggerConfigurations=[trigger]))
    args = {key: value for key, value in ARGS.items() if key not in ("alarms", "auto_rollback")}
    failed, result = run_module(module, args, stubs, capsys)
    assert not failed, result
    assert result["changed"] is False


def test_update_sends_the_whole_wanted_group(capsys):
    stubs = new_stubs()
    lookups(stubs)
    group_live(stubs, live_info(deploymentConfigName="CodeDeployDefault.ECSAllAtOnce"))
    update = copy.deepcopy(REQUEST)
    update["currentDeploymentGroupName"] = update.pop("deploymentGroupName")
    stubs.codedeploy.add_response("update_deployment_group", {"hooksNotCleanedUp": []}, update)
    group_live(stubs)
    failed, result = run_module(module, ARGS, stubs, capsys, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["before"]["deployment_config_name"] == "CodeDeployDefault.ECSAllAtOnce"
    assert result["diff"]["after"]["deployment_config_name"] == "prd-web-canary10pct-5min"


def test_update_of_tags_only(capsys):
    stubs = new_stubs()
    lookups(stubs)
    group_live(stubs)
    stubs.caller_identity()
    stubs.codedeploy.add_response(
        "list_tags_for_resource", {"Tags": [{"Key": "Environment", "Value": "stg"}]}, {"ResourceArn": DG_ARN}
    )
    stubs.codedeploy.add_response(
        "tag_resource", {}, {"ResourceArn": DG_ARN, "Tags": [{"Key": "Environment", "Value": "prd"}]}
    )
    group_live(stubs)
    failed, result = run_module(module, dict(ARGS, tags={"Environment": "prd"}), stubs, capsys)
    assert not failed, result
    assert result["changed"] is True
    assert result["deployment_group"]["tags"] == {"Environment": "prd"}


def test_check_mode_update_makes_no_write_call(capsys):
    stubs = new_stubs()
    lookups(stubs)
    group_live(stubs, live_info(deploymentConfigName="CodeDeployDefault.ECSAllAtOnce"))
    failed, result = run_module(module, ARGS, stubs, capsys, check_mode=True, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["deployment_group"]["deployment_config_name"] == "prd-web-canary10pct-5min"


def test_check_mode_without_application_reports_a_create(capsys):
    stubs = new_stubs()
    lookups(stubs)
    group_missing(stubs, "ApplicationDoesNotExistException")
    failed, result = run_module(module, dict(ARGS, tags={"A": "b"}), stubs, capsys, check_mode=True, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["after"]["tags"] == {"A": "b"}


def test_missing_application_fails_outside_check_mode(capsys):
    stubs = new_stubs()
    lookups(stubs)
    group_missing(stubs, "ApplicationDoesNotExistException")
    failed, result = run_module(module, ARGS, stubs, capsys)
    assert failed
    assert "application: CodeDeploy application prd-web does not exist" in result["msg"]


IN_FLIGHT = dict(KEY, includeOnlyStatuses=["Created", "Queued", "InProgress", "Ready", "Baking"])


def none_in_flight(stubs, deployments=()):
    stubs.codedeploy.add_response("list_deployments", {"deployments": list(deployments)}, IN_FLIGHT)


def test_delete(capsys):
    stubs = new_stubs()
    group_live(stubs)
    none_in_flight(stubs)
    stubs.codedeploy.add_response("delete_deployment_group", {"hooksNotCleanedUp": []}, KEY)
    args = {"application": "prd-web", "name": "prd-web-dg", "state": "absent"}
    failed, result = run_module(module, args, stubs, capsys, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["after"] == {}


def test_delete_missing_and_check_mode_make_no_write_call(capsys):
    args = {"application": "prd-web", "name": "prd-web-dg", "state": "absent"}
    stubs = new_stubs()
    group_missing(stubs, "ApplicationDoesNotExistException")
    failed, result = run_module(module, args, stubs, capsys)
    assert not failed and result["changed"] is False

    stubs = new_stubs()
    group_live(stubs)
    none_in_flight(stubs)
    failed, result = run_module(module, args, stubs, capsys, check_mode=True)
    assert not failed and result["changed"] is True


@pytest.mark.parametrize("check_mode", [False, True])
def test_delete_refused_while_a_deployment_is_in_flight(capsys, check_mode):
    """No DeleteDeploymentGroup is queued: the Stubber fails the test if the module sends one."""
    args = {"application": "prd-web", "name": "prd-web-dg", "state": "absent"}
    stubs = new_stubs()
    group_live(stubs)
    none_in_flight(stubs, ["d-BBBBBBBBB", "d-AAAAAAAAA"])
    failed, result = run_module(module, args, stubs, capsys, check_mode=check_mode)
    assert failed
    assert result["msg"].startswith(
        "deployment group prd-web/prd-web-dg has a deployment in flight (d-AAAAAAAAA, d-BBBBBBBBB); it is not deleted"
    )


def test_unknown_listener_is_named_with_its_option(capsys):
    stubs = new_stubs()
    stubs.elbv2.add_response("describe_listeners", {"Listeners": [{"ListenerArn": PROD}]}, {"ListenerArns": [PROD]})
    stubs.elbv2.add_client_error("describe_listeners", "ListenerNotFound", expected_params={"ListenerArns": [TEST]})
    failed, result = run_module(module, ARGS, stubs, capsys)
    assert failed
    assert result["msg"] == f"test_listener_arns: unknown listener {TEST}"


def test_unknown_target_group(capsys):
    stubs = new_stubs()
    for arn in (PROD, TEST):
        stubs.elbv2.add_response("describe_listeners", {"Listeners": [{"ListenerArn": arn}]}, {"ListenerArns": [arn]})
    stubs.elbv2.add_client_error(
        "describe_target_groups", "TargetGroupNotFound", expected_params={"Names": ["prd-web-blue"]}
    )
    failed, result = run_module(module, ARGS, stubs, capsys)
    assert failed
    assert result["msg"] == "target_groups: unknown target group prd-web-blue"


def test_unknown_ecs_service(capsys):
    stubs = new_stubs()
    for arn in (PROD, TEST):
        stubs.elbv2.add_response("describe_listeners", {"Listeners": [{"ListenerArn": arn}]}, {"ListenerArns": [arn]})
    for name in ARGS["target_groups"]:
        stubs.elbv2.add_response(
            "describe_target_groups", {"TargetGroups": [{"TargetGroupName": name}]}, {"Names": [name]}
        )
    stubs.ecs.add_response(
        "describe_services",
        {"services": [], "failures": [{"arn": "arn:aws:ecs:us-east-1:1:service/prd-web", "reason": "MISSING"}]},
        {"cluster": "prd-demo-cluster", "services": ["prd-web"]},
    )
    failed, result = run_module(module, ARGS, stubs, capsys)
    assert failed
    assert result["msg"] == "ecs_service.service: unknown ECS service prd-web in cluster prd-demo-cluster"


def test_service_without_code_deploy_controller_is_refused(capsys):
    stubs = new_stubs()
    lookups(stubs, controller="ECS")
    failed, result = run_module(module, ARGS, stubs, capsys)
    assert failed
    assert "uses the ECS deployment controller" in result["msg"]


def test_unknown_role_name(capsys):
    stubs = new_stubs()
    stubs.iam.add_client_error("get_role", "NoSuchEntity", expected_params={"RoleName": "nope"})
    failed, result = run_module(module, dict(ARGS, service_role_arn="nope"), stubs, capsys)
    assert failed
    assert result["msg"] == "service_role_arn: unknown IAM role nope"


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"alarms": {"names": [f"alarm-{i}" for i in range(11)]}},
            "alarms.names: 11 alarms given; CodeDeploy allows at most 10",
        ),
        ({"auto_rollback": {"events": ["DEPLOYMENT_EXPLODED"]}}, "DEPLOYMENT_EXPLODED"),
        ({"termination_wait_minutes": 2881}, "termination_wait_minutes: 2881 is out of range"),
        ({"ready_option": {"action": "wait"}}, "ready_option.wait_minutes is required with action=wait"),
        ({"ready_option": {"action": "wait", "wait_minutes": 0}}, "ready_option.wait_minutes: 0 is out of range"),
        ({"ready_option": {"action": "continue", "wait_minutes": 5}}, "applies only to action=wait"),
        ({"target_groups": ["prd-web-blue"]}, "target_groups: give exactly two"),
        ({"test_listener_arns": [PROD]}, "is also a production listener"),
        (
            {"alarms": None, "auto_rollback": {"events": ["DEPLOYMENT_STOP_ON_ALARM"]}},
            "DEPLOYMENT_STOP_ON_ALARM needs alarms.names",
        ),
        ({"ecs_service": None}, "ecs_service.cluster is required"),
        ({"service_role_arn": None}, "service_role_arn is required"),
        ({"prod_listener_arns": []}, "prod_listener_arns: give at least one listener ARN"),
    ],
)
def test_bad_input_fails_before_any_call(capsys, changes, message):
    stubs = new_stubs()  # nothing queued: an AWS call would raise instead of failing cleanly
    failed, result = run_module(module, dict(ARGS, **changes), stubs, capsys)
    assert failed
    assert message in result["msg"]


def test_options_required_with_state_present(capsys):
    args = {key: value for key, value in ARGS.items() if key not in ("ecs_service", "target_groups")}
    failed, result = run_module(module, args, new_stubs(), capsys)
    assert failed
    assert "ecs_service, target_groups" in result["msg"]


@pytest.fixture
def sleeps(monkeypatch):
    """The backoff's sleeps, recorded instead of slept."""
    from ansible_collections.amazon.aws.plugins.module_utils import cloud

    slept = []
    monkeypatch.setattr(cloud.time, "sleep", slept.append)
    return slept


def _role_not_yet_visible(stubs, operation, params, times=2):
    for _attempt in range(times):
        stubs.codedeploy.add_client_error(
            operation,
            "InvalidRoleException",
            f"AWS CodeDeploy does not have the permissions required to assume the role {ROLE_ARN}.",
            expected_params=params,
        )


def test_create_retries_while_iam_propagates_the_new_role(capsys, sleeps):
    stubs = new_stubs()
    lookups(stubs)
    group_missing(stubs)
    _role_not_yet_visible(stubs, "create_deployment_group", REQUEST)
    stubs.codedeploy.add_response("create_deployment_group", {"deploymentGroupId": "dg-1"}, REQUEST)
    group_live(stubs)
    failed, result = run_module(module, ARGS, stubs, capsys)
    assert not failed, result
    assert result["changed"] is True and result["deployment_group"]["deployment_group_id"] == "dg-1"
    assert len(sleeps) == 2


def test_update_retries_while_iam_propagates_the_new_role(capsys, sleeps):
    stubs = new_stubs()
    lookups(stubs)
    group_live(stubs, live_info(deploymentConfigName="CodeDeployDefault.ECSAllAtOnce"))
    update = copy.deepcopy(REQUEST)
    update["currentDeploymentGroupName"] = update.pop("deploymentGroupName")
    _role_not_yet_visible(stubs, "update_deployment_group", update)
    stubs.codedeploy.add_response("update_deployment_group", {"hooksNotCleanedUp": []}, update)
    group_live(stubs)
    failed, result = run_module(module, ARGS, stubs, capsys)
    assert not failed, result
    assert result["changed"] is True and len(sleeps) == 2


def test_a_role_that_stays_invalid_fails_within_the_bound(capsys, sleeps):
    stubs = new_stubs()
    lookups(stubs)
    group_missing(stubs)
    attempts = module.ROLE_PROPAGATION_RETRY["retries"]  # AWSRetry counts attempts, not retries
    _role_not_yet_visible(stubs, "create_deployment_group", REQUEST, times=attempts)
    failed, result = run_module(module, ARGS, stubs, capsys)
    assert failed and "InvalidRoleException" in json.dumps(result)
    assert len(sleeps) == attempts - 1 and sum(sleeps) <= 120
    stubs.assert_done()
