"""The release state machine on its own: every decision and transition, no AWS."""

import copy
import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import naming
from ansible_collections.bluegreen.ecs.plugins.module_utils import release as r
from ansible_collections.bluegreen.ecs.plugins.module_utils.service_spec import normalize
from ansible_collections.bluegreen.ecs.plugins.module_utils.task_definition import task_definition

NAMES = naming.service_names("prd", "demo", "web")
ARN = "arn:aws:ecs:eu-west-1:123456789012:task-definition/prd-demo-web:{}"


def taskdef(image="repo:v1", revision=None):
    td = task_definition(normalize({"name": "web"}), NAMES, image, "eu-west-1", "arn:exec", "arn:task")
    if revision is not None:
        td = copy.deepcopy(td)
        td.update(taskDefinitionArn=ARN.format(revision), revision=revision, status="ACTIVE")
    return td


def events(base=None, **statuses):
    """An ecsTarget with lifecycle events: events(DEPLOYED_GREEN, AllowTestTraffic="Succeeded", ...)."""
    merged = dict(base or {}, **statuses)
    return {"lifecycleEvents": [{"lifecycleEventName": name, "status": status} for name, status in merged.items()]}


DEPLOYED_GREEN = dict(BeforeInstall="Succeeded", Install="Succeeded", AfterInstall="Succeeded")
TEST_TRAFFIC_UP = dict(DEPLOYED_GREEN, AllowTestTraffic="Succeeded", AfterAllowTestTraffic="InProgress")
SHIFTING = dict(TEST_TRAFFIC_UP, AfterAllowTestTraffic="Succeeded", BeforeAllowTraffic="Succeeded")
SHIFTING["AllowTraffic"] = "InProgress"
ALL_SHIFTED = dict(SHIFTING, AllowTraffic="Succeeded", AfterAllowTraffic="Succeeded")

PENDING = r.Validation(r.VALIDATION_PENDING)
PASSED = r.Validation(r.VALIDATION_PASSED, "HTTP 200")
FAILED_CHECK = r.Validation(r.VALIDATION_FAILED, "HTTP 500, expected 200")
NONE = r.Validation()


def act(status, target=None, validation=NONE, alarms=None, elapsed=10, timeout=1800, ready_wait=True, **kw):
    return r.next_action(status, target, validation, alarms, elapsed, timeout, ready_wait, **kw)


# ---------------------------------------------------------------------------------------------
# classify


class TestClassify:
    def test_same_definition_live_and_nothing_in_flight_is_nothing_to_do(self):
        found = r.classify(taskdef(revision=3), taskdef(), [])
        assert found.decision == r.NOTHING_TO_DO
        assert found.deployment is None

    def test_new_image_starts_a_deployment(self):
        assert r.classify(taskdef("repo:v1", 3), taskdef("repo:v2"), []).decision == r.START

    def test_no_live_definition_starts(self):
        assert r.classify(None, taskdef(), []).decision == r.START

    def test_in_flight_deployment_of_the_same_definition_is_attached_to(self):
        ours = r.InFlight("d-OURS", "InProgress", ARN.format(4), taskdef("repo:v2", 4))
        found = r.classify(taskdef("repo:v1", 3), taskdef("repo:v2"), [ours])
        assert found.decision == r.ATTACH
        assert found.deployment is ours

    def test_in_flight_deployment_matched_by_revision_arn(self):
        ours = r.InFlight("d-OURS", "Ready", ARN.format(4), None)
        found = r.classify(taskdef("repo:v1", 3), taskdef("repo:v2"), [ours], our_revision=ARN.format(4))
        assert found.decision == r.ATTACH

    def test_a_different_deployment_in_flight_is_a_conflict(self):
        other = r.InFlight("d-OTHER", "InProgress", ARN.format(5), taskdef("repo:v9", 5))
        found = r.classify(taskdef("repo:v1", 3), taskdef("repo:v2"), [other])
        assert found.decision == r.CONFLICT
        assert found.deployment is other
        assert "d-OTHER" in found.reason and ARN.format(5) in found.reason

    def test_conflict_even_when_live_already_matches(self):
        # Something else is about to replace what we want: doing nothing would be wrong.
        other = r.InFlight("d-OTHER", "InProgress", ARN.format(5), taskdef("repo:v9", 5))
        assert r.classify(taskdef("repo:v1", 3), taskdef("repo:v1"), [other]).decision == r.CONFLICT

    def test_unreadable_in_flight_definition_is_a_conflict_not_an_attach(self):
        unknown = r.InFlight("d-X", "Created", None, None)
        assert r.classify(taskdef("repo:v1", 3), taskdef("repo:v2"), [unknown]).decision == r.CONFLICT

    def test_ours_wins_over_another_in_the_list(self):
        other = r.InFlight("d-OTHER", "Created", ARN.format(5), taskdef("repo:v9", 5))
        ours = r.InFlight("d-OURS", "InProgress", ARN.format(4), taskdef("repo:v2", 4))
        assert r.classify(taskdef("repo:v1", 3), taskdef("repo:v2"), [other, ours]).deployment is ours


