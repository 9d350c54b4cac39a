# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""bluegreen.ecs.release against stubbed AWS clients (botocore Stubber).

The emulator produces every CodeDeploy state (InProgress, Ready, Baking, Succeeded, Stopped and
the rollback after it; tests/emulator/test_codedeploy_engine.py) and tests/e2e releases through
it; these tests stub the answers instead to reach, in no time, what a real run meets only by
chance: a state seen at one exact poll, a deployment that starts or ends between the module's read
and its write (test_deployment_started_between_read_and_create_goes_through_on_conflict,
test_stop_of_a_deployment_that_already_ended_reports_what_is_live), AWS errors, and a clock past a
timeout. A write call the test did not queue fails the Stubber, so a test that queues only reads
proves the module wrote nothing. The HTTP validation talks to a real ``http.server`` on 127.0.0.1;
time is a fake clock, so timeouts take no time.
"""

import contextlib
import hashlib
import ipaddress
import json
import socket
import ssl
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.bluegreen.ecs.plugins.module_utils import naming
from ansible_collections.bluegreen.ecs.plugins.module_utils import release_runtime as runtime
from ansible_collections.bluegreen.ecs.plugins.module_utils.service_spec import normalize
from ansible_collections.bluegreen.ecs.plugins.module_utils.task_definition import database_facts, task_definition
from ansible_collections.bluegreen.ecs.plugins.modules import release
from ansible_collections.bluegreen.ecs.tests.unit.plugins.modules.utils import (
    ACCOUNT,
    ANY,
    REGION,
    AwsStubs,
    run_module,
)

NAMES = naming.service_names("prd", "demo", "web")
SPEC = {"name": "web", "port": 8000, "environment": {"LOG_LEVEL": "info"}}
EXEC = f"arn:aws:iam::{ACCOUNT}:role/prd-demo-web-exec-role"
TASK = f"arn:aws:iam::{ACCOUNT}:role/prd-demo-web-task-role"
REPO_URI = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/prd-demo-web"
ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/prd-demo-web:{{}}"
NETWORK = {
    "awsvpcConfiguration": {
        "subnets": ["subnet-a", "subnet-b"],
        "securityGroups": ["sg-1"],
        "assignPublicIp": "DISABLED",
    }
}
IN_FLIGHT = ["Created", "Queued", "InProgress", "Ready", "Baking"]
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

BASE_ARGS = {
    "env": "prd",
    "project": "demo",
    "spec": SPEC,
    "execution_role_arn": EXEC,
    "task_role_arn": TASK,
    "poll_interval": 5,
}


# --------------------------------------------------------------------------------------------
# Fixtures: fake clock, HTTP server


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(runtime, "_clock", fake.clock)
    monkeypatch.setattr(runtime, "_sleep", fake.sleep)
    return fake


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        self.server.hits.append(self.path)
        status, body = {"/ok": (200, b'{"status": "ok"}'), "/degraded": (200, b'{"status": "degraded"}')}.get(
            self.path, (500, b"boom")
        )
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def local_server(handler, cert_chain=None):
    """A threaded HTTP (or, with ``cert_chain`` = (certfile, keyfile), HTTPS) server on 127.0.0.1; ``.url``, ``.hits``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.hits = []
    scheme = "http"
    if cert_chain:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*cert_chain)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def http():
    with local_server(_Handler) as server:
        yield server


# --------------------------------------------------------------------------------------------
# AWS answers


def wanted(image=f"{REPO_URI}:v2"):
    return task_definition(normalize(SPEC), NAMES, image, REGION, EXEC, TASK)


def described(image, revision):
    td = wanted(image)
    td.update(taskDefinitionArn=ARN.format(revision), revision=revision, status="ACTIVE")
    return {"taskDefinition": td}


def service(revision, platform="LATEST"):
    return {
        "services": [
            {
                "serviceName": "prd-demo-web",
                "status": "ACTIVE",
                "taskDefinition": ARN.format(revision),
                "deploymentController": {"type": "CODE_DEPLOY"},
                "taskSets": [{"id": "ecs-svc/1", "status": "PRIMARY", "taskDefinition": ARN.format(revision)}],
                "loadBalancers": [{"targetGroupArn": "arn:tg/blue", "containerName": "web", "containerPort": 8000}],
                "networkConfiguration": NETWORK,
                "platformVersion": platform,
            }
        ],
        "failures": [],
    }


def group(ready="STOP_DEPLOYMENT"):
    return {
        "deploymentGroupInfo": {
            "applicationName": "prd-demo-web",
            "deploymentGroupName": "prd-demo-web-dg",
            "deploymentConfigName": "CodeDeployDefault.ECSAllAtOnce",
            "blueGreenDeploymentConfiguration": {
                "deploymentReadyOption": {"actionOnTimeout": ready, "waitTimeInMinutes": 30},
                "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": 5},
            },
        }
    }


APPSPEC_NETWORK = {
    "AwsvpcConfiguration": {
        "Subnets": ["subnet-a", "subnet-b"],
        "SecurityGroups": ["sg-1"],
        "AssignPublicIp": "DISABLED",
    }
}


def appspec_content(revision, port=8000, platform="LATEST", network=None, hook=None):
    document = {
        "version": "0.0",
        "Resources": [
            {
                "TargetService": {
                    "Type": "AWS::ECS::Service",
                    "Properties": {
                        "TaskDefinition": ARN.format(revision),
                        "LoadBalancerInfo": {"ContainerName": "web", "ContainerPort": port},
                        "PlatformVersion": platform,
                        "NetworkConfiguration": network or APPSPEC_NETWORK,
                    },
                }
            }
        ],
    }
    if platform is None:
        del document["Resources"][0]["TargetService"]["Properties"]["PlatformVersion"]
    if hook:
        document["Hooks"] = [{"AfterAllowTestTraffic": hook}]
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def revision(rev):
    content = appspec_content(rev)
    return {
        "revisionType": "AppSpecContent",
        "appSpecContent": {"content": content, "sha256": hashlib.sha256(content.encode()).hexdigest()},
    }


def deployment(status, deployment_id="d-NEW", rev=4, **extra):
    info = {
        "deploymentId": deployment_id,
        "applicationName": "prd-demo-web",
        "deploymentGroupName": "prd-demo-web-dg",
        "status": status,
        "revision": revision(rev),
        "createTime": T0,
    }
    info.update(extra)
    return {"deploymentInfo": info}


def event(name, status, start=0, end=None):
    out = {"lifecycleEventName": name, "status": status}
    if status != "Pending":
        out["startTime"] = T0 + timedelta(seconds=start)
    if end is not None:
        out["endTime"] = T0 + timedelta(seconds=end)
    return out


GREEN_UP = [event("BeforeInstall", "Succeeded", 1, 2), event("Install", "Succeeded", 2, 60)]
GREEN_UP += [event("AfterInstall", "Succeeded", 60, 61), event("AllowTestTraffic", "Succeeded", 61, 62)]
TEST_TRAFFIC = GREEN_UP + [event("AfterAllowTestTraffic", "Succeeded", 62, 63)]
SHIFTING = TEST_TRAFFIC + [event("BeforeAllowTraffic", "Succeeded", 70, 71), event("AllowTraffic", "InProgress", 71)]
SHIFTED = SHIFTING[:-1] + [event("AllowTraffic", "Succeeded", 71, 80), event("AfterAllowTraffic", "Succeeded", 80, 81)]


def target(events, blue=100.0, green=0.0, deployment_id="d-NEW"):
    return {
        "deploymentTarget": {
            "deploymentTargetType": "ECSTarget",
            "ecsTarget": {
                "deploymentId": deployment_id,
                "targetId": "prd-demo-cluster:prd-demo-web",
                "status": "InProgress",
                "lifecycleEvents": events,
                "taskSetsInfo": [
                    {"identifer": "ecs-svc/1", "taskSetLabel": "Blue", "trafficWeight": blue, "status": "PRIMARY"},
                    {"identifer": "ecs-svc/2", "taskSetLabel": "Green", "trafficWeight": green, "status": "ACTIVE"},
                ],
            },
        }
    }


def alarms(**states):
    return {"MetricAlarms": [{"AlarmName": name.replace("_", "-"), "StateValue": s} for name, s in states.items()]}


ALARM_QUERY = {"AlarmNames": ["web-5xx"], "AlarmTypes": ["MetricAlarm", "CompositeAlarm"]}


# --------------------------------------------------------------------------------------------
# Queued call sequences


def ecr_tag_exists(stubs, tag="v2"):
    stubs.ecr.add_response(
        "describe_repositories",
        {"repositories": [{"repositoryName": "prd-demo-web", "repositoryUri": REPO_URI}]},
        {"repositoryNames": ["prd-demo-web"]},
    )
    stubs.ecr.add_response(
        "describe_images",
        {"imageDetails": [{"repositoryName": "prd-demo-web", "imageTags": [tag], "imageDigest": "sha256:" + "a" * 64}]},
        {"repositoryName": "prd-demo-web", "imageIds": [{"imageTag": tag}]},
    )


def live(stubs, rev=3, image=f"{REPO_URI}:v1", inflight=()):
    stubs.ecs.add_response(
        "describe_services", service(rev), {"cluster": "prd-demo-cluster", "services": ["prd-demo-web"]}
    )
    stubs.ecs.add_response("describe_task_definition", described(image, rev), {"taskDefinition": ARN.format(rev)})
    stubs.codedeploy.add_response(
        "list_deployments",
        {"deployments": list(inflight)},
        {"applicationName": "prd-demo-web", "deploymentGroupName": "prd-demo-web-dg", "includeOnlyStatuses": IN_FLIGHT},
    )


def register_new(stubs, latest=3, new=4):
    stubs.ecs.add_response(
        "list_task_definitions",
        {"taskDefinitionArns": [ARN.format(n) for n in range(latest, 0, -1)]},
        {"familyPrefix": "prd-demo-web", "status": "ACTIVE", "sort": "DESC"},
    )
    expected = dict(wanted())
    expected["tags"] = [
        {"key": "Application", "value": "web"},
        {"key": "Environment", "value": "prd"},
        {"key": "ManagedBy", "value": "bluegreen.ecs"},
        {"key": "Project", "value": "demo"},
    ]
    stubs.ecs.add_response("register_task_definition", described(f"{REPO_URI}:v2", new), expected)


