# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.bluegreen.ecs.plugins.modules import codedeploy_deployment_config as module
from ansible_collections.bluegreen.ecs.tests.unit.plugins.modules.utils import AwsStubs, run_module

NAME = "prd-web-canary10pct-5min"
CANARY = {"type": "time_based_canary", "percentage": 10, "interval": 5}
CANARY_API = {"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 5}}


def info(routing=None, platform="ECS", name=NAME):
    return {
        "deploymentConfigInfo": {
            "deploymentConfigId": "cfg-1",
            "deploymentConfigName": name,
            "computePlatform": platform,
            "trafficRoutingConfig": routing or CANARY_API,
            "minimumHealthyHosts": {"type": "FLEET_PERCENT", "value": 0},  # AWS adds it; it does not matter for ECS
        }
    }


def missing(stubs, name=NAME):
    stubs.codedeploy.add_client_error(
        "get_deployment_config", "DeploymentConfigDoesNotExistException", expected_params={"deploymentConfigName": name}
    )


def live(stubs, response):
    stubs.codedeploy.add_response("get_deployment_config", response, {"deploymentConfigName": NAME})


def test_create_canary(capsys):
    stubs = AwsStubs("codedeploy")
    missing(stubs)
    stubs.codedeploy.add_response(
        "create_deployment_config",
        {"deploymentConfigId": "cfg-1"},
        {"deploymentConfigName": NAME, "computePlatform": "ECS", "trafficRoutingConfig": CANARY_API},
    )
    live(stubs, info())
    failed, result = run_module(module, {"name": NAME, "traffic_routing": CANARY}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is True
    assert result["deployment_config"]["traffic_routing_config"]["time_based_canary"] == {
        "canary_percentage": 10,
        "canary_interval": 5,
    }


def test_create_linear(capsys):
    stubs = AwsStubs("codedeploy")
    missing(stubs)
    linear_api = {"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": 100, "linearInterval": 2880}}
    stubs.codedeploy.add_response(
        "create_deployment_config",
        {"deploymentConfigId": "cfg-1"},
        {"deploymentConfigName": NAME, "computePlatform": "ECS", "trafficRoutingConfig": linear_api},
    )
    live(stubs, info(linear_api))
    args = {"name": NAME, "traffic_routing": {"type": "time_based_linear", "percentage": 100, "interval": 2880}}
    failed, result = run_module(module, args, stubs, capsys)
    assert not failed, result
    assert result["changed"] is True


def test_same_config_makes_no_write_call(capsys):
    stubs = AwsStubs("codedeploy")
    live(stubs, info())
    failed, result = run_module(module, {"name": NAME, "traffic_routing": CANARY}, stubs, capsys, diff=True)
    assert not failed, result
    assert result["changed"] is False
    assert result["diff"]["before"] == result["diff"]["after"]


def test_differing_config_fails_and_says_choose_a_new_name(capsys):
    stubs = AwsStubs("codedeploy")
    live(stubs, info({"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 20, "canaryInterval": 5}}))
    failed, result = run_module(module, {"name": NAME, "traffic_routing": CANARY}, stubs, capsys)
    assert failed
    assert "TimeBasedCanary 20%" in result["msg"]
    assert "TimeBasedCanary 10%" in result["msg"]
    assert "choose a new name" in result["msg"]
    assert "recreate=true" in result["msg"]


def test_recreate_deletes_then_creates(capsys):
    stubs = AwsStubs("codedeploy")
    live(stubs, info({"type": "AllAtOnce"}))
    stubs.codedeploy.add_response("delete_deployment_config", {}, {"deploymentConfigName": NAME})
    stubs.codedeploy.add_response(
        "create_deployment_config",
        {"deploymentConfigId": "cfg-2"},
        {"deploymentConfigName": NAME, "computePlatform": "ECS", "trafficRoutingConfig": CANARY_API},
    )
    live(stubs, info())
    args = {"name": NAME, "traffic_routing": CANARY, "recreate": True}
    failed, result = run_module(module, args, stubs, capsys, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["before"]["traffic_routing_config"] == {"type": "AllAtOnce"}
    assert result["diff"]["after"]["traffic_routing_config"]["type"] == "TimeBasedCanary"


def test_recreate_of_config_in_use_surfaces_the_reason(capsys):
    stubs = AwsStubs("codedeploy")
    live(stubs, info({"type": "AllAtOnce"}))
    stubs.codedeploy.add_client_error(
        "delete_deployment_config",
        "DeploymentConfigInUseException",
        "in use",
        expected_params={"deploymentConfigName": NAME},
    )
    args = {"name": NAME, "traffic_routing": CANARY, "recreate": True}
    failed, result = run_module(module, args, stubs, capsys)
    assert failed
    assert "used by a deployment group" in result["msg"]


def test_check_mode_create_and_recreate_make_no_write_call(capsys):
    stubs = AwsStubs("codedeploy")
    missing(stubs)
    failed, result = run_module(module, {"name": NAME, "traffic_routing": CANARY}, stubs, capsys, check_mode=True)
    assert not failed, result
    assert result["changed"] is True

    stubs = AwsStubs("codedeploy")
    live(stubs, info({"type": "AllAtOnce"}))
    args = {"name": NAME, "traffic_routing": CANARY, "recreate": True}
    failed, result = run_module(module, args, stubs, capsys, check_mode=True)
    assert not failed, result
    assert result["changed"] is True


def test_delete(capsys):
    stubs = AwsStubs("codedeploy")
    live(stubs, info())
    stubs.codedeploy.add_response("delete_deployment_config", {}, {"deploymentConfigName": NAME})
    failed, result = run_module(module, {"name": NAME, "state": "absent"}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is True


def test_delete_missing_and_check_mode_make_no_write_call(capsys):
    stubs = AwsStubs("codedeploy")
    missing(stubs)
    failed, result = run_module(module, {"name": NAME, "state": "absent"}, stubs, capsys)
    assert not failed and result["changed"] is False

    stubs = AwsStubs("codedeploy")
    live(stubs, info())
    failed, result = run_module(module, {"name": NAME, "state": "absent"}, stubs, capsys, check_mode=True)
    assert not failed and result["changed"] is True


def test_predefined_configs_are_never_deleted(capsys):
    stubs = AwsStubs("codedeploy")
    failed, result = run_module(module, {"name": "CodeDeployDefault.ECSAllAtOnce", "state": "absent"}, stubs, capsys)
    assert failed
    assert "predefined" in result["msg"]


def test_predefined_config_that_matches_is_accepted(capsys):
    stubs = AwsStubs("codedeploy")
    name = "CodeDeployDefault.ECSAllAtOnce"
    stubs.codedeploy.add_response(
        "get_deployment_config", info({"type": "AllAtOnce"}, name=name), {"deploymentConfigName": name}
    )
    failed, result = run_module(module, {"name": name, "traffic_routing": {"type": "all_at_once"}}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is False


def test_predefined_config_that_differs_is_refused(capsys):
    stubs = AwsStubs("codedeploy")
    name = "CodeDeployDefault.ECSAllAtOnce"
    stubs.codedeploy.add_response(
        "get_deployment_config", info({"type": "AllAtOnce"}, name=name), {"deploymentConfigName": name}
    )
    failed, result = run_module(module, {"name": name, "traffic_routing": CANARY, "recreate": True}, stubs, capsys)
    assert failed
    assert "predefined" in result["msg"]


@pytest.mark.parametrize(
    "routing, message",
    [
        (
            {"type": "time_based_canary", "percentage": 100, "interval": 5},
            "traffic_routing.percentage: 100 is out of range",
        ),
        (
            {"type": "time_based_canary", "percentage": 0, "interval": 5},
            "traffic_routing.percentage: 0 is out of range",
        ),
        (
            {"type": "time_based_linear", "percentage": 101, "interval": 5},
            "traffic_routing.percentage: 101 is out of range",
        ),
        ({"type": "time_based_canary", "percentage": 10, "interval": 0}, "traffic_routing.interval: 0 is out of range"),
        (
            {"type": "time_based_linear", "percentage": 10, "interval": 2881},
            "traffic_routing.interval: 2881 is out of range",
        ),
        ({"type": "time_based_canary", "percentage": 10}, "needs both percentage and interval"),
        ({"type": "all_at_once", "percentage": 10}, "do not apply to type all_at_once"),
    ],
)
def test_invalid_percent_or_interval_fails_before_any_call(capsys, routing, message):
    stubs = AwsStubs("codedeploy")  # nothing queued: any AWS call would fail the test differently
    failed, result = run_module(module, {"name": NAME, "traffic_routing": routing}, stubs, capsys)
    assert failed
    assert message in result["msg"]


def test_traffic_routing_required_when_present(capsys):
    stubs = AwsStubs("codedeploy")
    failed, result = run_module(module, {"name": NAME}, stubs, capsys)
    assert failed
    assert "traffic_routing" in result["msg"]
