"""The ECS controller's release decisions on their own (module_utils/release_ecs.py): plain dicts in the shape of
DescribeServiceDeployments' ServiceDeployment, no AWS."""

import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import release as logic
from ansible_collections.bluegreen.ecs.plugins.module_utils import release_ecs as e
from ansible_collections.bluegreen.ecs.plugins.module_utils.release_ecs_aws import listener_arn_of_rule

PENDING_CHECK = logic.Validation(logic.VALIDATION_PENDING)
PASSED = logic.Validation(logic.VALIDATION_PASSED)
FAILED = logic.Validation(logic.VALIDATION_FAILED, "HTTP 500, expected 200")
NONE = logic.Validation()


def deployment(status="IN_PROGRESS", stage="SCALE_UP", hooks=(), **extra):
    found = {"serviceDeploymentArn": "arn:sd/1", "status": status, "lifecycleStage": stage}
    found["lifecycleHookDetails"] = [dict(h) for h in hooks]
    found.update(extra)
    return found


PAUSED = {"hookId": "h-1", "targetType": "PAUSE", "status": "AWAITING_ACTION"}


def act(found, validation=NONE, alarms=None, elapsed=0, timeout=600, **kwargs):
    return e.next_action(found, validation, alarms, elapsed, timeout, **kwargs)


# -- ends -------------------------------------------------------------------------------------------------------------


def test_successful_is_done():
    assert act(deployment("SUCCESSFUL", "CLEAN_UP")).kind == e.DONE_SUCCESS


def test_successful_after_our_rollback_request_is_a_failure():
    action = act(deployment("SUCCESSFUL", "CLEAN_UP"), stop_requested=True)
    assert (action.kind, action.reason) == (e.DONE_FAILED, "the deployment completed before the rollback took effect")


@pytest.mark.parametrize("status", ["ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED", "STOPPED"])
def test_rolled_back_failed_or_stopped_is_done_failed_with_ecss_reason(status):
    found = deployment(status, "BAKE_TIME", rollback={"reason": "CloudWatch alarm(s) web-5xx in ALARM."})
    action = act(found)
    assert action.kind == e.DONE_FAILED
    assert action.reason == f"service deployment {status}: CloudWatch alarm(s) web-5xx in ALARM."


def test_failure_reason_joins_rollback_status_reason_and_triggered_alarms():
    found = deployment(
        "ROLLBACK_SUCCESSFUL",
        rollback={"reason": "rolled back"},
        statusReason="circuit breaker",
        alarms={"triggeredAlarmNames": ["web-5xx"]},
    )
    assert (
        e.failure_reason(found)
        == "service deployment ROLLBACK_SUCCESSFUL: rolled back; circuit breaker; alarm(s) web-5xx"
    )
    assert e.failure_reason(deployment("STOPPED")) == "service deployment STOPPED"


# -- under way ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "STOP_REQUESTED"])
def test_a_rollback_under_way_is_waited_for_whatever_else_holds(status):
    found = deployment(status, "POST_TEST_TRAFFIC_SHIFT", hooks=[PAUSED])
    action = act(found, FAILED, {"web-5xx": "ALARM"}, elapsed=999, timeout=1)
    assert action.kind == e.WAIT


def test_after_our_rollback_request_the_module_only_waits():
    action = act(deployment(stage="BAKE_TIME"), FAILED, {"web-5xx": "ALARM"}, stop_requested=True)
    assert (action.kind, action.reason) == (e.WAIT, "stop requested")


def test_timeout_rolls_back_through_the_awaiting_hook():
    action = act(deployment(stage="POST_TEST_TRAFFIC_SHIFT", hooks=[PAUSED]), elapsed=601, timeout=600)
    assert (action.kind, action.hook_id) == (e.ROLLBACK, "h-1")
    assert action.reason == "timed out after 600s while post test traffic shift"


def test_timeout_without_a_hook_rolls_back_by_stop():
    action = act(deployment(stage="SCALE_UP"), elapsed=10, timeout=10)
    assert (action.kind, action.hook_id) == (e.ROLLBACK, None)


# -- alarms -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME"])
def test_an_alarm_while_production_reaches_green_rolls_back(stage):
    action = act(deployment(stage=stage), alarms={"web-5xx": "ALARM", "web-latency": "OK"})
    assert action.kind == e.ROLLBACK
    assert action.reason == f"alarm(s) in ALARM during {stage}: web-5xx"


def test_the_gate_reads_alarms_before_production_only_when_asked():
    found = deployment(stage="POST_TEST_TRAFFIC_SHIFT", hooks=[PAUSED])
    assert act(found, PASSED, {"web-5xx": "ALARM"}).kind == e.CONTINUE  # rollback verb: no gate
    action = act(found, PASSED, {"web-5xx": "ALARM"}, gate_alarms=True)
    assert (action.kind, action.hook_id) == (e.ROLLBACK, "h-1")
    assert action.reason == "alarm(s) in ALARM before production traffic moved: web-5xx"