class TestConflictChoice:
    other = r.InFlight("d-OTHER", "InProgress", ARN.format(5))

    @pytest.mark.parametrize(
        "policy, choice", [("fail", r.CONFLICT_FAIL), ("wait", r.CONFLICT_WAIT), ("stop", r.CONFLICT_STOP)]
    )
    def test_policy(self, policy, choice):
        assert r.conflict_choice(policy, self.other) == choice

    def test_a_deployment_we_stopped_is_only_waited_for(self):
        assert r.conflict_choice("stop", self.other, {"d-OTHER"}) == r.CONFLICT_WAIT

    def test_the_rollback_of_a_deployment_we_stopped_is_not_stopped(self):
        rollback = r.InFlight("d-RB", "InProgress", ARN.format(3), rollback_of="d-OTHER")
        assert r.conflict_choice("stop", rollback, {"d-OTHER"}) == r.CONFLICT_WAIT
        # ... but a rollback of someone else's deployment follows the policy.
        assert r.conflict_choice("fail", rollback, set()) == r.CONFLICT_FAIL


# ---------------------------------------------------------------------------------------------
# phase


class TestPhase:
    @pytest.mark.parametrize(
        "status, phase",
        [
            ("Created", r.PHASE_QUEUED),
            ("Queued", r.PHASE_QUEUED),
            ("Ready", r.PHASE_READY),
            ("Baking", r.PHASE_BAKING),
            ("Succeeded", r.PHASE_SUCCEEDED),
            ("Failed", r.PHASE_FAILED),
            ("Stopped", r.PHASE_STOPPED),
        ],
    )
    def test_status_alone(self, status, phase):
        assert r.phase(status) == phase

    def test_in_progress_follows_the_lifecycle_events(self):
        assert r.phase("InProgress", None) == r.PHASE_DEPLOYING
        assert r.phase("InProgress", events(BeforeInstall="InProgress")) == r.PHASE_DEPLOYING
        assert r.phase("InProgress", events(DEPLOYED_GREEN, AllowTestTraffic="InProgress")) == r.PHASE_DEPLOYING
        assert r.phase("InProgress", events(DEPLOYED_GREEN, AllowTestTraffic="Succeeded")) == r.PHASE_TEST_TRAFFIC
        assert r.phase("InProgress", events(TEST_TRAFFIC_UP)) == r.PHASE_TEST_TRAFFIC
        assert r.phase("InProgress", events(SHIFTING)) == r.PHASE_SHIFTING
        assert r.phase("InProgress", events(ALL_SHIFTED)) == r.PHASE_BAKING

    def test_skipped_test_traffic_counts_as_done(self):
        assert r.phase("InProgress", events(DEPLOYED_GREEN, AllowTestTraffic="Skipped")) == r.PHASE_TEST_TRAFFIC

    def test_termination_wait_flag_means_baking(self):
        assert r.phase("InProgress", events(SHIFTING), termination_wait_started=True) == r.PHASE_BAKING


# ---------------------------------------------------------------------------------------------
# next_action: every transition


class TestTerminalStates:
    def test_succeeded_is_done(self):
        assert act("Succeeded") == r.Action(r.DONE_SUCCESS)

    def test_succeeded_after_our_stop_is_a_failure(self):
        action = act("Succeeded", stop_requested=True)
        assert action.kind == r.DONE_FAILED
        assert "before the stop" in action.reason

    @pytest.mark.parametrize("status", ["Failed", "Stopped"])
    def test_failed_and_stopped_are_done_failed_with_codedeploy_message(self, status):
        action = act(status, error_message="ECS task set failed to stabilize")
        assert action == r.Action(r.DONE_FAILED, "ECS task set failed to stabilize")

    def test_failed_without_message_still_says_why(self):
        assert act("Stopped").reason == "deployment stopped"

    def test_terminal_wins_over_timeout(self):
        assert act("Succeeded", elapsed=5000, timeout=10).kind == r.DONE_SUCCESS


class TestWaiting:
    @pytest.mark.parametrize("status", ["Created", "Queued"])
    def test_queued_waits(self, status):
        assert act(status, validation=PENDING).kind == r.WAIT

    def test_deploying_green_waits(self):
        assert act("InProgress", events(BeforeInstall="InProgress"), PENDING).kind == r.WAIT

    def test_after_a_stop_we_only_wait(self):
        # No second stop, no validation, no timeout action while CodeDeploy stops it.
        action = act("InProgress", events(SHIFTING), FAILED_CHECK, {"a": "ALARM"}, 9999, 10, stop_requested=True)
        assert action.kind == r.WAIT