def create(stubs, rev=4, deployment_id="d-NEW", auto_rollback=None, error=None, **appspec):
    """CreateDeployment as the module must send it: no autoRollbackConfiguration unless overridden."""
    content = appspec_content(rev, **appspec)
    expected = {
        "applicationName": "prd-demo-web",
        "deploymentGroupName": "prd-demo-web-dg",
        "revision": {
            "revisionType": "AppSpecContent",
            "appSpecContent": {"content": content, "sha256": hashlib.sha256(content.encode()).hexdigest()},
        },
        "description": ANY,
    }
    if auto_rollback is not None:
        expected["autoRollbackConfiguration"] = auto_rollback
    if error:
        stubs.codedeploy.add_client_error("create_deployment", error, "busy", expected_params=expected)
    else:
        stubs.codedeploy.add_response("create_deployment", {"deploymentId": deployment_id}, expected)


def poll(stubs, status, events=None, deployment_id="d-NEW", blue=100.0, green=0.0, **extra):
    stubs.codedeploy.add_response(
        "get_deployment", deployment(status, deployment_id, **extra), {"deploymentId": deployment_id}
    )
    if events is not None:
        stubs.codedeploy.add_response(
            "get_deployment_target",
            target(events, blue, green, deployment_id),
            {"deploymentId": deployment_id, "targetId": "prd-demo-cluster:prd-demo-web"},
        )


def stop_with_rollback(stubs, deployment_id="d-NEW", rollback=True):
    stubs.codedeploy.add_response(
        "stop_deployment",
        {"status": "Pending", "statusMessage": "Stopping"},
        {"deploymentId": deployment_id, "autoRollbackEnabled": rollback},
    )


def rolled_back(stubs, deployment_id="d-NEW", rollback_id="d-ROLLBACK"):
    """The deployment ends Stopped, CodeDeploy's rollback deployment succeeds, blue (rev 3) is live."""
    poll(
        stubs,
        "Stopped",
        SHIFTING,
        deployment_id,
        errorInformation={"code": "MANUAL_STOP", "message": "Deployment stopped by user"},
        rollbackInfo={"rollbackDeploymentId": rollback_id, "rollbackMessage": "rolled back"},
    )
    stubs.codedeploy.add_response(
        "get_deployment", deployment("Succeeded", rollback_id, rev=3), {"deploymentId": rollback_id}
    )
    stubs.ecs.add_response(
        "describe_services", service(3), {"cluster": "prd-demo-cluster", "services": ["prd-demo-web"]}
    )


def args(**extra):
    out = dict(BASE_ARGS, image_tag="v2")
    out.update(extra)
    return out


def step_names(result):
    return [s["name"] for s in result["steps"]]


# --------------------------------------------------------------------------------------------
# release


