# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import ecs_deployment
from ansible_collections.bluegreen.ecs.plugins.module_utils.ecs_deployment import (
    DeploymentSettingsError,
    deployment_configuration,
    load_balancer_role_policy,
    normalized,
    plan_update,
    settings_errors,
)

BLUE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/1"
GREEN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/2"
PROD_RULE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/alb/1/80/1"
TEST_RULE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/alb/1/8080/2"
PROD_LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb/1/80"
ROLE = "arn:aws:iam::123456789012:role/prd-demo-web-ecs-lb-role"
RULES = {"production": PROD_RULE, "test": TEST_RULE}
SETTINGS = {
    "ecs_deployment_strategy": "canary",
    "ecs_canary_percent": 10,
    "ecs_canary_bake_minutes": 5,
    "ecs_linear_step_percent": 25,
    "ecs_linear_step_bake_minutes": 2,
    "ecs_bake_minutes": 5,
    "ecs_validation_timeout_minutes": 60,
    "ecs_deployment_alarm_names": [],
    "ecs_circuit_breaker": True,
}
ADVANCED = {
    "alternateTargetGroupArn": GREEN,
    "productionListenerRule": PROD_RULE,
    "testListenerRule": TEST_RULE,
    "roleArn": ROLE,
}


def service(config=None, controller="ECS", balancer_tg=BLUE, advanced=None, task_sets=None):
    balancer = {"targetGroupArn": balancer_tg, "containerName": "web", "containerPort": 8000}
    if advanced is not None:
        balancer["advancedConfiguration"] = advanced
    found = {
        "serviceName": "prd-demo-web",
        "deploymentController": {"type": controller},
        "deploymentConfiguration": config or {},
        "loadBalancers": [balancer],
    }
    if task_sets is not None:
        found["taskSets"] = task_sets
    return found


def task_set(status, tg):
    return {"status": status, "loadBalancers": [{"targetGroupArn": tg, "containerName": "web", "containerPort": 8000}]}


# -- settings -------------------------------------------------------------------------------------------------------


def test_canary_configuration_with_the_pause_hook_circuit_breaker_and_no_alarms():
    config = deployment_configuration(SETTINGS)
    assert config == {
        "strategy": "CANARY",
        "bakeTimeInMinutes": 5,
        "alarms": {"alarmNames": [], "enable": False, "rollback": False},
        "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        "lifecycleHooks": [
            {
                "targetType": "PAUSE",
                "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"],
                "timeoutConfiguration": {"timeoutInMinutes": 60, "action": "ROLLBACK"},
            }
        ],
        "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 5},
    }


def test_linear_configuration_with_alarms_that_roll_back():
    config = deployment_configuration(
        {**SETTINGS, "ecs_deployment_strategy": "linear", "ecs_deployment_alarm_names": ["5xx"]}
    )
    assert config["strategy"] == "LINEAR"
    assert config["linearConfiguration"] == {"stepPercent": 25.0, "stepBakeTimeInMinutes": 2}
    assert "canaryConfiguration" not in config
    assert config["alarms"] == {"alarmNames": ["5xx"], "enable": True, "rollback": True}


def test_blue_green_has_neither_step_configuration_and_the_breaker_can_be_off():
    config = deployment_configuration(
        {**SETTINGS, "ecs_deployment_strategy": "blue_green", "ecs_circuit_breaker": False}
    )
    assert config["strategy"] == "BLUE_GREEN"
    assert "canaryConfiguration" not in config and "linearConfiguration" not in config
    assert config["deploymentCircuitBreaker"] == {"enable": False, "rollback": False}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"ecs_deployment_strategy": "rolling"},
            "ecs_deployment_strategy: 'rolling' is not a strategy; allowed: blue_green, linear, canary",
        ),
        ({"ecs_canary_percent": 0}, "ecs_canary_percent: 0 is out of range; allowed 0.1-100"),
        ({"ecs_linear_step_percent": 2}, "ecs_linear_step_percent: 2 is out of range; allowed 3-100"),
        ({"ecs_bake_minutes": 1441}, "ecs_bake_minutes: 1441 is out of range; allowed 0-1440"),
        ({"ecs_canary_bake_minutes": "soon"}, "ecs_canary_bake_minutes: 'soon' is not a number; allowed 0-1440"),
        ({"ecs_validation_timeout_minutes": 0}, "ecs_validation_timeout_minutes: 0 is out of range; allowed 1-20160"),
        (
            {"ecs_deployment_alarm_names": "5xx"},
            "ecs_deployment_alarm_names: '5xx' must be a list of CloudWatch alarm names",
        ),
    ],
)
def test_settings_errors_name_the_variable_and_the_allowed_values(change, message):
    assert settings_errors({**SETTINGS, **change}) == [message]
    with pytest.raises(DeploymentSettingsError, match=message.split(":")[0]):
        deployment_configuration({**SETTINGS, **change})


