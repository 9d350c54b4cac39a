# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import copy

import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import codedeploy, codedeploy_sync
from ansible_collections.bluegreen.ecs.plugins.module_utils.naming import service_names

NAMES = service_names("prd", "demo", "web", "123456789012", "us-east-1")
TAGS = {"Environment": "prd", "Project": "demo"}
ROLE_ARN = "arn:aws:iam::123456789012:role/cd"
PROD = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/lb/1/prod"
TEST = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/lb/1/test"
CANARY = {"type": "time_based_canary", "percentage": 10, "interval": 5}
PARAMS = {
    "application": NAMES["codedeploy_app"],
    "name": NAMES["deployment_group"],
    "service_role_arn": ROLE_ARN,
    "deployment_config_name": "prd-demo-web-canary10pct-5min",
    "ecs_service": {"cluster": NAMES["cluster"], "service": NAMES["service"]},
    "target_groups": [NAMES["target_group_blue"], NAMES["target_group_green"]],
    "prod_listener_arns": [PROD],
    "test_listener_arns": [TEST],
    "ready_option": {"action": "continue", "wait_minutes": None},
    "termination_wait_minutes": 5,
    "auto_rollback": {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]},
    "alarms": {"names": [], "enabled": False, "ignore_poll_alarm_failure": False},
    "triggers": [],
}


def tag_list(tags):
    return {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}


def converged():
    """Answers as AWS gives them for a layer the writers built from PARAMS, TAGS and CANARY."""
    group = codedeploy.deployment_group_request(PARAMS, ROLE_ARN)
    group.update(deploymentGroupId="id-1", computePlatform="ECS")
    # AWS answers sets in its own order and adds the tags' aws: keys of its own.
    group["blueGreenDeploymentConfiguration"]["deploymentReadyOption"]["waitTimeInMinutes"] = 0
    return {
        "application": {"application": {"applicationName": NAMES["codedeploy_app"], "computePlatform": "ECS"}},
        "application_tags": tag_list(dict(TAGS, **{"aws:created": "x"})),
        "config": {
            "deploymentConfigInfo": {
                "deploymentConfigName": PARAMS["deployment_config_name"],
                "computePlatform": "ECS",
                "trafficRoutingConfig": codedeploy.traffic_routing_config(CANARY),
            }
        },
        "group": {"deploymentGroupInfo": group},
        "group_tags": tag_list(TAGS),
        "target_groups": {"TargetGroups": [{"TargetGroupName": n} for n in PARAMS["target_groups"]]},
    }


def test_reads_cover_the_layer_and_the_network_only_with_a_vpc():
    without = codedeploy_sync.layer_reads(NAMES, "arn:app", "arn:group", "prd-demo-web-canary10pct-5min", "")
    names = [read["name"] for read in without]
    assert "config" in names and "subnets" not in names and "security_groups" not in names
    assert {"service_role", "validation_role", "validation_policy", "function", "log_group_tags"} <= set(names)
    with_vpc = codedeploy_sync.layer_reads(NAMES, "arn:app", "arn:group", "CodeDeployDefault.ECSAllAtOnce", "vpc-1")
    names = [read["name"] for read in with_vpc]
    assert "config" not in names  # AWS's predefined configs are not ours to read or write
    assert {"subnets", "security_groups"} <= set(names)
    assert len(names) == len(set(names))
    assert next(r for r in with_vpc if r["name"] == "service")["missing"] == ["ClusterNotFoundException"]


def test_a_converged_layer_needs_no_writer():
    answers = converged()
    assert codedeploy_sync.application_in_sync(answers, "ECS", TAGS)
    assert codedeploy_sync.deployment_config_in_sync(answers, "ECS", CANARY)
    assert codedeploy_sync.deployment_group_in_sync(answers, PARAMS, TAGS)


@pytest.mark.parametrize(
    ("key", "answer"),
    [
        ("application", None),
        ("application", {"application": {"computePlatform": "Server"}}),
        ("application_tags", tag_list({"Environment": "prd"})),
        ("application_tags", tag_list(dict(TAGS, Extra="1"))),
        ("application_tags", None),
    ],
)
def test_application_differences_make_the_writer_run(key, answer):
    answers = converged()
    answers[key] = answer
    assert not codedeploy_sync.application_in_sync(answers, "ECS", TAGS)


@pytest.mark.parametrize(
    "traffic",
    [
        {"type": "time_based_canary", "percentage": 20, "interval": 5},
        {"type": "time_based_linear", "percentage": 10, "interval": 5},
        {"type": "time_based_canary", "percentage": "10", "interval": 5},  # bad input: the module names it
    ],
)
def test_config_differences_make_the_writer_run(traffic):
    assert not codedeploy_sync.deployment_config_in_sync(converged(), "ECS", traffic)


def test_missing_config_makes_the_writer_run():
    assert not codedeploy_sync.deployment_config_in_sync(dict(converged(), config=None), "ECS", CANARY)


@pytest.mark.parametrize(
    "change",
    [
        {"service_role_arn": "arn:aws:iam::123456789012:role/other"},
        {"service_role_arn": "cd"},  # a name, not an ARN: the module resolves it
        {"deployment_config_name": "CodeDeployDefault.ECSAllAtOnce"},
        {"test_listener_arns": [PROD + "x"]},
        {"termination_wait_minutes": 60},
        {"ready_option": {"action": "wait", "wait_minutes": 30}},
        {"auto_rollback": {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST"]}},
        {"alarms": {"names": ["a"], "enabled": True, "ignore_poll_alarm_failure": False}},
        {"triggers": [{"name": "t", "target_arn": "arn:aws:sns:us-east-1:1:t", "events": ["DeploymentFailure"]}]},
        {"ecs_service": {"cluster": NAMES["cluster"], "service": "other"}},
        {"target_groups": ["a", "a"]},  # invalid: the module says why
    ],
)
def test_group_differences_make_the_writer_run(change):
    params = dict(copy.deepcopy(PARAMS), **change)
    assert not codedeploy_sync.deployment_group_in_sync(converged(), params, TAGS)


@pytest.mark.parametrize(
    ("key", "answer"),
    [
        ("group", None),
        ("group_tags", tag_list({})),
        ("group_tags", None),
        ("target_groups", None),  # a target group is gone: the module reports which
    ],
)
def test_missing_group_parts_make_the_writer_run(key, answer):
    answers = converged()
    answers[key] = answer
    assert not codedeploy_sync.deployment_group_in_sync(answers, PARAMS, TAGS)


def test_group_listener_order_does_not_matter():
    answers = converged()
    params = dict(copy.deepcopy(PARAMS), prod_listener_arns=[PROD, PROD + "2"])
    live = answers["group"]["deploymentGroupInfo"]["loadBalancerInfo"]["targetGroupPairInfoList"][0]
    live["prodTrafficRoute"]["listenerArns"] = [PROD + "2", PROD]
    live["targetGroups"].reverse()
    assert codedeploy_sync.deployment_group_in_sync(answers, params, TAGS)