def test_release_through_ready_wait_validates_then_continues(capsys, http, clock):
    stubs = AwsStubs("ecs", "codedeploy", "ecr", "cloudwatch")
    ecr_tag_exists(stubs)
    stubs.cloudwatch.add_response("describe_alarms", alarms(web_5xx="OK"), ALARM_QUERY)
    stubs.codedeploy.add_response("get_deployment_group", group("STOP_DEPLOYMENT"), None)
    live(stubs)
    register_new(stubs)
    create(stubs)
    poll(stubs, "Created")
    poll(stubs, "InProgress", TEST_TRAFFIC)
    stubs.cloudwatch.add_response("describe_alarms", alarms(web_5xx="OK"), ALARM_QUERY)  # the gate
    poll(stubs, "Ready", TEST_TRAFFIC)  # -> validate through the test listener
    stubs.cloudwatch.add_response("describe_alarms", alarms(web_5xx="OK"), ALARM_QUERY)
    poll(stubs, "Ready", TEST_TRAFFIC)  # -> continue
    stubs.cloudwatch.add_response("describe_alarms", alarms(web_5xx="OK"), ALARM_QUERY)
    stubs.codedeploy.add_response(
        "continue_deployment", {}, {"deploymentId": "d-NEW", "deploymentWaitType": "READY_WAIT"}
    )
    poll(stubs, "InProgress", SHIFTING, blue=90.0, green=10.0)
    stubs.cloudwatch.add_response("describe_alarms", alarms(web_5xx="OK"), ALARM_QUERY)
    poll(stubs, "InProgress", SHIFTED, blue=0.0, green=100.0, instanceTerminationWaitTimeStarted=True)
    stubs.cloudwatch.add_response("describe_alarms", alarms(web_5xx="OK"), ALARM_QUERY)
    poll(stubs, "Succeeded", SHIFTED, blue=0.0, green=100.0)
    stubs.ecs.add_response("describe_services", service(4), None)

    validation = {
        "from": "controller",
        "url": f"{http.url}/ok",
        "body_pattern": '"status":\\s*"ok"',
        "interval_seconds": 1,
    }
    failed, result = run_module(release, args(validation=validation, alarms=["web-5xx"]), stubs, capsys, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert result["status"] == "Succeeded"
    assert result["deployment_id"] == "d-NEW"
    assert result["registered"] is True
    assert result["task_definition_before"] == ARN.format(3)
    assert result["task_definition_after"] == ARN.format(4)
    assert result["traffic_weights"] == {"blue": 0.0, "green": 100.0}
    assert result["duration_seconds"] == clock.now == sum(clock.sleeps)  # the fake clock moves only in sleeps
    assert http.hits == ["/ok"]
    names = step_names(result)
    assert names.index("alarms") < names.index("validation") < names.index("continue_deployment")
    (check,) = [s for s in result["steps"] if s["name"] == "validation"]
    assert check["status"] == "passed" and check["before_production_traffic"] is True
    alarm_steps = [s for s in result["steps"] if s["name"] == "alarms"]
    assert {s["status"] for s in alarm_steps} == {"OK"}
    assert sum(s["checks"] for s in alarm_steps) == 5  # 3 before production traffic moved, 2 while it did
    lifecycle = [s for s in result["steps"] if s["kind"] == "lifecycle_event"]
    assert [s["name"] for s in lifecycle][-1] == "AfterAllowTraffic"
    assert lifecycle[1]["name"] == "Install" and lifecycle[1]["duration_seconds"] == 58.0
    assert result["diff"]["before"]["containerDefinitions"][0]["image"] == f"{REPO_URI}:v1"
    assert result["diff"]["after"]["containerDefinitions"][0]["image"] == f"{REPO_URI}:v2"


def test_validation_failure_stops_with_rollback_and_fails(capsys, http):
    stubs = AwsStubs("ecs", "codedeploy", "ecr")
    ecr_tag_exists(stubs)
    stubs.codedeploy.add_response("get_deployment_group", group("STOP_DEPLOYMENT"), None)
    live(stubs)
    register_new(stubs)
    create(stubs)
    poll(stubs, "Ready", TEST_TRAFFIC)  # -> validate: 2 attempts, both 500
    poll(stubs, "Ready", TEST_TRAFFIC)  # -> stop with rollback
    stop_with_rollback(stubs)
    rolled_back(stubs)

    validation = {"from": "controller", "url": f"{http.url}/broken", "attempts": 2, "interval_seconds": 0}
    failed, result = run_module(release, args(validation=validation), stubs, capsys)

    assert failed
    assert result["msg"] == result["reason"] == "validation failed: HTTP 500, expected 200"
    assert result["rolled_back"] is True
    assert result["rollback_deployment_id"] == "d-ROLLBACK"
    assert result["status"] == "Stopped"
    assert result["changed"] is True
    assert result["task_definition_after"] == ARN.format(3)
    assert http.hits == ["/broken", "/broken"]
    assert "continue_deployment" not in step_names(result)
    (stop,) = [s for s in result["steps"] if s["name"] == "stop_deployment"]
    assert stop["rollback"] is True
    stubs.assert_done()


def test_body_pattern_mismatch_is_a_validation_failure(capsys, http):
    stubs = AwsStubs("ecs", "codedeploy", "ecr")
    ecr_tag_exists(stubs)
    stubs.codedeploy.add_response("get_deployment_group", group("STOP_DEPLOYMENT"), None)
    live(stubs)
    register_new(stubs)
    create(stubs)
    poll(stubs, "Ready", TEST_TRAFFIC)
    poll(stubs, "Ready", TEST_TRAFFIC)
    stop_with_rollback(stubs)
    rolled_back(stubs)

    validation = {
        "from": "controller",
        "url": f"{http.url}/degraded",
        "body_pattern": '"status":\\s*"ok"',
        "attempts": 1,
    }
    failed, result = run_module(release, args(validation=validation), stubs, capsys)

    assert failed
    assert "does not match" in result["reason"]
    stubs.assert_done()


def test_alarm_during_bake_stops_with_rollback(capsys):
    stubs = AwsStubs("ecs", "codedeploy", "ecr", "cloudwatch")
    ecr_tag_exists(stubs)
    stubs.cloudwatch.add_response("describe_alarms", alarms(web_5xx="OK"), ALARM_QUERY)
    stubs.cloudwatch.add_response("describe_alarms", alarms(web_5xx="OK"), ALARM_QUERY)  # no ready wait: gate
    stubs.codedeploy.add_response("get_deployment_group", group("CONTINUE_DEPLOYMENT"), None)
    live(stubs)
    register_new(stubs)
    create(stubs)
    poll(stubs, "InProgress", SHIFTED, blue=0.0, green=100.0, instanceTerminationWaitTimeStarted=True)
    stubs.cloudwatch.add_response("describe_alarms", alarms(web_5xx="OK"), ALARM_QUERY)
    poll(stubs, "InProgress", SHIFTED, blue=0.0, green=100.0, instanceTerminationWaitTimeStarted=True)
    stubs.cloudwatch.add_response("describe_alarms", alarms(web_5xx="ALARM"), ALARM_QUERY)
    stop_with_rollback(stubs)
    rolled_back(stubs)

    failed, result = run_module(release, args(alarms=["web-5xx"]), stubs, capsys)

    assert failed
    assert result["reason"] == "alarm(s) in ALARM while baking: web-5xx"
    assert result["rolled_back"] is True
    # The gate before CreateDeployment, then the watch during the bake.
    assert [s["status"] for s in result["steps"] if s["name"] == "alarms"] == ["OK", "OK", "ALARM"]
    stubs.assert_done()


def test_timeout_stops_with_rollback(capsys, clock):
    stubs = AwsStubs("ecs", "codedeploy", "ecr")
    ecr_tag_exists(stubs)
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    live(stubs)
    register_new(stubs)
    create(stubs)
    poll(stubs, "Created")  # t=0
    poll(stubs, "InProgress", GREEN_UP[:2])  # t=20
    poll(stubs, "InProgress", GREEN_UP[:2])  # t=40 >= 30: stop with rollback
    stop_with_rollback(stubs)
    rolled_back(stubs)

    failed, result = run_module(release, args(timeout=30, poll_interval=20), stubs, capsys)

    assert failed
    assert result["reason"] == "timed out after 30s while deploying"
    assert result["rolled_back"] is True
    assert clock.now >= 30
    stubs.assert_done()


def test_same_definition_live_is_a_no_op(capsys):
    stubs = AwsStubs("ecs", "codedeploy", "ecr")
    ecr_tag_exists(stubs)
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    live(stubs, rev=4, image=f"{REPO_URI}:v2")

    failed, result = run_module(release, args(), stubs, capsys)

    assert not failed, result
    assert result["changed"] is False
    assert result["registered"] is False
    assert "already live" in result["msg"]
    assert result["task_definition_before"] == result["task_definition_after"] == ARN.format(4)
    assert "deployment_id" not in result


def test_identical_latest_revision_is_reused_not_registered(capsys):
    stubs = AwsStubs("ecs", "codedeploy")
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    live(stubs, rev=3)
    stubs.ecs.add_response("list_task_definitions", {"taskDefinitionArns": [ARN.format(4), ARN.format(3)]}, None)
    stubs.ecs.add_response(
        "describe_task_definition", described(f"{REPO_URI}:v2", 4), {"taskDefinition": ARN.format(4)}
    )
    create(stubs)

    failed, result = run_module(release, dict(BASE_ARGS, image=f"{REPO_URI}:v2", wait=False), stubs, capsys)

    assert not failed, result
    assert result["registered"] is False
    assert result["changed"] is True
    assert result["status"] == "Created"
    assert result["task_definition_after"] == ARN.format(4)


def test_rerun_attaches_to_our_deployment_in_flight(capsys):
    stubs = AwsStubs("ecs", "codedeploy", "ecr")
    ecr_tag_exists(stubs)
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    live(stubs, rev=3, inflight=["d-OURS"])
    # get_deployment does not echo the AppSpec content: the module asks for the revision.
    info = deployment("InProgress", "d-OURS")
    info["deploymentInfo"]["revision"] = {"revisionType": "AppSpecContent", "appSpecContent": {"sha256": "x"}}
    stubs.codedeploy.add_response("get_deployment", info, {"deploymentId": "d-OURS"})
    stubs.codedeploy.add_response(
        "get_application_revision",
        {"applicationName": "prd-demo-web", "revision": revision(4)},
        {"applicationName": "prd-demo-web", "revision": info["deploymentInfo"]["revision"]},
    )
    stubs.ecs.add_response(
        "describe_task_definition", described(f"{REPO_URI}:v2", 4), {"taskDefinition": ARN.format(4)}
    )
    poll(stubs, "Succeeded", SHIFTED, "d-OURS", blue=0.0, green=100.0)
    stubs.ecs.add_response("describe_services", service(4), None)

    failed, result = run_module(release, args(), stubs, capsys)

    assert not failed, result
    assert result["deployment_id"] == "d-OURS"
    assert result["status"] == "Succeeded"
    assert result["changed"] is False  # no write call: the earlier run made the change
    assert result["task_definition_after"] == ARN.format(4)
    assert "create_deployment" not in step_names(result)


def test_another_deployment_in_flight_is_a_conflict(capsys):
    stubs = AwsStubs("ecs", "codedeploy", "ecr")
    ecr_tag_exists(stubs)
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    live(stubs, rev=3, inflight=["d-OTHER"])
    stubs.codedeploy.add_response("get_deployment", deployment("InProgress", "d-OTHER", rev=9), None)
    stubs.ecs.add_response("describe_task_definition", described(f"{REPO_URI}:v9", 9), None)

    failed, result = run_module(release, args(), stubs, capsys)

    assert failed
    assert "d-OTHER" in result["msg"] and "on_conflict=fail" in result["msg"]
    assert ARN.format(9) in result["msg"]
    assert result["changed"] is False
    stubs.assert_done()


def test_on_conflict_stop_stops_the_other_then_releases(capsys):
    stubs = AwsStubs("ecs", "codedeploy", "ecr")
    ecr_tag_exists(stubs)
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    live(stubs, rev=3, inflight=["d-OTHER"])
    stubs.codedeploy.add_response("get_deployment", deployment("InProgress", "d-OTHER", rev=9), None)
    stubs.ecs.add_response("describe_task_definition", described(f"{REPO_URI}:v9", 9), None)
    stop_with_rollback(stubs, "d-OTHER")
    stubs.codedeploy.add_response("get_deployment", deployment("InProgress", "d-OTHER", rev=9), None)
    stubs.codedeploy.add_response("get_deployment", deployment("Stopped", "d-OTHER", rev=9), None)
    live(stubs, rev=3)  # the way is clear
    register_new(stubs)
    create(stubs)

    failed, result = run_module(release, args(on_conflict="stop", wait=False), stubs, capsys)

    assert not failed, result
    assert result["deployment_id"] == "d-NEW"
    assert step_names(result)[:2] == ["stop_deployment", "wait_for_other_deployment"]


def test_check_mode_reports_and_writes_nothing(capsys):
    stubs = AwsStubs("ecs", "codedeploy", "ecr", "iam")
    ecr_tag_exists(stubs)
    stubs.iam.add_response("get_role", {"Role": role("prd-demo-web-exec-role")}, {"RoleName": "prd-demo-web-exec-role"})
    stubs.iam.add_response("get_role", {"Role": role("prd-demo-web-task-role")}, {"RoleName": "prd-demo-web-task-role"})
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    live(stubs)
    stubs.ecs.add_response("list_task_definitions", {"taskDefinitionArns": [ARN.format(3)]}, None)
    # No register_task_definition, create_deployment, ... queued: any write fails the Stubber.

    module_args = args()
    del module_args["execution_role_arn"], module_args["task_role_arn"]
    failed, result = run_module(release, module_args, stubs, capsys, check_mode=True, diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert (
        result["msg"]
        == "would register a new revision of prd-demo-web and start a CodeDeploy deployment in prd-demo-web-dg"
    )
    assert result["registered"] is True
    assert result["task_definition_after"] is None
    after = result["diff"]["after"]
    assert after["containerDefinitions"][0]["image"] == f"{REPO_URI}:v2"
    assert after["executionRoleArn"] == EXEC and after["taskRoleArn"] == TASK


def role(name):
    return {
        "Path": "/",
        "RoleName": name,
        "RoleId": "AROA" + "X" * 16,
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
        "CreateDate": T0,
    }


def test_unknown_image_tag_fails_before_anything_else(capsys):
    stubs = AwsStubs("ecs", "codedeploy", "ecr")
    stubs.ecr.add_response(
        "describe_repositories", {"repositories": [{"repositoryName": "prd-demo-web", "repositoryUri": REPO_URI}]}, None
    )
    stubs.ecr.add_client_error("describe_images", "ImageNotFoundException", "The image requested does not exist")

    failed, result = run_module(release, args(image_tag="nope"), stubs, capsys)

    assert failed
    assert result["msg"].startswith("unknown image tag 'nope'")
    assert result["changed"] is False
    stubs.assert_done()  # and no ECS or CodeDeploy call was made at all


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://host/version", "127.0.0.1:8080/version"])
def test_validation_url_must_be_http(capsys, url):
    stubs = AwsStubs("ecs", "codedeploy")

    failed, result = run_module(release, args(validation={"from": "controller", "url": url}), stubs, capsys)

    assert failed
    assert result["msg"] == f"validation.url must be an http:// or https:// URL, not {url!r}"
    stubs.assert_done()  # nothing was read or written


@pytest.fixture
def https(tmp_path):
    """The ``http`` fixture's handler behind TLS with a self-signed certificate for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(datetime.now(UTC) - timedelta(days=1))
        .not_valid_after(datetime.now(UTC) + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    pem = tmp_path / "cert.pem"
    pem.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    with local_server(_Handler, (pem,)) as server:
        yield server.url


def test_validation_checks_tls_certificates_unless_told_not_to(https):
    status, detail = runtime.fetch(f"{https}/ok", 5, True)
    assert status is None
    assert "CERTIFICATE_VERIFY_FAILED" in detail

    assert runtime.fetch(f"{https}/ok", 5, False) == (200, b'{"status": "ok"}')
    assert runtime.fetch(f"{https}/missing", 5, False) == (500, b"boom")


def test_unknown_alarm_fails_before_anything_changes(capsys):
    stubs = AwsStubs("ecs", "codedeploy", "cloudwatch")
    stubs.cloudwatch.add_response("describe_alarms", {"MetricAlarms": []}, None)

    failed, result = run_module(release, dict(BASE_ARGS, image="img:1", alarms=["web-5xx"]), stubs, capsys)

    assert failed
    assert result["msg"] == "unknown CloudWatch alarm(s): web-5xx"
    stubs.assert_done()


def test_a_rolling_service_is_refused(capsys):
    stubs = AwsStubs("ecs", "codedeploy")
    answer = service(3)
    answer["services"][0]["deploymentController"] = {"type": "ECS"}
    stubs.ecs.add_response("describe_services", answer, None)

    failed, result = run_module(release, dict(BASE_ARGS, image="img:1"), stubs, capsys)

    assert failed
    assert "uses the ECS deployment controller" in result["msg"]
    stubs.assert_done()


def test_without_ready_wait_validation_runs_on_test_traffic(capsys, http):
    stubs = AwsStubs("ecs", "codedeploy", "ecr")
    ecr_tag_exists(stubs)
    stubs.codedeploy.add_response("get_deployment_group", group("CONTINUE_DEPLOYMENT"), None)
    live(stubs)
    register_new(stubs)
    create(stubs)
    poll(stubs, "InProgress", GREEN_UP[:2])
    poll(stubs, "InProgress", TEST_TRAFFIC)  # -> validate (no pause: production may move soon)
    poll(stubs, "InProgress", SHIFTING, blue=0.0, green=100.0)
    poll(stubs, "Succeeded", SHIFTED, blue=0.0, green=100.0)
    stubs.ecs.add_response("describe_services", service(4), None)

    failed, result = run_module(
        release, args(validation={"from": "controller", "url": f"{http.url}/ok"}), stubs, capsys
    )

    assert not failed, result
    (check,) = [s for s in result["steps"] if s["name"] == "validation"]
    assert (check["phase"], check["before_production_traffic"]) == ("test_traffic", True)
    assert "continue_deployment" not in step_names(result)


def test_succeeded_but_service_runs_something_else_fails(capsys):
    stubs = AwsStubs("ecs", "codedeploy")
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    live(stubs)
    register_new(stubs)
    create(stubs)
    poll(stubs, "Succeeded", SHIFTED)
    stubs.ecs.add_response("describe_services", service(3), None)

    failed, result = run_module(release, dict(BASE_ARGS, image=f"{REPO_URI}:v2"), stubs, capsys)

    assert failed
    assert "succeeded but the service runs" in result["msg"]


def test_codedeploy_failure_reports_its_message_and_rollback(capsys):
    stubs = AwsStubs("ecs", "codedeploy")
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    live(stubs)
    register_new(stubs)
    create(stubs)
    poll(
        stubs,
        "Failed",
        GREEN_UP[:1] + [event("Install", "Failed", 2, 300)],
        errorInformation={"code": "ECS_UPDATE_ERROR", "message": "The ECS task set did not stabilize"},
        rollbackInfo={"rollbackDeploymentId": "d-AUTO"},
    )
    stubs.codedeploy.add_response("get_deployment", deployment("Succeeded", "d-AUTO", rev=3), None)
    stubs.ecs.add_response("describe_services", service(3), None)

    failed, result = run_module(release, dict(BASE_ARGS, image=f"{REPO_URI}:v2"), stubs, capsys)

    assert failed
    assert result["reason"] == "The ECS task set did not stabilize"
    assert (result["rolled_back"], result["rollback_deployment_id"]) == (True, "d-AUTO")
    stubs.assert_done()


# --------------------------------------------------------------------------------------------
# verbs


def test_rollback_after_success_deploys_the_previous_revision(capsys):
    stubs = AwsStubs("ecs", "codedeploy")
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    stubs.ecs.add_response("describe_services", service(4), None)
    stubs.codedeploy.add_response("list_deployments", {"deployments": []}, None)  # nothing in flight
    stubs.codedeploy.add_response(
        "list_deployments",
        {"deployments": ["d-LAST"]},
        {
            "applicationName": "prd-demo-web",
            "deploymentGroupName": "prd-demo-web-dg",
            "includeOnlyStatuses": ["Succeeded"],
        },
    )
    last = deployment("Succeeded", "d-LAST", rev=4, previousRevision=revision(2), creator="user")["deploymentInfo"]
    stubs.codedeploy.add_response("batch_get_deployments", {"deploymentsInfo": [last]}, {"deploymentIds": ["d-LAST"]})
    stubs.ecs.add_response(
        "list_task_definitions", {"taskDefinitionArns": [ARN.format(4), ARN.format(3), ARN.format(2)]}, None
    )
    create(stubs, rev=2, deployment_id="d-RB")
    poll(stubs, "Succeeded", SHIFTED, "d-RB", rev=2, blue=0.0, green=100.0)
    stubs.ecs.add_response("describe_services", service(2), None)

    failed, result = run_module(
        release, {"env": "prd", "project": "demo", "service": "web", "action": "rollback"}, stubs, capsys
    )

    assert not failed, result
    assert result["changed"] is True
    assert result["deployment_id"] == "d-RB"
    assert result["task_definition_before"] == ARN.format(4)
    assert result["task_definition_after"] == ARN.format(2)  # what the last release replaced, not just "4 - 1"


def test_rollback_in_flight_stops_with_rollback(capsys):
    stubs = AwsStubs("ecs", "codedeploy")
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    stubs.ecs.add_response("describe_services", service(3), None)
    stubs.codedeploy.add_response("list_deployments", {"deployments": ["d-NEW"]}, None)
    stubs.codedeploy.add_response("get_deployment", deployment("InProgress"), None)
    stubs.ecs.add_response("describe_task_definition", described(f"{REPO_URI}:v2", 4), None)
    stop_with_rollback(stubs)
    rolled_back(stubs)

    failed, result = run_module(
        release, {"env": "prd", "project": "demo", "service": "web", "action": "rollback"}, stubs, capsys
    )

    assert not failed, result
    assert result["changed"] is True
    assert (result["status"], result["rolled_back"], result["rollback_deployment_id"]) == (
        "Stopped",
        True,
        "d-ROLLBACK",
    )
    assert result["task_definition_after"] == ARN.format(3)


def test_rollback_check_mode_with_nothing_older_fails_without_writing(capsys):
    stubs = AwsStubs("ecs", "codedeploy")
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    stubs.ecs.add_response("describe_services", service(1), None)
    stubs.codedeploy.add_response("list_deployments", {"deployments": []}, None)
    stubs.codedeploy.add_response("list_deployments", {"deployments": []}, None)
    stubs.ecs.add_response("list_task_definitions", {"taskDefinitionArns": [ARN.format(1)]}, None)

    failed, result = run_module(
        release,
        {"env": "prd", "project": "demo", "service": "web", "action": "rollback"},
        stubs,
        capsys,
        check_mode=True,
    )

    assert failed
    assert "no ACTIVE revision of prd-demo-web older than" in result["msg"]
    stubs.assert_done()


def test_continue_sends_ready_wait(capsys):
    stubs = AwsStubs("ecs", "codedeploy")
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    stubs.ecs.add_response("describe_services", service(3), None)
    stubs.codedeploy.add_response("list_deployments", {"deployments": ["d-NEW"]}, None)
    stubs.codedeploy.add_response("get_deployment", deployment("Ready"), None)
    stubs.ecs.add_response("describe_task_definition", described(f"{REPO_URI}:v2", 4), None)
    stubs.codedeploy.add_response(
        "continue_deployment", {}, {"deploymentId": "d-NEW", "deploymentWaitType": "READY_WAIT"}
    )

    failed, result = run_module(
        release, {"env": "prd", "project": "demo", "service": "web", "action": "continue", "wait": False}, stubs, capsys
    )

    assert not failed, result
    assert result["changed"] is True
    assert result["deployment_id"] == "d-NEW"


def test_continue_with_nothing_in_flight_is_a_no_op(capsys):
    stubs = AwsStubs("ecs", "codedeploy")
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    stubs.ecs.add_response("describe_services", service(3), None)
    stubs.codedeploy.add_response("list_deployments", {"deployments": []}, None)

    failed, result = run_module(
        release, {"env": "prd", "project": "demo", "service": "web", "action": "continue"}, stubs, capsys
    )

    assert not failed, result
    assert result["changed"] is False


def test_stop_does_not_roll_back(capsys):
    stubs = AwsStubs("ecs", "codedeploy")
    stubs.ecs.add_response("describe_services", service(3), None)
    stubs.codedeploy.add_response("list_deployments", {"deployments": ["d-NEW"]}, None)
    stubs.codedeploy.add_response("get_deployment", deployment("InProgress"), None)
    stubs.ecs.add_response("describe_task_definition", described(f"{REPO_URI}:v2", 4), None)
    stop_with_rollback(stubs, rollback=False)
    poll(stubs, "Stopped", SHIFTING, errorInformation={"code": "MANUAL_STOP", "message": "stopped"})
    stubs.ecs.add_response("describe_services", service(3), None)

    failed, result = run_module(
        release, {"env": "prd", "project": "demo", "service": "web", "action": "stop"}, stubs, capsys
    )

    assert not failed, result
    assert (result["changed"], result["status"]) == (True, "Stopped")


def test_spec_errors_fail_before_any_call(capsys):
    stubs = AwsStubs("ecs", "codedeploy")
    failed, result = run_module(release, dict(BASE_ARGS, spec={"name": "web", "cpu": 3}, image="img:1"), stubs, capsys)
    assert failed
    assert "bluegreen_service.cpu" in result["msg"]


# --------------------------------------------------------------------------------------------
# Issue 10: the alarm gate, and deployments that move on between the module's read and its call


def already_completed(stubs, operation, deployment_id="d-NEW", **params):
    code = "DeploymentAlreadyCompletedException"
    stubs.codedeploy.add_client_error(
        operation, code, f"Deployment {deployment_id} has already completed.", expected_params=params or None
    )


def test_alarm_in_alarm_at_ready_stops_before_production_traffic_moves(capsys):
    stubs = AwsStubs("ecs", "codedeploy", "ecr", "cloudwatch")
    ecr_tag_exists(stubs)
    stubs.cloudwatch.add_response("describe_alarms", alarms(web_5xx="ALARM"), ALARM_QUERY)  # known names
    stubs.codedeploy.add_response("get_deployment_group", group("STOP_DEPLOYMENT"), None)
    live(stubs)
    register_new(stubs)
    create(stubs)
    poll(stubs, "Ready", TEST_TRAFFIC)
    stubs.cloudwatch.add_response("describe_alarms", alarms(web_5xx="ALARM"), ALARM_QUERY)
    stop_with_rollback(stubs)  # no continue_deployment queued: a continue would fail the Stubber
    rolled_back(stubs)

    failed, result = run_module(release, args(alarms=["web-5xx"]), stubs, capsys)

    assert failed
    assert result["reason"] == "alarm(s) in ALARM before production traffic moved: web-5xx"
    assert result["rolled_back"] is True
    assert "continue_deployment" not in step_names(result)
    assert result["task_definition_after"] == ARN.format(3)
    stubs.assert_done()


def test_alarm_in_alarm_refuses_a_deployment_that_would_not_pause(capsys):
    stubs = AwsStubs("ecs", "codedeploy", "ecr", "cloudwatch")
    ecr_tag_exists(stubs)
    stubs.cloudwatch.add_response("describe_alarms", alarms(web_5xx="ALARM"), ALARM_QUERY)
    stubs.codedeploy.add_response("get_deployment_group", group("CONTINUE_DEPLOYMENT"), None)
    live(stubs)
    stubs.cloudwatch.add_response("describe_alarms", alarms(web_5xx="ALARM"), ALARM_QUERY)
    # Nothing registered, nothing created.

    failed, result = run_module(release, args(alarms=["web-5xx"]), stubs, capsys)

    assert failed
    assert result["reason"].startswith("alarm(s) in ALARM before the release started: web-5xx; nothing was released")
    assert result["changed"] is False
    assert result["task_definition_before"] == result["task_definition_after"] == ARN.format(3)
    stubs.assert_done()


def test_alarm_then_deployment_completes_before_the_stop_redeploys_the_previous_revision(capsys):
    """The issue's scenario: the alarm is seen while shifting, the deployment completes before StopDeployment."""
    stubs = AwsStubs("ecs", "codedeploy", "ecr", "cloudwatch")
    ecr_tag_exists(stubs)
    stubs.cloudwatch.add_response("describe_alarms", alarms(web_5xx="OK"), ALARM_QUERY)
    stubs.codedeploy.add_response("get_deployment_group", group("STOP_DEPLOYMENT"), None)
    live(stubs)
    register_new(stubs)
    create(stubs)
    poll(stubs, "Ready", TEST_TRAFFIC)
    stubs.cloudwatch.add_response("describe_alarms", alarms(web_5xx="OK"), ALARM_QUERY)
    stubs.codedeploy.add_response("continue_deployment", {}, None)
    poll(stubs, "InProgress", SHIFTING, blue=90.0, green=10.0)
    stubs.cloudwatch.add_response("describe_alarms", alarms(web_5xx="ALARM"), ALARM_QUERY)
    already_completed(stubs, "stop_deployment", deploymentId="d-NEW", autoRollbackEnabled=True)
    poll(stubs, "Succeeded", SHIFTED, blue=0.0, green=100.0)  # it went live meanwhile
    stubs.ecs.add_response("describe_services", service(4), None)
    create(stubs, rev=3, deployment_id="d-UNDO")  # the revision live before, as action=rollback would
    poll(stubs, "Succeeded", SHIFTED, "d-UNDO", rev=3, blue=0.0, green=100.0)  # no alarm read: it is firing
    stubs.ecs.add_response("describe_services", service(3), None)

    failed, result = run_module(release, args(alarms=["web-5xx"]), stubs, capsys)

    assert failed
    assert "DeploymentAlreadyCompleted" not in result["msg"]
    assert result["reason"] == (
        "alarm(s) in ALARM while shifting: web-5xx; the deployment completed before the stop took effect; "
        f"deployment d-UNDO redeployed {ARN.format(3)}"
    )
    assert (result["rolled_back"], result["rollback_deployment_id"]) == (True, "d-UNDO")
    assert result["task_definition_before"] == result["task_definition_after"] == ARN.format(3)
    assert [s["status"] for s in result["steps"] if s["name"] == "stop_deployment"] == ["already_completed"]
    stubs.assert_done()


def test_continue_refused_because_the_ready_wait_timed_out_reports_codedeploys_end(capsys):
    stubs = AwsStubs("ecs", "codedeploy", "ecr")
    ecr_tag_exists(stubs)
    stubs.codedeploy.add_response("get_deployment_group", group("STOP_DEPLOYMENT"), None)
    live(stubs)
    register_new(stubs)
    create(stubs)
    poll(stubs, "Ready", TEST_TRAFFIC)
    stubs.codedeploy.add_client_error("continue_deployment", "DeploymentIsNotInReadyStateException", "not ready")
    timeout = {"code": "TIMEOUT", "message": "The deployment timed out waiting in Ready"}
    poll(stubs, "Stopped", TEST_TRAFFIC, errorInformation=timeout, rollbackInfo={"rollbackDeploymentId": "d-RB"})
    stubs.codedeploy.add_response("get_deployment", deployment("Succeeded", "d-RB", rev=3), None)
    stubs.ecs.add_response("describe_services", service(3), None)

    failed, result = run_module(release, args(), stubs, capsys)

    assert failed
    assert result["reason"] == "The deployment timed out waiting in Ready"
    assert (result["status"], result["rolled_back"]) == ("Stopped", True)
    assert [s["status"] for s in result["steps"] if s["name"] == "continue_deployment"] == ["not_ready"]
    stubs.assert_done()


def test_deployment_started_between_read_and_create_goes_through_on_conflict(capsys):
    stubs = AwsStubs("ecs", "codedeploy", "ecr")
    ecr_tag_exists(stubs)  # once: the second pass reuses the task definition it built
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    live(stubs)
    register_new(stubs)
    create(stubs, error="DeploymentLimitExceededException")
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    live(stubs, inflight=["d-OTHER"])
    stubs.codedeploy.add_response("get_deployment", deployment("InProgress", "d-OTHER", rev=9), None)
    stubs.ecs.add_response("describe_task_definition", described(f"{REPO_URI}:v9", 9), None)

    failed, result = run_module(release, args(), stubs, capsys)

    assert failed
    assert result["msg"].endswith("installs " + ARN.format(9) + "; on_conflict=fail")
    assert result["deployment_id"] == "d-OTHER"
    assert result["changed"] is True  # revision 4 was registered; nothing was deployed
    assert result["task_definition_after"] == ARN.format(3)
    stubs.assert_done()


def test_rollback_of_a_deployment_that_completes_before_the_stop_redeploys_what_was_live(capsys):
    stubs = AwsStubs("ecs", "codedeploy")
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    stubs.ecs.add_response("describe_services", service(3), None)
    stubs.codedeploy.add_response("list_deployments", {"deployments": ["d-NEW"]}, None)
    stubs.codedeploy.add_response("get_deployment", deployment("InProgress"), None)
    stubs.ecs.add_response("describe_task_definition", described(f"{REPO_URI}:v2", 4), None)
    already_completed(stubs, "stop_deployment")
    poll(stubs, "Succeeded", SHIFTED, blue=0.0, green=100.0)
    stubs.ecs.add_response("describe_services", service(4), None)
    create(stubs, rev=3, deployment_id="d-UNDO")
    poll(stubs, "Succeeded", SHIFTED, "d-UNDO", rev=3)
    stubs.ecs.add_response("describe_services", service(3), None)

    failed, result = run_module(
        release, {"env": "prd", "project": "demo", "service": "web", "action": "rollback"}, stubs, capsys
    )

    assert not failed, result
    assert (result["rolled_back"], result["rollback_deployment_id"]) == (True, "d-UNDO")
    assert result["task_definition_after"] == ARN.format(3)
    assert "completed before the stop" in result["msg"]
    stubs.assert_done()


def test_stop_of_a_deployment_that_already_ended_reports_what_is_live(capsys):
    stubs = AwsStubs("ecs", "codedeploy")
    stubs.ecs.add_response("describe_services", service(3), None)
    stubs.codedeploy.add_response("list_deployments", {"deployments": ["d-NEW"]}, None)
    stubs.codedeploy.add_response("get_deployment", deployment("InProgress"), None)
    stubs.ecs.add_response("describe_task_definition", described(f"{REPO_URI}:v2", 4), None)
    already_completed(stubs, "stop_deployment", deploymentId="d-NEW", autoRollbackEnabled=False)
    stubs.codedeploy.add_response("get_deployment", deployment("Succeeded"), None)
    stubs.ecs.add_response("describe_services", service(4), None)

    failed, result = run_module(
        release, {"env": "prd", "project": "demo", "service": "web", "action": "stop"}, stubs, capsys
    )

    assert not failed, result
    assert result["changed"] is False
    assert result["msg"] == "deployment d-NEW had already ended (Succeeded) before the stop; nothing to stop"
    assert (result["status"], result["task_definition_after"]) == ("Succeeded", ARN.format(4))
    stubs.assert_done()


def test_stop_says_what_state_it_leaves(capsys):
    stubs = AwsStubs("ecs", "codedeploy")
    stubs.ecs.add_response("describe_services", service(3), None)
    stubs.codedeploy.add_response("list_deployments", {"deployments": ["d-NEW"]}, None)
    stubs.codedeploy.add_response("get_deployment", deployment("InProgress"), None)
    stubs.ecs.add_response("describe_task_definition", described(f"{REPO_URI}:v2", 4), None)
    stop_with_rollback(stubs, rollback=False)

    failed, result = run_module(
        release, {"env": "prd", "project": "demo", "service": "web", "action": "stop", "wait": False}, stubs, capsys
    )

    assert not failed, result
    assert "production traffic stays split" in result["msg"]


def test_continue_without_waiting_when_the_deployment_left_ready(capsys):
    stubs = AwsStubs("ecs", "codedeploy")
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    stubs.ecs.add_response("describe_services", service(3), None)
    stubs.codedeploy.add_response("list_deployments", {"deployments": ["d-NEW"]}, None)
    stubs.codedeploy.add_response("get_deployment", deployment("Ready"), None)
    stubs.ecs.add_response("describe_task_definition", described(f"{REPO_URI}:v2", 4), None)
    already_completed(stubs, "continue_deployment")
    info = deployment("Stopped", errorInformation={"code": "TIMEOUT", "message": "ready wait timed out"})
    stubs.codedeploy.add_response("get_deployment", info, None)
    stubs.ecs.add_response("describe_services", service(3), None)

    failed, result = run_module(
        release, {"env": "prd", "project": "demo", "service": "web", "action": "continue", "wait": False}, stubs, capsys
    )

    assert failed
    assert result["msg"] == "deployment d-NEW ended Stopped before the continue: ready wait timed out"
    assert (result["changed"], result["task_definition_after"]) == (False, ARN.format(3))
    stubs.assert_done()


def test_on_conflict_stop_of_a_deployment_that_just_completed_goes_on(capsys):
    stubs = AwsStubs("ecs", "codedeploy", "ecr")
    ecr_tag_exists(stubs)
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    live(stubs, rev=3, inflight=["d-OTHER"])
    stubs.codedeploy.add_response("get_deployment", deployment("InProgress", "d-OTHER", rev=9), None)
    stubs.ecs.add_response("describe_task_definition", described(f"{REPO_URI}:v9", 9), None)
    already_completed(stubs, "stop_deployment", "d-OTHER")
    stubs.codedeploy.add_response("get_deployment", deployment("Succeeded", "d-OTHER", rev=9), None)
    live(stubs, rev=9, image=f"{REPO_URI}:v9")
    register_new(stubs, latest=9, new=10)
    create(stubs, rev=10)

    failed, result = run_module(release, args(on_conflict="stop", wait=False), stubs, capsys)

    assert not failed, result
    assert result["task_definition_before"] == ARN.format(3)
    assert [s["status"] for s in result["steps"] if s["name"] == "stop_deployment"] == ["already_completed"]


def test_failure_before_anything_started_names_what_is_live(capsys):
    stubs = AwsStubs("ecs", "codedeploy", "cloudwatch")
    stubs.cloudwatch.add_response("describe_alarms", {"MetricAlarms": []}, None)
    stubs.ecs.add_response("describe_services", service(3), None)  # read only to say what is live

    failed, result = run_module(release, dict(BASE_ARGS, image="img:1", alarms=["web-5xx"]), stubs, capsys)

    assert failed
    assert result["changed"] is False
    assert result["task_definition_before"] == result["task_definition_after"] == ARN.format(3)
    stubs.assert_done()


def test_an_aws_error_still_reports_what_is_live(capsys):
    stubs = AwsStubs("ecs", "codedeploy")
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    live(stubs)
    register_new(stubs)
    create(stubs, error="InvalidRoleException")

    failed, result = run_module(release, dict(BASE_ARGS, image=f"{REPO_URI}:v2"), stubs, capsys)

    assert failed
    assert result["msg"].startswith("release of prd-demo-web failed")
    assert result["task_definition_before"] == result["task_definition_after"] == ARN.format(3)
    assert result["registered"] is True


# --------------------------------------------------------------------------------------------
# Issue 10 items 6, 7, 8: the AppSpec and CreateDeployment


def test_group_rollback_settings_are_honoured_unless_overridden(capsys):
    override = {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]}
    stubs = AwsStubs("ecs", "codedeploy")
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    live(stubs)
    register_new(stubs)
    create(stubs, auto_rollback=override)

    failed, result = run_module(
        release, dict(BASE_ARGS, image=f"{REPO_URI}:v2", wait=False, auto_rollback=override), stubs, capsys
    )

    assert not failed, result
    stubs.assert_done()  # the default (no override) is every other create() in this file


def test_auto_rollback_enabled_needs_an_event(capsys):
    stubs = AwsStubs("ecs", "codedeploy")
    failed, result = run_module(release, dict(BASE_ARGS, image="img:1", auto_rollback={"enabled": True}), stubs, capsys)
    assert failed
    assert result["msg"].startswith("auto_rollback.events must list at least one of DEPLOYMENT_FAILURE")


def test_appspec_keeps_the_services_platform_version(capsys):
    stubs = AwsStubs("ecs", "codedeploy")
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    stubs.ecs.add_response("describe_services", service(3, platform="1.4.0"), None)
    stubs.ecs.add_response("describe_task_definition", described(f"{REPO_URI}:v1", 3), None)
    stubs.codedeploy.add_response("list_deployments", {"deployments": []}, None)
    register_new(stubs)
    create(stubs, platform="1.4.0")

    failed, result = run_module(release, dict(BASE_ARGS, image=f"{REPO_URI}:v2", wait=False), stubs, capsys)

    assert not failed, result
    stubs.assert_done()


def test_network_and_platform_from_the_options_are_applied_even_without_a_new_image(capsys):
    stubs = AwsStubs("ecs", "codedeploy")
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    live(stubs, rev=4, image=f"{REPO_URI}:v2")  # the image is already live
    network = {
        "AwsvpcConfiguration": {"AssignPublicIp": "DISABLED", "SecurityGroups": ["sg-9"], "Subnets": ["subnet-c"]}
    }
    create(stubs, rev=4, platform="1.4.0", network=network)  # the live revision, on the new network

    module_args = dict(
        BASE_ARGS,
        image=f"{REPO_URI}:v2",
        wait=False,
        subnets=["subnet-c"],
        security_groups=["sg-9"],
        platform_version="1.4.0",
    )
    failed, result = run_module(release, module_args, stubs, capsys, diff=True)

    assert not failed, result
    (planned,) = [s for s in result["steps"] if s["name"] == "service_changes"]
    assert "['subnet-a', 'subnet-b'] -> ['subnet-c']" in planned["changes"][0]
    assert planned["changes"][1] == "platform version: LATEST -> 1.4.0"
    assert result["diff"]["after"]["service"]["networkConfiguration"]["awsvpcConfiguration"]["subnets"] == ["subnet-c"]
    assert result["registered"] is False
    stubs.assert_done()


def test_same_network_as_live_and_same_image_is_still_a_no_op(capsys):
    stubs = AwsStubs("ecs", "codedeploy")
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    live(stubs, rev=4, image=f"{REPO_URI}:v2")

    module_args = dict(BASE_ARGS, image=f"{REPO_URI}:v2", subnets=["subnet-b", "subnet-a"], security_groups=["sg-1"])
    failed, result = run_module(release, module_args, stubs, capsys)

    assert not failed, result
    assert result["changed"] is False
    stubs.assert_done()


# --------------------------------------------------------------------------------------------
# Issue 10 item 3: HTTPS validation of an ALB whose certificate names its custom domain


class _HostEcho(_Handler):
    def do_GET(self):  # noqa: N802 - http.server's name
        self.server.hosts.append(self.headers.get("Host"))
        super().do_GET()


@pytest.fixture
def domain_tls(tmp_path, monkeypatch):
    """A TLS server on 127.0.0.1 whose certificate names only app.example.test (as ACM's for a custom domain),
    trusted through SSL_CERT_FILE like a public CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "app.example.test")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(datetime.now(UTC) - timedelta(days=1))
        .not_valid_after(datetime.now(UTC) + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("app.example.test")]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    pem = tmp_path / "domain.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile = tmp_path / "domain.key"
    keyfile.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(pem))
    with local_server(_HostEcho, (pem, keyfile)) as server:
        server.hosts = []
        yield server


def test_https_validation_by_address_fails_against_a_domain_certificate(domain_tls):
    status, detail = runtime.fetch(f"{domain_tls.url}/ok", 5, True)
    assert status is None
    assert "CERTIFICATE_VERIFY_FAILED" in detail  # the address is not the certificate's name


def test_https_validation_with_server_name_verifies_the_domain(domain_tls):
    port = domain_tls.server_address[1]
    assert runtime.fetch(f"{domain_tls.url}/ok", 5, True, "app.example.test") == (200, b'{"status": "ok"}')
    assert domain_tls.hosts == [f"app.example.test:{port}"]
    status, detail = runtime.fetch(f"{domain_tls.url}/ok", 5, True, "other.example.test")
    assert status is None and "CERTIFICATE_VERIFY_FAILED" in detail


# --------------------------------------------------------------------------------------------
# Issue 11: validation by the AfterAllowTestTraffic hook, traffic measured through the production listener

HOOK = naming.service_names("prd", "demo", "web")["validation_function"]
HOOK_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{HOOK}"
HOOK_PASSED = TEST_TRAFFIC
HOOK_FAILED = GREEN_UP + [event("AfterAllowTestTraffic", "Failed", 62, 70)]


def hook_exists(stubs):
    stubs._stubbers["lambda"].add_response(
        "get_function",
        {"Configuration": {"FunctionName": HOOK, "FunctionArn": HOOK_ARN}},
        {"FunctionName": HOOK},
    )


def hook_log(stubs, *lines, deployment_id="d-NEW"):
    """FilterLogEvents on the function's log group for this deployment: one JSON line per attempt, then the verdict."""
    events = [
        {"logStreamName": "2026/01/01/[$LATEST]abc", "timestamp": 1767268980000 + i * 1000, "message": json.dumps(line)}
        for i, line in enumerate(lines)
    ]
    stubs.logs.add_response(
        "filter_log_events",
        {"events": events},
        {
            "logGroupName": f"/aws/lambda/{HOOK}",
            "startTime": int(T0.timestamp() * 1000) - 60000,
            "filterPattern": '"d-NEW"'.replace("d-NEW", deployment_id),
        },
    )


def attempt(number, ok, status, detail, excerpt=None, deployment_id="d-NEW"):
    line = {"deployment_id": deployment_id, "url": "http://alb:8080/version", "attempt": number, "ok": ok}
    line.update(status=status, latency_ms=7, detail=detail)
    if excerpt is not None:
        line["body_excerpt"] = excerpt
    return line


def verdict(result, detail, deployment_id="d-NEW"):
    return {"deployment_id": deployment_id, "result": result, "detail": detail, "attempts": 2}


def test_release_names_the_hook_and_reports_its_attempts_from_its_log(capsys, clock):
    stubs = AwsStubs("ecs", "codedeploy", "ecr", "lambda", "logs")
    ecr_tag_exists(stubs)
    stubs.codedeploy.add_response("get_deployment_group", group("STOP_DEPLOYMENT"), None)
    hook_exists(stubs)
    live(stubs)
    register_new(stubs)
    create(stubs, hook=HOOK)
    poll(stubs, "InProgress", GREEN_UP)
    poll(stubs, "InProgress", HOOK_PASSED)  # the hook's event ended: its log is read
    hook_log(stubs, attempt(1, False, 503, "HTTP 503, expected 200", "503 Service Temporarily Unavailable"))
    hook_log(
        stubs,
        attempt(1, False, 503, "HTTP 503, expected 200", "503 Service Temporarily Unavailable"),
        attempt(2, True, 200, "HTTP 200"),
        verdict("Succeeded", "HTTP 200"),
    )
    poll(stubs, "Ready", HOOK_PASSED)  # -> continue: the hook is the validation
    stubs.codedeploy.add_response(
        "continue_deployment", {}, {"deploymentId": "d-NEW", "deploymentWaitType": "READY_WAIT"}
    )
    poll(stubs, "Succeeded", SHIFTED, blue=0.0, green=100.0)
    stubs.ecs.add_response("describe_services", service(4), None)

    failed, result = run_module(release, args(validation_hook=HOOK), stubs, capsys)

    assert not failed, result
    (check,) = [s for s in result["steps"] if s["name"] == "validation"]
    assert check["status"] == "passed" and check["by"] == "hook" and check["function"] == HOOK
    assert check["log_group"] == f"/aws/lambda/{HOOK}"
    assert [(a["attempt"], a["status"], a["latency_ms"]) for a in check["attempts"]] == [(1, 503, 7), (2, 200, 7)]
    assert check["attempts"][0]["body_excerpt"] == "503 Service Temporarily Unavailable"
    names = step_names(result)
    assert names.index("validation") < names.index("continue_deployment")
    stubs.assert_done()


def test_failed_hook_is_reported_with_codedeploys_rollback(capsys):
    stubs = AwsStubs("ecs", "codedeploy", "ecr", "lambda", "logs")
    ecr_tag_exists(stubs)
    stubs.codedeploy.add_response("get_deployment_group", group("STOP_DEPLOYMENT"), None)
    hook_exists(stubs)
    live(stubs)
    register_new(stubs)
    create(stubs, hook=HOOK)
    reset = "no answer (ConnectionResetError: [Errno 104] Connection reset by peer)"
    poll(
        stubs,
        "Failed",
        HOOK_FAILED,
        errorInformation={
            "code": "HOOK_EXECUTION_FAILURE",
            "message": "The AfterAllowTestTraffic hook reported Failed",
        },
        rollbackInfo={"rollbackDeploymentId": "d-ROLLBACK"},
    )
    hook_log(stubs, attempt(1, False, None, reset, ""), attempt(2, False, None, reset, ""), verdict("Failed", reset))
    stubs.codedeploy.add_response(
        "get_deployment", deployment("Succeeded", "d-ROLLBACK", rev=3), {"deploymentId": "d-ROLLBACK"}
    )
    stubs.ecs.add_response("describe_services", service(3), None)

    failed, result = run_module(release, args(validation_hook=HOOK), stubs, capsys)

    assert failed
    assert result["reason"].startswith(f"validation failed: the AfterAllowTestTraffic hook {HOOK} reported Failed")
    assert "the test listener did not answer the validation function" in result["reason"]
    assert result["reason"].endswith("CodeDeploy: The AfterAllowTestTraffic hook reported Failed")
    assert result["rolled_back"] is True and result["rollback_deployment_id"] == "d-ROLLBACK"
    assert result["task_definition_after"] == ARN.format(3)
    (check,) = [s for s in result["steps"] if s["name"] == "validation"]
    assert check["status"] == "failed" and len(check["attempts"]) == 2
    assert "stop_deployment" not in step_names(result)  # CodeDeploy failed it: the module stopped nothing
    stubs.assert_done()


def test_missing_validation_function_fails_before_anything_changes(capsys):
    stubs = AwsStubs("ecs", "codedeploy", "ecr", "lambda", "logs")
    ecr_tag_exists(stubs)
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    stubs._stubbers["lambda"].add_client_error(
        "get_function", "ResourceNotFoundException", "Function not found", expected_params={"FunctionName": HOOK}
    )
    stubs.ecs.add_response("describe_services", service(3), None)

    failed, result = run_module(release, args(validation_hook=HOOK), stubs, capsys)

    assert failed
    assert result["msg"].startswith(f"Lambda function {HOOK!r} (the validation hook) does not exist")
    assert result["changed"] is False
    stubs.assert_done()


def test_attached_pipeline_deployment_reports_the_hook_its_appspec_names(capsys):
    """A deployment the pipeline started (its AppSpec names the hook): the release attaches and reports it."""
    stubs = AwsStubs("ecs", "codedeploy", "lambda", "logs")
    stubs.codedeploy.add_response("get_deployment_group", group("CONTINUE_DEPLOYMENT"), None)
    hook_exists(stubs)
    pipeline_content = (
        "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n"
        f'        TaskDefinition: "{ARN.format(4)}"\n'
        '        LoadBalancerInfo:\n          ContainerName: "web"\n          ContainerPort: 8000\n'
        f'Hooks:\n  - AfterAllowTestTraffic: "{HOOK}"\n'
    )
    pipeline_revision = {"revisionType": "AppSpecContent", "appSpecContent": {"content": pipeline_content}}
    live(stubs, inflight=["d-PIPE"])
    stubs.codedeploy.add_response(
        "get_deployment",
        {"deploymentInfo": dict(deployment("InProgress", "d-PIPE")["deploymentInfo"], revision=pipeline_revision)},
        {"deploymentId": "d-PIPE"},
    )
    stubs.ecs.add_response(
        "describe_task_definition", described(f"{REPO_URI}:v2", 4), {"taskDefinition": ARN.format(4)}
    )
    stubs.codedeploy.add_response(
        "get_deployment",
        {"deploymentInfo": dict(deployment("InProgress", "d-PIPE")["deploymentInfo"], revision=pipeline_revision)},
        {"deploymentId": "d-PIPE"},
    )
    stubs.codedeploy.add_response(
        "get_deployment_target",
        target(HOOK_PASSED, deployment_id="d-PIPE"),
        {"deploymentId": "d-PIPE", "targetId": "prd-demo-cluster:prd-demo-web"},
    )
    hook_log(
        stubs,
        attempt(1, True, 200, "HTTP 200", deployment_id="d-PIPE"),
        verdict("Succeeded", "HTTP 200", "d-PIPE"),
        deployment_id="d-PIPE",
    )
    stubs.codedeploy.add_response(
        "get_deployment", deployment("Succeeded", "d-PIPE", rev=4), {"deploymentId": "d-PIPE"}
    )
    stubs.codedeploy.add_response(
        "get_deployment_target",
        target(SHIFTED, 0.0, 100.0, "d-PIPE"),
        {"deploymentId": "d-PIPE", "targetId": "prd-demo-cluster:prd-demo-web"},
    )
    stubs.ecs.add_response("describe_services", service(4), None)

    failed, result = run_module(release, dict(BASE_ARGS, validation_hook=HOOK, image=f"{REPO_URI}:v2"), stubs, capsys)

    assert not failed, result
    (check,) = [s for s in result["steps"] if s["name"] == "validation"]
    assert check["status"] == "passed" and check["function"] == HOOK
    stubs.assert_done()


class _Production(BaseHTTPRequestHandler):
    """The production listener: 1 answer in 10 from green (v2) in the canary (the first 20), then all green."""

    def do_GET(self):  # noqa: N802 - http.server's name
        self.server.hits.append(self.path)
        green = len(self.server.hits) > 20 or len(self.server.hits) % 10 == 0
        body = json.dumps({"version": "v2" if green else "v1"}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def production():
    with local_server(_Production) as server:
        yield server


def group_with_listener(ready="STOP_DEPLOYMENT"):
    answer = group(ready)
    answer["deploymentGroupInfo"]["loadBalancerInfo"] = {
        "targetGroupPairInfoList": [
            {
                "targetGroups": [{"name": "blue"}, {"name": "green"}],
                "prodTrafficRoute": {"listenerArns": ["arn:listener/prod"]},
                "testTrafficRoute": {"listenerArns": ["arn:listener/test"]},
            }
        ]
    }
    return answer


def production_listener(stubs, port):
    stubs.elbv2.add_response(
        "describe_listeners",
        {
            "Listeners": [
                {"ListenerArn": "arn:listener/prod", "LoadBalancerArn": "arn:lb", "Port": port, "Protocol": "HTTP"}
            ]
        },
        {"ListenerArns": ["arn:listener/prod"]},
    )
    stubs.elbv2.add_response(
        "describe_load_balancers",
        {"LoadBalancers": [{"LoadBalancerArn": "arn:lb", "DNSName": "127.0.0.1"}]},
        {"LoadBalancerArns": ["arn:lb"]},
    )


def test_traffic_sample_counts_blue_and_green_in_the_canary_then_after(capsys, production):
    stubs = AwsStubs("ecs", "codedeploy", "ecr", "elbv2")
    ecr_tag_exists(stubs)
    stubs.codedeploy.add_response("get_deployment_group", group_with_listener(), None)
    production_listener(stubs, production.server_address[1])
    live(stubs)
    register_new(stubs)
    create(stubs)
    poll(stubs, "Ready", TEST_TRAFFIC)
    stubs.codedeploy.add_response(
        "continue_deployment", {}, {"deploymentId": "d-NEW", "deploymentWaitType": "READY_WAIT"}
    )
    poll(stubs, "InProgress", SHIFTING, blue=90.0, green=10.0)  # -> sample: blue v1 (rev 3), green v2 (rev 4)
    stubs.ecs.add_response(
        "describe_task_definition", described(f"{REPO_URI}:v1", 3), {"taskDefinition": ARN.format(3)}
    )
    stubs.ecs.add_response(
        "describe_task_definition", described(f"{REPO_URI}:v2", 4), {"taskDefinition": ARN.format(4)}
    )
    stubs.codedeploy.add_response(
        "get_deployment_target",
        target(SHIFTING, 90.0, 10.0),
        {"deploymentId": "d-NEW", "targetId": "prd-demo-cluster:prd-demo-web"},
    )
    poll(stubs, "InProgress", SHIFTING, blue=90.0, green=10.0)  # sampled once only
    poll(stubs, "Succeeded", SHIFTED, blue=0.0, green=100.0)  # -> the sample after, all green
    stubs.ecs.add_response("describe_services", service(4), None)

    failed, result = run_module(release, args(traffic_sample={"requests": 20}), stubs, capsys)

    assert not failed, result
    canary, after = result["traffic_samples"]
    assert canary["when"] == "canary" and canary["weights"] == {"blue": 90.0, "green": 10.0}
    assert (canary["requests"], canary["blue"], canary["green"], canary["other"]) == (20, 18, 2, 0)
    assert canary["versions"] == {"v1": 18, "v2": 2}
    assert canary["url"] == f"http://127.0.0.1:{production.server_address[1]}/version"
    assert "weights_after" not in canary
    assert after["when"] == "after" and (after["requests"], after["green"], after["blue"]) == (20, 20, 0)
    assert production.hits == ["/version"] * 40
    assert [s["status"] for s in result["steps"] if s["name"] == "traffic_sample"] == ["canary", "after"]
    stubs.assert_done()


def stub_test_listener(stubs, port, protocol="HTTP"):
    stubs.elbv2.add_response(
        "describe_listeners",
        {
            "Listeners": [
                {"ListenerArn": "arn:listener/test", "LoadBalancerArn": "arn:lb", "Port": port, "Protocol": protocol}
            ]
        },
        {"ListenerArns": ["arn:listener/test"]},
    )
    stubs.elbv2.add_response(
        "describe_load_balancers",
        {"LoadBalancers": [{"LoadBalancerArn": "arn:lb", "DNSName": "127.0.0.1"}]},
        {"LoadBalancerArns": ["arn:lb"]},
    )


def test_validation_by_path_checks_the_test_listener_the_deployment_group_names(capsys, http):
    stubs = AwsStubs("ecs", "codedeploy", "ecr", "elbv2")
    ecr_tag_exists(stubs)
    stubs.codedeploy.add_response("get_deployment_group", group_with_listener(), None)
    stub_test_listener(stubs, http.server_address[1])  # read before anything changes
    live(stubs)
    register_new(stubs)
    create(stubs)
    poll(stubs, "Ready", TEST_TRAFFIC)  # -> validate through the test listener
    poll(stubs, "Ready", TEST_TRAFFIC)  # -> continue
    stubs.codedeploy.add_response(
        "continue_deployment", {}, {"deploymentId": "d-NEW", "deploymentWaitType": "READY_WAIT"}
    )
    poll(stubs, "Succeeded", SHIFTED, blue=0.0, green=100.0)
    stubs.ecs.add_response("describe_services", service(4), None)

    # server_name is for an HTTPS listener: this one speaks HTTP, so the check sends the address as is.
    validation = {"from": "controller", "path": "/ok", "server_name": "app.example.com"}
    failed, result = run_module(release, args(validation=validation), stubs, capsys)

    assert not failed, result
    (check,) = [s for s in result["steps"] if s["name"] == "validation"]
    assert check["status"] == "passed"
    assert check["url"] == f"http://127.0.0.1:{http.server_address[1]}/ok"
    assert "server_name" not in check
    assert http.hits == ["/ok"]
    stubs.assert_done()


def test_validation_by_path_fails_before_anything_changes_when_the_group_names_no_test_listener(capsys):
    stubs = AwsStubs("ecs", "codedeploy", "ecr", "elbv2")
    ecr_tag_exists(stubs)
    answer = group_with_listener()
    del answer["deploymentGroupInfo"]["loadBalancerInfo"]["targetGroupPairInfoList"][0]["testTrafficRoute"]
    stubs.codedeploy.add_response("get_deployment_group", answer, None)
    stubs.ecs.add_response("describe_services", service(3), None)  # the controller: a read

    failed, result = run_module(release, args(validation={"from": "controller", "path": "/ok"}), stubs, capsys)

    assert failed
    assert "names no test listener" in result["msg"] and "testTrafficRoute" in result["msg"]
    assert result["changed"] is False
    stubs.assert_done()  # no task definition registered, no deployment created


@pytest.mark.parametrize(
    ("validation", "message"),
    [
        ({"from": "controller"}, "validation needs url, or path on the deployment group's test listener"),
        ({"from": "controller", "path": "ok"}, "validation.path must start with '/', not 'ok'"),
    ],
)
def test_validation_needs_a_url_or_a_path(capsys, validation, message):
    stubs = AwsStubs("ecs", "codedeploy")

    failed, result = run_module(release, args(validation=validation), stubs, capsys)

    assert failed
    assert result["msg"] == message
    stubs.assert_done()  # nothing was read or written


def test_traffic_sample_gives_up_on_a_listener_this_machine_cannot_reach(capsys):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nothing listens there once the socket is closed
    stubs = AwsStubs("ecs", "codedeploy", "ecr", "elbv2")
    ecr_tag_exists(stubs)
    stubs.codedeploy.add_response("get_deployment_group", group_with_listener("CONTINUE_DEPLOYMENT"), None)
    production_listener(stubs, port)
    live(stubs)
    register_new(stubs)
    create(stubs)
    poll(stubs, "InProgress", SHIFTING, blue=90.0, green=10.0)
    stubs.ecs.add_response(
        "describe_task_definition", described(f"{REPO_URI}:v1", 3), {"taskDefinition": ARN.format(3)}
    )
    stubs.ecs.add_response(
        "describe_task_definition", described(f"{REPO_URI}:v2", 4), {"taskDefinition": ARN.format(4)}
    )
    stubs.codedeploy.add_response(
        "get_deployment_target",
        target(SHIFTING, 90.0, 10.0),
        {"deploymentId": "d-NEW", "targetId": "prd-demo-cluster:prd-demo-web"},
    )
    poll(stubs, "Succeeded", SHIFTED, blue=0.0, green=100.0)
    stubs.ecs.add_response("describe_services", service(4), None)

    failed, result = run_module(release, args(traffic_sample={"requests": 20}), stubs, capsys)

    assert not failed, result  # the sample only observes
    canary, after = result["traffic_samples"]
    assert canary["requests"] == 3 and canary["versions"] == {"no answer": 3}
    assert canary["note"] == "no answer to the first 3 requests from this machine; sample stopped"
    assert after["requests"] == 3


# --------------------------------------------------------------------------------------------
# Issue 14: a service that names a database gets the same DB_* variables and secrets from the release as from the
# ecs role and the pipeline (task_definition renders them from DescribeDBInstances' instance).

DB = naming.database_names("prd", "demo", "app")
DB_SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:rds!db-0f6b1c2d-AbCdEf"
DB_INSTANCE = {
    "DBInstanceIdentifier": DB["instance"],
    "DBName": "notes",
    "Endpoint": {"Address": f"{DB['instance']}.abc.{REGION}.rds.amazonaws.com", "Port": 5432},
    "MasterUserSecret": {"SecretArn": DB_SECRET, "SecretStatus": "active"},
    "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-0db", "Status": "active"}],
}
DB_SPEC = dict(SPEC, database="app")


