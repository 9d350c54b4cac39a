# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.bluegreen.ecs.plugins.modules import ecs_service_deployment_config
from ansible_collections.bluegreen.ecs.tests.unit.plugins.modules.utils import ACCOUNT, AwsStubs, run_module

BLUE = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/prd-demo-web-blue/1"
GREEN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/prd-demo-web-green/2"
PROD_RULE = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:listener-rule/app/alb/1/80/1"
TEST_RULE = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:listener-rule/app/alb/1/8080/2"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/prd-demo-web-ecs-lb-role"
CONFIG = {
    "strategy": "CANARY",
    "bakeTimeInMinutes": 5,
    "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 5},
    "lifecycleHooks": [
        {
            "targetType": "PAUSE",
            "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"],
            "timeoutConfiguration": {"timeoutInMinutes": 60, "action": "ROLLBACK"},
        }
    ],
}
ADVANCED = {
    "alternateTargetGroupArn": GREEN,
    "productionListenerRule": PROD_RULE,
    "testListenerRule": TEST_RULE,
    "roleArn": ROLE,
}
ARGS = {
    "cluster": "prd-demo-cluster",
    "service": "prd-demo-web",
    "deployment_configuration": CONFIG,
    "target_groups": [BLUE, GREEN],
    "production_listener_rule": PROD_RULE,
    "test_listener_rule": TEST_RULE,
    "role_arn": ROLE,
    "wait": False,
}


def service(config=None, controller="ECS", advanced="ours", task_sets=None):
    """The DescribeServices entry; ``advanced=None`` for a service without advancedConfiguration."""
    config = CONFIG if config is None else config
    advanced = ADVANCED if advanced == "ours" else advanced
    balancer = {"targetGroupArn": BLUE, "containerName": "web", "containerPort": 8000}
    if advanced:
        balancer["advancedConfiguration"] = advanced
    found = {
        "serviceName": "prd-demo-web",
        "status": "ACTIVE",
        "deploymentController": {"type": controller},
        "deploymentConfiguration": config,
        "loadBalancers": [balancer],
    }
    if task_sets:
        found["taskSets"] = task_sets
    return found


def describe(stubs, *services):
    stubs.ecs.add_response(
        "describe_services",
        {"services": list(services), "failures": []},
        {"cluster": "prd-demo-cluster", "services": ["prd-demo-web"]},
    )


def test_converged_service_makes_no_write_call(capsys):
    stubs = AwsStubs("ecs")
    describe(stubs, service({**CONFIG, "maximumPercent": 200}))
    failed, result = run_module(ecs_service_deployment_config, ARGS, stubs, capsys)
    assert not failed, result
    assert result["changed"] is False
    assert result["request"] == {}


def test_drift_in_the_strategy_is_corrected(capsys):
    stubs = AwsStubs("ecs")
    live = {**CONFIG, "canaryConfiguration": {"canaryPercent": 50.0, "canaryBakeTimeInMinutes": 5}}
    describe(stubs, service(live))
    stubs.ecs.add_response(
        "update_service",
        {"service": service()},
        {"cluster": "prd-demo-cluster", "service": "prd-demo-web", "deploymentConfiguration": CONFIG},
    )
    failed, result = run_module(ecs_service_deployment_config, ARGS, stubs, capsys)
    assert not failed, result
    assert result["changed"] is True
    assert result["migrated"] is False


def test_check_mode_reports_the_change_without_writing(capsys):
    stubs = AwsStubs("ecs")
    describe(stubs, service(advanced=None))
    failed, result = run_module(ecs_service_deployment_config, ARGS, stubs, capsys, check_mode=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["request"]["loadBalancers"][0]["advancedConfiguration"] == ADVANCED


def test_missing_service_is_a_change_in_check_mode_and_an_error_otherwise(capsys):
    stubs = AwsStubs("ecs")
    describe(stubs)
    failed, result = run_module(ecs_service_deployment_config, ARGS, stubs, capsys, check_mode=True)
    assert not failed, result
    assert result["changed"] is True
    stubs = AwsStubs("ecs")
    describe(stubs)
    failed, result = run_module(ecs_service_deployment_config, ARGS, stubs, capsys)
    assert failed
    assert "prd-demo-web does not exist" in result["msg"]


def test_a_code_deploy_service_is_migrated_in_one_update(capsys):
    stubs = AwsStubs("ecs")
    primary = {
        "status": "PRIMARY",
        "loadBalancers": [{"targetGroupArn": BLUE, "containerName": "web", "containerPort": 8000}],
    }
    describe(stubs, service({}, controller="CODE_DEPLOY", advanced=None, task_sets=[primary]))
    balancer = {
        "targetGroupArn": BLUE,
        "containerName": "web",
        "containerPort": 8000,
        "advancedConfiguration": ADVANCED,
    }
    stubs.ecs.add_response(
        "update_service",
        {"service": service()},
        {
            "cluster": "prd-demo-cluster",
            "service": "prd-demo-web",
            "deploymentController": {"type": "ECS"},
            "deploymentConfiguration": CONFIG,
            "loadBalancers": [balancer],
        },
    )
    failed, result = run_module(ecs_service_deployment_config, ARGS, stubs, capsys)
    assert not failed, result
    assert result["migrated"] is True


def test_a_migration_waits_for_codedeploy_to_finish(capsys):
    stubs = AwsStubs("ecs")
    sets = [
        {"status": "PRIMARY", "loadBalancers": [{"targetGroupArn": BLUE}]},
        {"status": "ACTIVE", "loadBalancers": [{"targetGroupArn": GREEN}]},
    ]
    describe(stubs, service({}, controller="CODE_DEPLOY", advanced=None, task_sets=sets))
    failed, result = run_module(ecs_service_deployment_config, ARGS, stubs, capsys)
    assert failed
    assert "a CodeDeploy deployment is in progress" in result["msg"]


def test_two_different_target_groups_are_needed(capsys):
    stubs = AwsStubs("ecs")
    describe(stubs, service())
    failed, result = run_module(ecs_service_deployment_config, {**ARGS, "target_groups": [BLUE, BLUE]}, stubs, capsys)
    assert failed
    assert "target_groups" in result["msg"]