def test_normalized_fills_aws_defaults():
    live = {
        "strategy": "CANARY",
        "maximumPercent": 200,
        "lifecycleHooks": [{"targetType": "PAUSE", "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"]}],
    }
    shown = normalized(live)
    assert shown["canaryConfiguration"] == {"canaryPercent": 5.0, "canaryBakeTimeInMinutes": 10}
    assert shown["lifecycleHooks"][0]["timeoutConfiguration"] == {"timeoutInMinutes": 1440, "action": "ROLLBACK"}
    assert shown["bakeTimeInMinutes"] == 0
    assert "maximumPercent" not in shown
    assert normalized({"strategy": "LINEAR"})["linearConfiguration"] == {
        "stepPercent": 10.0,
        "stepBakeTimeInMinutes": 6,
    }
    assert normalized(None)["strategy"] == "ROLLING"
    assert normalized({"lifecycleHooks": [{"hookTargetArn": "fn"}]})["lifecycleHooks"][0]["targetType"] == "AWS_LAMBDA"


# -- plan ------------------------------------------------------------------------------------------------------------


def test_a_converged_service_needs_no_update():
    wanted = deployment_configuration(SETTINGS)
    # AWS answers with the managed members plus its own, numbers as it likes them.
    live = {
        **wanted,
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
        "canaryConfiguration": {"canaryPercent": 10, "canaryBakeTimeInMinutes": 5},
    }
    plan = plan_update(service(live, advanced=ADVANCED), wanted, [BLUE, GREEN], RULES, ROLE)
    assert plan["request"] == {}
    assert plan["diff"]["before"] == plan["diff"]["after"]


def test_a_changed_bake_time_is_sent_with_the_unmanaged_members_kept():
    wanted = deployment_configuration(SETTINGS)
    live = {**wanted, "bakeTimeInMinutes": 1, "maximumPercent": 200}
    plan = plan_update(service(live, advanced=ADVANCED), wanted, [BLUE, GREEN], RULES, ROLE)
    assert plan["request"] == {"deploymentConfiguration": {**wanted, "maximumPercent": 200}}
    assert plan["diff"]["before"]["deploymentConfiguration"]["bakeTimeInMinutes"] == 1
    assert plan["diff"]["after"]["deploymentConfiguration"]["bakeTimeInMinutes"] == 5


def test_after_ecs_swapped_the_groups_the_live_primary_stays_and_the_alternate_is_the_other():
    wanted = deployment_configuration(SETTINGS)
    swapped = {**ADVANCED, "alternateTargetGroupArn": BLUE}
    plan = plan_update(service(wanted, balancer_tg=GREEN, advanced=swapped), wanted, [BLUE, GREEN], RULES, ROLE)
    assert plan["request"] == {}


def test_a_changed_rule_sends_the_load_balancers():
    wanted = deployment_configuration(SETTINGS)
    old = {**ADVANCED, "testListenerRule": "arn:old"}
    plan = plan_update(service(wanted, advanced=old), wanted, [BLUE, GREEN], RULES, ROLE)
    assert plan["request"]["loadBalancers"] == [
        {"targetGroupArn": BLUE, "containerName": "web", "containerPort": 8000, "advancedConfiguration": ADVANCED}
    ]
    assert "deploymentConfiguration" not in plan["request"]


