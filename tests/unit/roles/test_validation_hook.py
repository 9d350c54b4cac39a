"""The validation function's handler, as Lambda runs it: a local HTTP server stands for the test listener and
botocore Stubbers for CodeDeploy and ECS (nothing else may be called)."""

import http.server
import importlib.util
import json
import os
import sys
import threading

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.bluegreen.ecs.plugins.module_utils import http_check

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
HANDLER = os.path.join(ROOT, "roles", "codedeploy", "files", "validation_hook.py")
DEPLOYMENT = "d-ABCDEF123"
HOOK = "hook-execution-1"
TASKDEF = "arn:aws:ecs:us-east-1:123456789012:task-definition/local-demo-web:7"


@pytest.fixture
def hook(monkeypatch):
    # In the zip, http_check.py sits next to the handler and is imported as a top-level module.
    monkeypatch.setitem(sys.modules, "http_check", http_check)
    spec = importlib.util.spec_from_file_location("validation_hook_under_test", HANDLER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def app():
    """The test listener: answers from a script, one answer per request, then the last again."""
    answers = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            status, body = answers.pop(0) if len(answers) > 1 else answers[0]
            self.send_response(status)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.answers = answers
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def clients(hook, monkeypatch):
    made = {name: boto3.client(name, region_name="us-east-1") for name in ("codedeploy", "ecs")}
    stubs = {name: Stubber(client) for name, client in made.items()}
    for stub in stubs.values():
        stub.activate()
    monkeypatch.setattr(hook, "_client", lambda name: made[name])
    yield stubs
    for stub in stubs.values():
        stub.assert_no_pending_responses()


def environment(monkeypatch, server, **extra):
    definition = {
        "url": f"http://127.0.0.1:{server.server_address[1]}/version",
        "attempts": 3,
        "interval_seconds": 0,
        "timeout_seconds": 2,
        "container_name": "web",
    }
    definition.update(extra)
    for key, value in http_check.definition_to_environment(definition).items():
        monkeypatch.setenv(key, value)


def expect_report(stub, status):
    stub.add_response(
        "put_lifecycle_event_hook_execution_status",
        {"lifecycleEventHookExecutionId": HOOK},
        {"deploymentId": DEPLOYMENT, "lifecycleEventHookExecutionId": HOOK, "status": status},
    )


def log_lines(capsys):
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


EVENT = {"DeploymentId": DEPLOYMENT, "LifecycleEventHookExecutionId": HOOK}


def test_a_passing_check_reports_succeeded_and_logs_each_attempt(hook, app, clients, monkeypatch, capsys):
    environment(monkeypatch, app, body_pattern='"version"')
    app.answers[:] = [(503, b"starting"), (200, b'{"version": "2.0.0"}')]
    expect_report(clients["codedeploy"], "Succeeded")
    answer = hook.handler(dict(EVENT))
    assert answer["status"] == "Succeeded"
    lines = log_lines(capsys)
    attempts = [line for line in lines if "attempt" in line]
    assert [(a["attempt"], a["status"], a["ok"]) for a in attempts] == [(1, 503, False), (2, 200, True)]
    assert attempts[0]["deployment_id"] == DEPLOYMENT and attempts[0]["body_excerpt"] == "starting"
    assert all(isinstance(a["latency_ms"], int) for a in attempts)
    assert lines[-1]["result"] == "Succeeded"


def test_a_failing_check_reports_failed(hook, app, clients, monkeypatch, capsys):
    environment(monkeypatch, app, body_pattern='"version": "2.0.0"')
    app.answers[:] = [(200, b'{"version": "1.0.0"}')]
    expect_report(clients["codedeploy"], "Failed")
    answer = hook.handler(dict(EVENT))
    assert answer["status"] == "Failed" and len(answer["attempts"]) == 3
    assert "does not match" in answer["detail"]


def test_the_released_tag_comes_from_the_deployment(hook, app, clients, monkeypatch):
    environment(monkeypatch, app, body_pattern='"version":\\s*"{image_tag}"')
    app.answers[:] = [(200, b'{"version": "2.0.0"}')]
    appspec = f'version: 0.0\nResources:\n  - TargetService:\n      Properties:\n        TaskDefinition: "{TASKDEF}"\n'
    revision = {"revisionType": "AppSpecContent", "appSpecContent": {"sha256": "abc"}}
    cd, ecs = clients["codedeploy"], clients["ecs"]
    cd.add_response(
        "get_deployment",
        {"deploymentInfo": {"applicationName": "local-demo-web", "revision": revision}},
        {"deploymentId": DEPLOYMENT},
    )
    cd.add_response(
        "get_application_revision",
        {"revision": {"revisionType": "AppSpecContent", "appSpecContent": {"content": appspec, "sha256": "abc"}}},
        {"applicationName": "local-demo-web", "revision": revision},
    )
    ecs.add_response(
        "describe_task_definition",
        {
            "taskDefinition": {
                "containerDefinitions": [
                    {"name": "sidecar", "image": "public.ecr.aws/x/y:9.9.9"},
                    {"name": "web", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/local-demo-web:2.0.0"},
                ]
            }
        },
        {"taskDefinition": TASKDEF},
    )
    expect_report(cd, "Succeeded")
    assert hook.handler(dict(EVENT))["status"] == "Succeeded"


def test_an_error_inside_the_function_is_reported_failed_not_raised(hook, clients, monkeypatch, capsys):
    monkeypatch.delenv("VALIDATION_URL", raising=False)
    expect_report(clients["codedeploy"], "Failed")
    answer = hook.handler(dict(EVENT))
    assert answer["status"] == "Failed"
    assert "VALIDATION_URL is not set" in answer["detail"]
    assert log_lines(capsys)[-1]["result"] == "Failed"


def test_an_aws_error_while_finding_the_tag_is_reported_failed(hook, app, clients, monkeypatch):
    environment(monkeypatch, app, body_pattern="{image_tag}")
    clients["codedeploy"].add_client_error("get_deployment", "AccessDeniedException", "not allowed")
    expect_report(clients["codedeploy"], "Failed")
    answer = hook.handler(dict(EVENT))
    assert answer["status"] == "Failed" and "AccessDenied" in answer["detail"]


def test_the_check_stops_in_time_to_report(hook, app, clients, monkeypatch):
    environment(monkeypatch, app, attempts=50, interval_seconds=0)
    app.answers[:] = [(500, b"down")]

    class Context:
        # REPORT_MARGIN_SECONDS + a little: room for no attempt of timeout_seconds=2.
        def get_remaining_time_in_millis(self):
            return (hook.REPORT_MARGIN_SECONDS + 1) * 1000

    expect_report(clients["codedeploy"], "Failed")
    answer = hook.handler(dict(EVENT), Context())
    assert answer["status"] == "Failed" and answer["detail"].startswith("out of time")


def test_without_a_deployment_it_only_answers(hook, app, clients, monkeypatch):
    environment(monkeypatch, app)
    app.answers[:] = [(200, b"ok")]
    assert hook.handler({})["status"] == "Succeeded"  # no report expected: the stubs would fail on one


@pytest.mark.parametrize(
    "image, tag",
    [
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.2.3", "1.2.3"),
        ("localhost:5000/web:abc1234", "abc1234"),
        ("localhost:5000/web", None),
        ("web@sha256:" + "0" * 64, None),
    ],
)
def test_image_tag_of(hook, image, tag):
    assert hook.image_tag_of(image) == tag


# ECS's lifecycle hook payload (ECS developer guide, "Lifecycle hooks for Amazon ECS service deployments"): the same
# function answers with hookStatus, and finds the released tag in the target service revision.
REVISION = "arn:aws:ecs:us-east-1:123456789012:service-revision/local-demo-cluster/local-demo-api/4444"
ECS_EVENT = {
    "serviceArn": "arn:aws:ecs:us-east-1:123456789012:service/local-demo-cluster/local-demo-api",
    "targetServiceRevisionArn": REVISION,
    "testTrafficWeights": {REVISION: 100},
    "productionTrafficWeights": {REVISION: 0},
}


def test_an_ecs_hook_payload_gets_hook_status_and_reports_nothing_to_codedeploy(hook, app, clients, monkeypatch):
    environment(monkeypatch, app, body_pattern='"version":\\s*"{image_tag}"')
    app.answers[:] = [(200, b'{"version": "2.0.0"}')]
    ecs = clients["ecs"]
    ecs.add_response(
        "describe_service_revisions",
        {"serviceRevisions": [{"serviceRevisionArn": REVISION, "taskDefinition": TASKDEF}], "failures": []},
        {"serviceRevisionArns": [REVISION]},
    )
    ecs.add_response(
        "describe_task_definition",
        {"taskDefinition": {"containerDefinitions": [{"name": "web", "image": "repo/local-demo-web:2.0.0"}]}},
        {"taskDefinition": TASKDEF},
    )
    answer = hook.handler(dict(ECS_EVENT))  # a CodeDeploy call would fail the stubs: none is queued
    assert answer["hookStatus"] == "SUCCEEDED" and answer["status"] == "Succeeded"


def test_an_ecs_hook_payload_with_the_wrong_version_is_failed(hook, app, clients, monkeypatch):
    environment(monkeypatch, app, body_pattern='"version":\\s*"{image_tag}"', attempts=1)
    app.answers[:] = [(200, b'{"version": "1.0.0"}')]
    answer = hook.handler(dict(ECS_EVENT, ImageTag="2.0.0"))  # the release names the tag: no ECS read either
    assert answer["hookStatus"] == "FAILED"
    assert "does not match" in answer["detail"]


def test_an_unknown_service_revision_is_failed(hook, app, clients, monkeypatch):
    environment(monkeypatch, app, body_pattern="{image_tag}")
    clients["ecs"].add_response(
        "describe_service_revisions",
        {"serviceRevisions": [], "failures": [{"arn": REVISION, "reason": "MISSING"}]},
        {"serviceRevisionArns": [REVISION]},
    )
    answer = hook.handler(dict(ECS_EVENT))
    assert answer["hookStatus"] == "FAILED" and "not found" in answer["detail"]