class TestTimeout:
    def test_timeout_rolls_back(self):
        action = act("InProgress", events(SHIFTING), elapsed=1800, timeout=1800)
        assert action.kind == r.STOP_ROLLBACK
        assert "timed out after 1800s while shifting" == action.reason

    def test_timeout_while_ready_rolls_back(self):
        assert act("Ready", validation=PENDING, elapsed=61, timeout=60).kind == r.STOP_ROLLBACK

    def test_before_timeout_no_stop(self):
        assert act("InProgress", events(SHIFTING), elapsed=1799, timeout=1800).kind == r.WAIT


class TestAlarms:
    @pytest.mark.parametrize("target", [events(SHIFTING), events(ALL_SHIFTED)])
    def test_alarm_while_shifting_or_baking_rolls_back(self, target):
        action = act("InProgress", target, PASSED, {"web-5xx": "ALARM", "web-latency": "OK"})
        assert action.kind == r.STOP_ROLLBACK
        assert "web-5xx" in action.reason and "web-latency" not in action.reason

    def test_alarm_in_baking_status_rolls_back(self):
        assert act("Baking", None, PASSED, {"web-5xx": "ALARM"}).kind == r.STOP_ROLLBACK

    def test_alarms_ok_or_insufficient_data_continue_waiting(self):
        assert act("InProgress", events(SHIFTING), PASSED, {"a": "OK", "b": "INSUFFICIENT_DATA"}).kind == r.WAIT

    def test_alarm_before_production_traffic_does_not_stop_without_the_gate(self):
        # A rollback deployment watches only the traffic shift and the bake.
        assert act("InProgress", events(TEST_TRAFFIC_UP), PENDING, {"a": "ALARM"}).kind == r.WAIT

    @pytest.mark.parametrize("validation", [PENDING, PASSED])
    def test_alarm_in_ready_stops_before_production_traffic_moves(self, validation):
        """Issue 10: an alarm already in ALARM must not let a release continue out of Ready."""
        action = act("Ready", events(TEST_TRAFFIC_UP), validation, {"a": "ALARM"}, gate_alarms=True)
        assert action.kind == r.STOP_ROLLBACK
        assert action.reason == "alarm(s) in ALARM before production traffic moved: a"

    def test_alarm_on_test_traffic_without_ready_wait_stops(self):
        action = act("InProgress", events(TEST_TRAFFIC_UP), PENDING, {"a": "ALARM"}, ready_wait=False, gate_alarms=True)
        assert action.kind == r.STOP_ROLLBACK


class TestRefusedStop:
    def test_completed_with_rollback_wanted_redeploys_the_previous_revision(self):
        assert r.after_refused_stop(r.SUCCEEDED, True, ARN.format(3), ARN.format(4)) == r.UNDO_REDEPLOY

    def test_stopped_or_failed_follows_codedeploys_rollback(self):
        assert r.after_refused_stop(r.STOPPED, True, ARN.format(3), ARN.format(4)) == r.UNDO_FOLLOW_ROLLBACK
        assert r.after_refused_stop(r.FAILED, True, ARN.format(3), ARN.format(4)) == r.UNDO_FOLLOW_ROLLBACK

    def test_nothing_to_undo(self):
        assert r.after_refused_stop(r.SUCCEEDED, False, ARN.format(3), ARN.format(4)) == r.UNDO_NOTHING
        assert r.after_refused_stop(r.SUCCEEDED, True, ARN.format(4), ARN.format(4)) == r.UNDO_NOTHING
        assert r.after_refused_stop(r.SUCCEEDED, True, None, ARN.format(4)) == r.UNDO_NOTHING

    def test_watch_alarms_only_where_they_matter(self):
        assert r.watch_alarms(r.PHASE_SHIFTING) and r.watch_alarms(r.PHASE_BAKING)
        assert not r.watch_alarms(r.PHASE_READY) and not r.watch_alarms(r.PHASE_DEPLOYING)
        # A release gates production traffic: it also reads them while green serves test traffic and in Ready.
        assert r.watch_alarms(r.PHASE_READY, True) and r.watch_alarms(r.PHASE_TEST_TRAFFIC, True)
        assert not r.watch_alarms(r.PHASE_DEPLOYING, True) and not r.watch_alarms(r.PHASE_QUEUED, True)