def test_without_a_test_rule_the_member_is_left_out():
    wanted = deployment_configuration(SETTINGS)
    plan = plan_update(service(wanted), wanted, [BLUE, GREEN], {"production": PROD_RULE, "test": ""}, ROLE)
    assert "testListenerRule" not in plan["request"]["loadBalancers"][0]["advancedConfiguration"]


def test_a_code_deploy_service_is_migrated_with_production_where_codedeploy_left_it():
    wanted = deployment_configuration(SETTINGS)
    live = service({"maximumPercent": 200}, controller="CODE_DEPLOY", task_sets=[task_set("PRIMARY", GREEN)])
    plan = plan_update(live, wanted, [BLUE, GREEN], RULES, ROLE)
    assert plan["request"]["deploymentController"] == {"type": "ECS"}
    assert plan["request"]["deploymentConfiguration"] == {**wanted, "maximumPercent": 200}
    balancer = plan["request"]["loadBalancers"][0]
    assert balancer["targetGroupArn"] == GREEN
    assert balancer["advancedConfiguration"]["alternateTargetGroupArn"] == BLUE
    assert plan["diff"]["before"]["deploymentController"] == "CODE_DEPLOY"
    assert plan["diff"]["after"]["deploymentController"] == "ECS"


def test_an_external_service_and_foreign_target_groups_are_refused():
    wanted = deployment_configuration(SETTINGS)
    with pytest.raises(DeploymentSettingsError, match="EXTERNAL"):
        plan_update(service(controller="EXTERNAL"), wanted, [BLUE, GREEN], RULES, ROLE)
    with pytest.raises(DeploymentSettingsError, match="neither target group"):
        plan_update(service(balancer_tg="arn:other"), wanted, [BLUE, GREEN], RULES, ROLE)


def test_in_flight_codedeploy_deployment_blocks_the_migration():
    steady = service(controller="CODE_DEPLOY", task_sets=[task_set("PRIMARY", BLUE)])
    busy = service(controller="CODE_DEPLOY", task_sets=[task_set("PRIMARY", BLUE), task_set("ACTIVE", GREEN)])
    assert ecs_deployment.in_flight(steady) == ""
    assert "CodeDeploy deployment is in progress" in ecs_deployment.in_flight(busy)
    assert ecs_deployment.in_flight(service()) == ""


# -- the load-balancer role ------------------------------------------------------------------------------------------


def test_load_balancer_role_policy_scopes_writes_to_the_service():
    policy = load_balancer_role_policy([PROD_LISTENER, PROD_LISTENER], [PROD_RULE, TEST_RULE, ""], [GREEN, BLUE])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert statements["DescribeLoadBalancing"]["Resource"] == "*"
    assert all(
        action.startswith("elasticloadbalancing:Describe") for action in statements["DescribeLoadBalancing"]["Action"]
    )
    assert statements["ShiftServiceTraffic"]["Resource"] == [PROD_LISTENER, PROD_RULE, TEST_RULE]
    assert statements["RegisterServiceTargets"]["Resource"] == [BLUE, GREEN]
    assert not any(s["Resource"] == "*" for s in policy["Statement"] if s["Sid"] != "DescribeLoadBalancing")


@pytest.mark.parametrize(
    ("listeners", "rules", "groups"),
    [([], [PROD_RULE], [BLUE, GREEN]), ([PROD_LISTENER], [], [BLUE, GREEN]), ([PROD_LISTENER], [PROD_RULE], [BLUE])],
)
def test_load_balancer_role_policy_needs_every_resource(listeners, rules, groups):
    with pytest.raises(DeploymentSettingsError):
        load_balancer_role_policy(listeners, rules, groups)


def test_load_balancer_role_trust_is_ecs_of_this_account():
    trust = ecs_deployment.load_balancer_role_trust("123456789012")
    statement = trust["Statement"][0]
    assert statement["Principal"] == {"Service": "ecs.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