def test_alarms_are_not_watched_while_green_scales_up():
    assert not e.watch_alarms("SCALE_UP", gate_alarms=True)
    assert e.watch_alarms("TEST_TRAFFIC_SHIFT", gate_alarms=True) and not e.watch_alarms("TEST_TRAFFIC_SHIFT")
    assert act(deployment(stage="SCALE_UP"), alarms={"web-5xx": "ALARM"}, gate_alarms=True).kind == e.WAIT


# -- validation and hooks ---------------------------------------------------------------------------------------------


def test_failed_validation_rolls_back_through_the_hook():
    action = act(deployment(stage="POST_TEST_TRAFFIC_SHIFT", hooks=[PAUSED]), FAILED)
    assert (action.kind, action.hook_id, action.reason) == (
        e.ROLLBACK,
        "h-1",
        "validation failed: HTTP 500, expected 200",
    )


def test_the_hook_at_post_test_traffic_shift_holds_for_validation():
    action = act(deployment(stage="POST_TEST_TRAFFIC_SHIFT", hooks=[PAUSED]), PENDING_CHECK)
    assert action.kind == e.VALIDATE


def test_after_validation_the_hook_is_continued_once():
    found = deployment(stage="POST_TEST_TRAFFIC_SHIFT", hooks=[PAUSED])
    action = act(found, PASSED)
    assert (action.kind, action.hook_id) == (e.CONTINUE, "h-1")
    assert act(found, PASSED, continued={"h-1"}).kind == e.WAIT  # ECS has not moved on yet


def test_a_hook_at_another_stage_is_continued_without_validation():
    found = deployment(stage="PRODUCTION_TRAFFIC_SHIFT", hooks=[dict(PAUSED, hookId="h-2")])
    action = act(found, NONE)
    assert (action.kind, action.hook_id) == (e.CONTINUE, "h-2")


def test_hooks_that_do_not_await_action_hold_nothing():
    done = [dict(PAUSED, status="SUCCEEDED"), {"hookId": "h-3", "targetType": "AWS_LAMBDA", "status": "IN_PROGRESS"}]
    found = deployment(stage="POST_TEST_TRAFFIC_SHIFT", hooks=done)
    assert e.awaiting_hook(found) is None
    assert act(found, NONE).kind == e.WAIT


def test_without_a_hook_validation_runs_as_soon_as_green_serves_test_traffic():
    action = act(deployment(stage="POST_TEST_TRAFFIC_SHIFT"), PENDING_CHECK)
    assert action.kind == e.VALIDATE
    assert "no PAUSE hook" in action.reason


def test_validation_seen_late_runs_while_production_reaches_green():
    action = act(deployment(stage="BAKE_TIME"), PENDING_CHECK)
    assert (action.kind, action.reason) == (e.VALIDATE, "production traffic already reaches green: validating late")


@pytest.mark.parametrize("stage", ["RECONCILE_SERVICE", "SCALE_UP", "TEST_TRAFFIC_SHIFT", ""])
def test_before_test_traffic_reaches_green_the_module_waits(stage):
    assert act(deployment(stage=stage), PENDING_CHECK).kind == e.WAIT
    assert act(deployment("PENDING", stage=stage), PENDING_CHECK).kind == e.WAIT


# -- reading ECS ------------------------------------------------------------------------------------------------------


def test_before_production_is_every_stage_before_the_production_shift():
    assert e.before_production("POST_TEST_TRAFFIC_SHIFT") and e.before_production("SCALE_UP")
    assert not e.before_production("PRODUCTION_TRAFFIC_SHIFT") and not e.before_production("BAKE_TIME")


def test_newest_successful_deployment():
    briefs = [
        {"serviceDeploymentArn": "a", "status": "SUCCESSFUL", "createdAt": "2026-01-01T10:00:00"},
        {"serviceDeploymentArn": "b", "status": "ROLLBACK_SUCCESSFUL", "createdAt": "2026-01-01T12:00:00"},
        {"serviceDeploymentArn": "c", "status": "SUCCESSFUL", "createdAt": "2026-01-01T11:00:00"},
    ]
    assert e.newest_successful(briefs)["serviceDeploymentArn"] == "c"
    assert e.newest_successful([]) is None


def test_a_rules_listener_from_its_arn():
    rule = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee"
    assert listener_arn_of_rule(rule) == (
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2"
    )
    assert listener_arn_of_rule("arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/blue/1") is None