class TestReadyWait:
    def test_ready_with_pending_validation_validates(self):
        assert act("Ready", validation=PENDING).kind == r.VALIDATE

    def test_ready_and_validation_passed_continues(self):
        assert act("Ready", validation=PASSED).kind == r.CONTINUE

    def test_ready_and_validation_failed_rolls_back(self):
        action = act("Ready", validation=FAILED_CHECK)
        assert action == r.Action(r.STOP_ROLLBACK, "validation failed: HTTP 500, expected 200")

    def test_ready_without_validation_continues(self):
        assert act("Ready").kind == r.CONTINUE

    def test_continue_is_sent_once(self):
        assert act("Ready", validation=PASSED, continued=True).kind == r.WAIT

    def test_with_a_ready_wait_test_traffic_is_not_validated_yet(self):
        # The deployment will pause in Ready: validate there, while production cannot move.
        assert act("InProgress", events(TEST_TRAFFIC_UP), PENDING, ready_wait=True).kind == r.WAIT


class TestNoReadyWait:
    def test_validates_as_soon_as_green_serves_test_traffic(self):
        assert act("InProgress", events(TEST_TRAFFIC_UP), PENDING, ready_wait=False).kind == r.VALIDATE

    def test_failed_validation_rolls_back(self):
        assert act("InProgress", events(SHIFTING), FAILED_CHECK, ready_wait=False).kind == r.STOP_ROLLBACK

    def test_missed_window_is_validated_late(self):
        action = act("InProgress", events(SHIFTING), PENDING, ready_wait=False)
        assert action.kind == r.VALIDATE
        assert "late" in action.reason

    def test_passed_validation_waits(self):
        assert act("InProgress", events(SHIFTING), PASSED, ready_wait=False).kind == r.WAIT

    def test_not_configured_never_validates(self):
        assert act("InProgress", events(TEST_TRAFFIC_UP), NONE, ready_wait=False).kind == r.WAIT


def test_a_full_release_walks_the_named_states():
    """The happy path as the module sees it, poll by poll."""
    seen = []
    validation = PENDING
    continued = False
    polls = [
        ("Created", None),
        ("InProgress", events(BeforeInstall="InProgress")),
        ("InProgress", events(TEST_TRAFFIC_UP)),
        ("Ready", events(TEST_TRAFFIC_UP)),
        ("Ready", events(TEST_TRAFFIC_UP)),
        ("Ready", events(TEST_TRAFFIC_UP)),
        ("InProgress", events(SHIFTING)),
        ("InProgress", events(ALL_SHIFTED)),
        ("Succeeded", events(ALL_SHIFTED)),
    ]
    for status, target in polls:
        action = act(status, target, validation, {"a": "OK"}, ready_wait=True, continued=continued)
        seen.append((r.phase(status, target), action.kind))
        if action.kind == r.VALIDATE:
            validation = PASSED
        if action.kind == r.CONTINUE:
            continued = True
    assert seen == [
        (r.PHASE_QUEUED, r.WAIT),
        (r.PHASE_DEPLOYING, r.WAIT),
        (r.PHASE_TEST_TRAFFIC, r.WAIT),
        (r.PHASE_READY, r.VALIDATE),
        (r.PHASE_READY, r.CONTINUE),
        (r.PHASE_READY, r.WAIT),
        (r.PHASE_SHIFTING, r.WAIT),
        (r.PHASE_BAKING, r.WAIT),
        (r.PHASE_SUCCEEDED, r.DONE_SUCCESS),
    ]


def test_stop_grace_is_bounded():
    assert r.stop_grace(10) == 60
    assert r.stop_grace(300) == 300
    assert r.stop_grace(7200) == 600


# ---------------------------------------------------------------------------------------------
# Reading AWS answers


def test_live_task_definition_prefers_the_primary_task_set():
    service = {
        "taskDefinition": ARN.format(1),
        "taskSets": [
            {"status": "ACTIVE", "taskDefinition": ARN.format(3)},
            {"status": "PRIMARY", "taskDefinition": ARN.format(2)},
        ],
    }
    assert r.live_task_definition_arn(service) == ARN.format(2)
    assert r.live_task_definition_arn({"taskDefinition": ARN.format(1)}) == ARN.format(1)
    assert r.live_task_definition_arn(None) is None


def test_traffic_weights_by_label_any_case():
    info = [
        {"taskSetLabel": "Blue", "trafficWeight": 90.0, "status": "PRIMARY"},
        {"taskSetLabel": "GREEN", "trafficWeight": 10.0, "status": "ACTIVE"},
        {"taskSetLabel": "Other", "trafficWeight": 1.0},
    ]
    assert r.traffic_weights(info) == {"blue": 90.0, "green": 10.0}
    assert r.traffic_weights(None) == {}


