"""bluegreen.ecs.release on the ECS controller with the validation function: the codedeploy layer's real handler
(roles/codedeploy/files/validation_hook.py with http_check.py, as the role packages them) runs as a Lambda on the
emulator, and the module invokes it while the PAUSE hook holds POST_TEST_TRAFFIC_SHIFT. The function checks the test
listener for the released tag, which it reads from the target service revision (DescribeServiceRevisions), as it
would when ECS invoked it as an AWS_LAMBDA hook.
"""

import io
import os
import zipfile

import pytest
from botocore.exceptions import ClientError

from ansible_collections.bluegreen.ecs.plugins.module_utils import http_check
from tests.emulator.test_dataplane_hooks import lambda_role
from tests.emulator.test_ecs_native_engine import ROOT, versions
from tests.emulator.test_release_ecs_native import run, steps

FUNCTION = "tst-demo-web-validate"
HANDLER = os.path.join(ROOT, "roles", "codedeploy", "files", "validation_hook.py")
CHECK = os.path.join(ROOT, "plugins", "module_utils", "http_check.py")


def bundle():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(HANDLER, "validation_hook.py")
        archive.write(CHECK, "http_check.py")
    return buffer.getvalue()


def validation_function(stack, pattern):
    role = lambda_role(stack.aws, "validate")
    definition = {
        "url": f"http://{stack.dns}:8080/",
        "body_pattern": pattern,
        "attempts": 2,
        "interval_seconds": 0,
        "timeout_seconds": 2,
        "container_name": "web",
    }
    stack.aws("lambda").create_function(
        FunctionName=FUNCTION,
        Runtime="python3.12",
        Role=role,
        Handler="validation_hook.handler",
        Code={"ZipFile": bundle()},
        Timeout=30,
        Environment={"Variables": http_check.definition_to_environment(definition)},
    )


def test_the_validation_function_passes_green_and_the_release_completes(service, capsys):
    validation_function(service, "^{image_tag}$")  # green must answer the released tag, 2.0.0

    failed, result = run(capsys, service, image=service.image("2.0.0"), validation_hook=FUNCTION)

    assert not failed, result["msg"]
    assert result["status"] == "SUCCESSFUL"
    (check,) = steps(result, "validation")
    assert (check["status"], check["by"], check["function"]) == ("passed", "hook", FUNCTION)
    assert check["phase"] == "POST_TEST_TRAFFIC_SHIFT" and check["before_production_traffic"] is True
    assert check["attempts"][-1]["ok"] is True
    (answer,) = steps(result, "continue_service_deployment")
    assert answer["action"] == "CONTINUE"
    assert set(versions(service, 80, 5)) == {"2.0.0"}
    assert not any("validation_hook" in w for w in result.get("warnings", []))  # the hook applies on ECS now


def test_a_failing_validation_function_rolls_back_before_production_moves(service, capsys):
    validation_function(service, "^9.9.9$")  # never what green answers

    failed, result = run(capsys, service, image=service.image("2.0.0"), validation_hook=FUNCTION)

    assert failed
    assert result["msg"].startswith("validation failed")
    assert result["rolled_back"] is True and result["status"] == "ROLLBACK_SUCCESSFUL"
    (check,) = steps(result, "validation")
    assert (check["status"], check["by"]) == ("failed", "hook")
    assert "does not match" in check["detail"]
    (answer,) = steps(result, "continue_service_deployment")
    assert answer["action"] == "ROLLBACK"
    assert "PRODUCTION_TRAFFIC_SHIFT" not in [s["stage"] for s in steps(result, "lifecycle_stage")]
    assert result["task_definition_after"] == service.first
    assert set(versions(service, 80, 5)) == {"1.0.0"}


def test_a_missing_validation_function_fails_before_anything_changes(service, capsys):
    failed, result = run(capsys, service, image=service.image("2.0.0"), validation_hook="no-such-function")

    assert failed
    assert "'no-such-function' (the validation hook) does not exist" in result["msg"]
    assert result["changed"] is False
    assert not service.deployments()[1:]  # only the service's first deployment


@pytest.fixture(autouse=True)
def _no_leftover_function(service):
    yield
    try:
        service.aws("lambda").delete_function(FunctionName=FUNCTION)
    except ClientError:
        pass