def test_release_renders_the_named_database_into_the_new_revision(capsys):
    stubs = AwsStubs("ecs", "codedeploy", "ecr", "rds")
    ecr_tag_exists(stubs)
    stubs.rds.add_response(
        "describe_db_instances", {"DBInstances": [DB_INSTANCE]}, {"DBInstanceIdentifier": DB["instance"]}
    )
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    live(stubs, rev=3)
    stubs.ecs.add_response(
        "list_task_definitions",
        {"taskDefinitionArns": [ARN.format(3)]},
        {"familyPrefix": "prd-demo-web", "status": "ACTIVE", "sort": "DESC"},
    )
    expected = task_definition(
        normalize(DB_SPEC), NAMES, f"{REPO_URI}:v2", REGION, EXEC, TASK, False, database_facts(DB_INSTANCE, "app")
    )
    container = expected["containerDefinitions"][0]
    environment = {e["name"]: e["value"] for e in container["environment"]}
    # What the app reads (app/config.py), and the credentials only as references to RDS's managed secret.
    assert environment["DB_HOST"] == DB_INSTANCE["Endpoint"]["Address"]
    assert environment["DB_SECRET_ARN"] == DB_SECRET
    assert sorted(s["valueFrom"] for s in container["secrets"]) == [
        f"{DB_SECRET}:password::",
        f"{DB_SECRET}:username::",
    ]
    registered = dict(expected, taskDefinitionArn=ARN.format(4), revision=4, status="ACTIVE")
    stubs.ecs.add_response("register_task_definition", {"taskDefinition": registered}, dict(expected, tags=ANY))
    create(stubs)

    failed, result = run_module(release, args(spec=DB_SPEC, wait=False), stubs, capsys)

    assert not failed, result
    assert result["registered"] is True
    assert result["task_definition_after"] == ARN.format(4)
    stubs.assert_done()


def test_release_naming_a_missing_database_fails_before_anything_changes(capsys):
    stubs = AwsStubs("ecs", "codedeploy", "ecr", "rds")
    ecr_tag_exists(stubs)
    stubs.rds.add_client_error("describe_db_instances", "DBInstanceNotFound", f"DBInstance {DB['instance']} not found.")
    stubs.codedeploy.add_response("get_deployment_group", group(), None)
    live(stubs, rev=3)

    failed, result = run_module(release, args(spec=DB_SPEC), stubs, capsys)

    assert failed
    assert "bluegreen_service.database" in result["msg"]
    assert DB["instance"] in result["msg"]
    assert result["changed"] is False  # the Stubber queued no write: none was sent