def test_ready_wait_configured_from_the_group():
    wait = {"blueGreenDeploymentConfiguration": {"deploymentReadyOption": {"actionOnTimeout": "STOP_DEPLOYMENT"}}}
    go = {"blueGreenDeploymentConfiguration": {"deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT"}}}
    assert r.ready_wait_configured(wait) is True
    assert r.ready_wait_configured(go) is False
    assert r.ready_wait_configured({}) is False


def test_arn_parts():
    assert r.revision_number(ARN.format(42)) == 42
    assert r.arn_family(ARN.format(42)) == "prd-demo-web"
    assert r.arn_family("arn:aws:ecs:eu-west-1:1:task-definition/prd-demo-web-worker:1") == "prd-demo-web-worker"
    assert r.revision_number("nonsense") is None


class TestRollbackTarget:
    active = [ARN.format(n) for n in (7, 6, 5, 3)]

    def test_previous_revision_of_the_last_deployment_wins(self):
        assert r.rollback_target(ARN.format(7), ARN.format(5), self.active) == ARN.format(5)

    def test_falls_back_to_the_newest_older_active_revision(self):
        assert r.rollback_target(ARN.format(7), None, self.active) == ARN.format(6)

    def test_an_inactive_previous_revision_is_not_used(self):
        assert r.rollback_target(ARN.format(7), ARN.format(4), self.active) == ARN.format(6)

    def test_previous_equal_to_live_is_not_used(self):
        assert r.rollback_target(ARN.format(7), ARN.format(7), self.active) == ARN.format(6)

    def test_never_rolls_forward(self):
        # Live is 5 (after an earlier rollback): 6 and 7 are newer, 3 is the target.
        assert r.rollback_target(ARN.format(5), None, self.active) == ARN.format(3)

    def test_nothing_older(self):
        assert r.rollback_target(ARN.format(3), None, self.active) is None
        assert r.rollback_target(ARN.format(3), None, []) is None

    def test_other_families_are_ignored(self):
        other = "arn:aws:ecs:eu-west-1:123456789012:task-definition/prd-demo-web-worker:2"
        assert r.rollback_target(ARN.format(3), None, [ARN.format(3), other]) is None


# ---------------------------------------------------------------------------------------------
# AppSpec


def test_appspec_content_and_digest():
    network = {
        "awsvpcConfiguration": {"subnets": ["s-1", "s-2"], "securityGroups": ["sg-1"], "assignPublicIp": "DISABLED"}
    }
    content, digest = r.appspec(ARN.format(42), "web", 8000, network, platform_version="1.4.0")
    doc = json.loads(content)
    assert doc["version"] == "0.0"
    (resource,) = doc["Resources"]
    assert resource["TargetService"]["Type"] == "AWS::ECS::Service"
    props = resource["TargetService"]["Properties"]
    assert props == {
        "TaskDefinition": ARN.format(42),
        "LoadBalancerInfo": {"ContainerName": "web", "ContainerPort": 8000},
        "PlatformVersion": "1.4.0",
        "NetworkConfiguration": {
            "AwsvpcConfiguration": {"Subnets": ["s-1", "s-2"], "SecurityGroups": ["sg-1"], "AssignPublicIp": "DISABLED"}
        },
    }
    assert digest == hashlib.sha256(content.encode()).hexdigest()
    # Deterministic: the same inputs give the same content (and digest).
    assert r.appspec(ARN.format(42), "web", 8000, network, platform_version="1.4.0") == (content, digest)


def test_appspec_never_invents_a_platform_version():
    """Issue 10 item 6: no hard-coded LATEST; without one ECS keeps its default."""
    props = json.loads(r.appspec(ARN.format(1), "web", 8000)[0])["Resources"][0]["TargetService"]["Properties"]
    assert "PlatformVersion" not in props


class TestServiceSettings:
    LIVE = {
        "platformVersion": "LATEST",
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["s-old"], "securityGroups": ["sg-old"]}},
        "taskSets": [
            {
                "status": "PRIMARY",
                "platformVersion": "1.4.0",
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": ["s-2", "s-1"],
                        "securityGroups": ["sg-1"],
                        "assignPublicIp": "DISABLED",
                    }
                },
            }
        ],
    }

    def test_network_configuration_is_private_by_default(self):
        assert r.network_configuration(["s-2", "s-1"], ["sg-1"]) == {
            "awsvpcConfiguration": {"subnets": ["s-1", "s-2"], "securityGroups": ["sg-1"], "assignPublicIp": "DISABLED"}
        }

    def test_live_values_come_from_the_primary_task_set_and_the_service(self):
        assert r.live_network(self.LIVE) == self.LIVE["taskSets"][0]["networkConfiguration"]
        assert r.live_platform_version(self.LIVE) == "LATEST"  # what the user asked for, not what ECS resolved
        assert r.live_platform_version({"taskSets": [{"status": "PRIMARY", "platformVersion": "1.3.0"}]}) == "1.3.0"

    def test_same_network_ignores_order(self):
        assert r.service_changes(self.LIVE, r.network_configuration(["s-1", "s-2"], ["sg-1"]), None) == []

    def test_changed_subnets_security_groups_and_platform_are_named(self):
        changes = r.service_changes(self.LIVE, r.network_configuration(["s-3"], ["sg-9"]), "1.3.0")
        assert len(changes) == 2
        assert "['s-1', 's-2'] -> ['s-3']" in changes[0] and "['sg-1'] -> ['sg-9']" in changes[0]
        assert changes[1] == "platform version: LATEST -> 1.3.0"

    def test_wanted_latest_matches_any_live_version(self):
        assert r.service_changes({"platformVersion": "1.4.0"}, None, "LATEST") == []


def test_appspec_capacity_provider_strategy():
    content = r.appspec(ARN.format(1), "web", 8000, None, [{"capacityProvider": "FARGATE_SPOT", "weight": 3}])[0]
    props = json.loads(content)["Resources"][0]["TargetService"]["Properties"]
    assert props["CapacityProviderStrategy"] == [{"CapacityProvider": "FARGATE_SPOT", "Base": 0, "Weight": 3}]
    assert "NetworkConfiguration" not in props


def test_appspec_task_definition_reads_json_yaml_and_text():
    content = r.appspec(ARN.format(9), "web", 8000)[0]
    assert r.appspec_task_definition(content) == ARN.format(9)
    yaml_text = (
        "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n"
        f"        TaskDefinition: {ARN.format(8)}\n        LoadBalancerInfo:\n          ContainerName: web\n"
    )
    assert r.appspec_task_definition(yaml_text) == ARN.format(8)
    assert r.appspec_task_definition('{{broken "TaskDefinition": "' + ARN.format(7) + '"') == ARN.format(7)
    assert r.appspec_task_definition("") is None
    assert r.appspec_task_definition("nothing here") is None


def test_revision_content():
    assert r.revision_content({"appSpecContent": {"content": "x"}}) == "x"
    assert r.revision_content({"revisionType": "String", "string": {"content": "y"}}) == "y"
    assert r.revision_content({"appSpecContent": {"sha256": "abc"}}) is None
    assert r.revision_content(None) is None


# ---------------------------------------------------------------------------------------------
# HTTP validation


@pytest.mark.parametrize(
    "status, body, pattern, ok, detail",
    [
        (200, b'{"status": "ok"}', None, True, "HTTP 200"),
        (200, b'{"status": "ok"}', r'"status":\s*"ok"', True, "HTTP 200"),
        (200, b'{"status": "degraded"}', r'"status":\s*"ok"', False, "does not match"),
        (500, b"boom", None, False, "HTTP 500, expected 200"),
        (None, "connection refused", None, False, "no answer (connection refused)"),
    ],
)
def test_check_response(status, body, pattern, ok, detail):
    result = r.check_response(status, body, 200, pattern)
    assert result[0] is ok
    assert detail in result[1]


def test_check_response_other_expected_status():
    assert r.check_response(204, b"", 204)[0] is True
    assert r.check_response(200, b"", 204)[0] is False


# ---------------------------------------------------------------------------------------------
# Steps


def test_steps_merge_repeated_alarm_checks_and_order_by_time():
    log = r.StepLog()
    t0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    log.add("create_deployment", "done", t0, deployment_id="d-1")
    log.lifecycle_events(
        {
            "lifecycleEvents": [
                {
                    "lifecycleEventName": "BeforeInstall",
                    "status": "Succeeded",
                    "startTime": t0 + timedelta(seconds=1),
                    "endTime": t0 + timedelta(seconds=3),
                },
                {"lifecycleEventName": "AllowTraffic", "status": "Pending"},
            ]
        }
    )
    log.alarm_check({"a": "OK"}, t0 + timedelta(seconds=10))
    log.alarm_check({"a": "OK"}, t0 + timedelta(seconds=15))
    log.alarm_check({"a": "ALARM"}, t0 + timedelta(seconds=20))
    steps = log.report()
    assert [s["name"] for s in steps] == ["create_deployment", "BeforeInstall", "alarms", "alarms"]
    before_install = steps[1]
    assert before_install["kind"] == "lifecycle_event"
    assert before_install["started"] == "2026-01-01T12:00:01+00:00"
    assert before_install["duration_seconds"] == 2.0
    ok_checks, alarm = steps[2], steps[3]
    assert (ok_checks["status"], ok_checks["checks"], ok_checks["duration_seconds"]) == ("OK", 2, 5.0)
    assert (alarm["status"], alarm["checks"]) == ("ALARM", 1)


def test_lifecycle_events_keep_the_latest_view():
    log = r.StepLog()
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    log.lifecycle_events(
        {"lifecycleEvents": [{"lifecycleEventName": "Install", "status": "InProgress", "startTime": t0}]}
    )
    log.lifecycle_events(
        {
            "lifecycleEvents": [
                {
                    "lifecycleEventName": "Install",
                    "status": "Failed",
                    "startTime": t0,
                    "endTime": t0 + timedelta(seconds=4),
                    "diagnostics": {"message": "task set unhealthy"},
                }
            ]
        }
    )
    (step,) = log.report()
    assert (step["status"], step["duration_seconds"], step["message"]) == ("Failed", 4.0, "task set unhealthy")


def test_diff_definitions_shows_the_image_change():
    diff = r.diff_definitions(taskdef("repo:v1", 3), taskdef("repo:v2"), ARN.format(3))
    assert diff["before_header"] == ARN.format(3)
    assert diff["before"]["containerDefinitions"][0]["image"] == "repo:v1"
    assert diff["after"]["containerDefinitions"][0]["image"] == "repo:v2"
    assert "revision" not in diff["before"]


# --------------------------------------------------------------------------------------------
# Validation by the AfterAllowTestTraffic hook (issue 11)


def test_appspec_names_the_validation_hook():
    content, digest = r.appspec(
        "arn:td:1", "web", 8000, hooks=[(r.VALIDATION_EVENT, "CodeDeployHook_local-demo-web-validate")]
    )
    document = json.loads(content)
    assert document["Hooks"] == [{"AfterAllowTestTraffic": "CodeDeployHook_local-demo-web-validate"}]
    assert digest == hashlib.sha256(content.encode()).hexdigest()
    assert "Hooks" not in json.loads(r.appspec("arn:td:1", "web", 8000)[0])


def test_appspec_hooks_reads_the_modules_json_and_the_pipelines_yaml():
    content, _sha = r.appspec("arn:td:1", "web", 8000, hooks=[(r.VALIDATION_EVENT, "fn")])
    assert r.appspec_hooks(content) == {"AfterAllowTestTraffic": "fn"}
    pipeline = (
        "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n"
        'Hooks:\n  - AfterAllowTestTraffic: "CodeDeployHook_x"\n'
    )
    assert r.appspec_hooks(pipeline) == {"AfterAllowTestTraffic": "CodeDeployHook_x"}
    assert r.appspec_hooks("version: 0.0\nResources: []\n") == {}
    assert r.appspec_hooks(None) == {}


@pytest.mark.parametrize(
    "given",
    [
        "CodeDeployHook_web",
        "arn:aws:lambda:us-east-1:123456789012:function:CodeDeployHook_web",
        "arn:aws:lambda:us-east-1:123456789012:function:CodeDeployHook_web:live",
        "123456789012:function:CodeDeployHook_web",
        "CodeDeployHook_web:3",
    ],
)
def test_function_name_and_log_group_from_a_name_or_arn(given):
    assert r.function_name(given) == "CodeDeployHook_web"
    assert r.hook_log_group(given) == "/aws/lambda/CodeDeployHook_web"


def _line(**fields):
    return json.dumps(fields, sort_keys=True)


def test_hook_report_keeps_this_deployments_attempts_and_verdict():
    messages = [
        (3000, _line(deployment_id="d-1", result="Failed", detail="HTTP 200 but the body does not match", attempts=2)),
        (1000, "START RequestId: abc Version: $LATEST"),
        (
            1100,
            _line(
                deployment_id="d-1",
                url="http://alb:8080/version",
                attempt=1,
                ok=False,
                status=503,
                latency_ms=4,
                detail="HTTP 503, expected 200",
                body_excerpt="<html>503</html>",
            ),
        ),
        (1200, _line(deployment_id="d-OTHER", attempt=1, ok=True, status=200, latency_ms=1, detail="HTTP 200")),
        (
            2100,
            _line(
                deployment_id="d-1",
                url="http://alb:8080/version",
                attempt=2,
                ok=False,
                status=200,
                latency_ms=3,
                detail="HTTP 200 but the body does not match",
                body_excerpt='{"version": "x"}',
            ),
        ),
        (3100, "END RequestId: abc"),
    ]

    report = r.hook_report(messages, "d-1")

    assert report["result"] == "Failed"
    assert report["detail"] == "HTTP 200 but the body does not match"
    assert report["url"] == "http://alb:8080/version"
    assert [a["status"] for a in report["attempts"]] == [503, 200]
    assert report["attempts"][0]["body_excerpt"] == "<html>503</html>"
    assert report["attempts"][1]["latency_ms"] == 3
    assert (report["started_ms"], report["ended_ms"]) == (1100, 3000)


def test_hook_report_without_a_verdict_yet():
    report = r.hook_report([(1, _line(deployment_id="d-1", attempt=1, ok=True, status=200, detail="HTTP 200"))], "d-1")
    assert report["result"] is None and len(report["attempts"]) == 1
    assert r.hook_report([], "d-1")["attempts"] == []


def test_hook_failure_reason_names_the_hook_its_verdict_and_codedeploy():
    report = {"result": "Failed", "detail": "HTTP 503, expected 200", "attempts": [{"status": 503}]}
    reason = r.hook_failure_reason("arn:aws:lambda:r:1:function:CodeDeployHook_web", report, "hook failed")
    assert reason == (
        "validation failed: the AfterAllowTestTraffic hook CodeDeployHook_web reported Failed "
        "(HTTP 503, expected 200); CodeDeploy: hook failed"
    )
    assert "security group" not in reason


def test_hook_failure_reason_says_when_the_test_listener_never_answered():
    report = {
        "result": "Failed",
        "detail": "no answer (ConnectionResetError: [Errno 104] Connection reset by peer)",
        "attempts": [{"status": None}, {"status": None}],
    }
    reason = r.hook_failure_reason("CodeDeployHook_web", report)
    assert "the test listener did not answer the validation function" in reason
    assert "security group must admit the function" in reason
    # One attempt with an HTTP answer: the listener admitted the function, the hint would mislead.
    report["attempts"].append({"status": 503})
    assert "security group" not in r.hook_failure_reason("CodeDeployHook_web", report)


def test_hook_failure_reason_without_a_log_line():
    reason = r.hook_failure_reason("CodeDeployHook_web", None, "The AfterAllowTestTraffic hook timed out")
    assert reason.startswith("validation failed: the AfterAllowTestTraffic hook CodeDeployHook_web did not pass")
    assert reason.endswith("CodeDeploy: The AfterAllowTestTraffic hook timed out")


def test_hook_ended_reads_the_lifecycle_event():
    def target(status):
        return {"lifecycleEvents": [{"lifecycleEventName": "AfterAllowTestTraffic", "status": status}]}

    assert not r.hook_ended(target("Pending")) and not r.hook_ended(target("InProgress"))
    assert r.hook_ended(target("Succeeded")) and r.hook_ended(target("Failed"))
    # Skipped: the hook never ran (Install failed first); there is no attempt to report.
    assert not r.hook_ended(target("Skipped"))
    assert r.lifecycle_status({}) is None


# --------------------------------------------------------------------------------------------
# Live traffic through the production listener


def test_image_tag_and_answered_version():
    assert r.image_tag("123.dkr.ecr.us-east-1.amazonaws.com/local-demo-web:2.0.0") == "2.0.0"
    assert r.image_tag("localhost:5000/web:1.0") == "1.0"
    assert r.image_tag("repo/web@sha256:abc") is None
    assert r.image_tag("public.ecr.aws/docker/library/busybox") is None
    assert r.answered_version(b'{"version": "2.0.0", "commit": "x"}') == "2.0.0"
    assert r.answered_version(b"bootstrap") is None
    assert r.answered_version(b"[1, 2]") is None


def test_traffic_count_by_version():
    answers = [(200, "1.0.0")] * 9 + [(200, "2.0.0"), (503, None), (None, None), (200, "2.0.0-wrong")]
    counts = r.traffic_count(answers, "1.0.0", "2.0.0")
    assert counts["requests"] == 13
    assert (counts["blue"], counts["green"], counts["other"]) == (9, 1, 3)
    assert counts["versions"] == {"1.0.0": 9, "2.0.0": 1, "HTTP 503": 1, "no answer": 1, "2.0.0-wrong": 1}


def test_traffic_count_cannot_tell_blue_from_green_with_one_tag():
    counts = r.traffic_count([(200, "1.0.0")] * 3, "1.0.0", "1.0.0")
    assert (counts["blue"], counts["green"], counts["other"]) == (0, 0, 3)


def test_sample_due_once_in_the_canary_step():
    assert r.sample_due(r.PHASE_SHIFTING, {"blue": 90.0, "green": 10.0}, set())
    assert not r.sample_due(r.PHASE_SHIFTING, {"blue": 90.0, "green": 10.0}, {"canary"})
    assert not r.sample_due(r.PHASE_SHIFTING, {"blue": 100.0, "green": 0.0}, set())
    assert not r.sample_due(r.PHASE_BAKING, {"blue": 0.0, "green": 100.0}, set())
    assert not r.sample_due(r.PHASE_READY, {"blue": 90.0, "green": 10.0}, set())
