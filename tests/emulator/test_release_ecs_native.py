"""bluegreen.ecs.release on the ECS controller, end to end against the emulator's ECS-native engine.

The stack (tests/emulator/test_ecs_native_engine.py's ``stack``): an ALB with a production (:80) and a test (:8080)
listener whose default rules ECS moves, blue and green target groups, the load-balancer role, and tasks that run for
real and answer their image's version. Here the service is a CANARY (10 %) service with a PAUSE hook at
POST_TEST_TRAFFIC_SHIFT, whose first revision is the module's own task definition (family ``tst-demo-web``) for
1.0.0; the module runs in-process (``main()``) against the emulator's endpoint.
"""

import json
import sys
import threading

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.bluegreen.ecs.plugins.module_utils import naming
from ansible_collections.bluegreen.ecs.plugins.module_utils.service_spec import normalize
from ansible_collections.bluegreen.ecs.plugins.module_utils.task_definition import task_definition
from ansible_collections.bluegreen.ecs.plugins.modules import release
from emulator.dataplane import images
from tests.emulator.test_ecs_native_engine import ACCOUNT, ROOT, VERSION_SERVER, pause_at, versions, wait_for

NAMES = naming.service_names("tst", "demo", "web")
SPEC = {"name": "web", "port": 8000, "health_check": "none"}
EXEC = f"arn:aws:iam::{ACCOUNT}:role/tst-demo-web-exec-role"
TASK = f"arn:aws:iam::{ACCOUNT}:role/tst-demo-web-task-role"
ALARM = "tst-demo-web-5xx"


# The app's /version answer: JSON naming the version (what the traffic sample counts by).
JSON_VERSION_SERVER = VERSION_SERVER.replace(
    'body = os.environ["APP_VERSION"].encode()',
    'body = ("{\\"version\\": \\"%s\\"}" % os.environ["APP_VERSION"]).encode() if self.path == "/version" '
    'else os.environ["APP_VERSION"].encode()',
)


def json_image(stack, tag):
    """An image whose tasks answer ``/version`` as the app does and every other path with the bare version."""
    manifest = images.recipe_manifest([sys.executable, "-c", JSON_VERSION_SERVER], {"APP_VERSION": tag}, ROOT, tag)
    stack.aws("ecr").put_image(repositoryName="web", imageTag=tag, imageManifest=manifest)
    return f"{stack.repo}:{tag}"


def config(bake=1, canary_bake=1):
    return {
        "strategy": "CANARY",
        "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": canary_bake},
        "bakeTimeInMinutes": bake,
        "lifecycleHooks": pause_at("POST_TEST_TRAFFIC_SHIFT"),
    }


def build_service(stack, request):
    """The CANARY service on 1.0.0 (the module's family), serving on the production listener."""
    bakes = getattr(request, "param", {})  # emulated minutes: {"bake": ..., "canary_bake": ...}
    stack.aws("logs").create_log_group(logGroupName=NAMES["log_group"])
    stack.aws("cloudwatch").put_metric_alarm(
        AlarmName=ALARM,
        MetricName="HTTPCode_Target_5XX_Count",
        Namespace="AWS/ApplicationELB",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    first = stack.ecs.register_task_definition(
        **task_definition(normalize(SPEC), NAMES, json_image(stack, "1.0.0"), "us-east-1", EXEC, TASK)
    )["taskDefinition"]["taskDefinitionArn"]
    stack.ecs.create_service(
        cluster="main",
        serviceName="web",
        taskDefinition=first,
        desiredCount=1,
        launchType="FARGATE",
        deploymentController={"type": "ECS"},
        deploymentConfiguration=config(**bakes),
        loadBalancers=stack.balancers(),
        networkConfiguration={"awsvpcConfiguration": {"subnets": stack.subnets, "securityGroups": []}},
    )
    wait_for(lambda: versions(stack, 80, 1), lambda answers: answers == ["1.0.0"])
    stack.first = first
    return stack


def run(capsys, stack, **extra):
    """``release.main()`` on the emulator; returns (failed, result)."""
    args = {
        "env": "tst",
        "project": "demo",
        "spec": SPEC,
        "cluster_name": "main",
        "service_name": "web",
        "execution_role_arn": EXEC,
        "task_role_arn": TASK,
        "poll_interval": 0.05,
        "timeout": 120,
        "region": "us-east-1",
        "endpoint_url": stack.ecs.meta.endpoint_url,
        "access_key": "testing",
        "secret_key": "testing",
    }
    args.update(extra)
    with patch_module_args(args), pytest.raises(SystemExit) as exit_info:
        release.main()
    return exit_info.value.code != 0, json.loads(capsys.readouterr().out)


def validation(stack, pattern):
    return {"from": "controller", "url": f"http://{stack.dns}:8080/", "body_pattern": pattern, "attempts": 2}


def steps(result, name):
    return [s for s in result["steps"] if s["name"] == name]


@pytest.mark.parametrize("service", [{"canary_bake": 30}], indirect=True)  # 3 s at 10 %: time to sample it
def test_canary_release_validated_at_the_hook_then_the_same_release_again_changes_nothing(service, capsys):
    image = json_image(service, "2.0.0")
    failed, result = run(
        capsys,
        service,
        image=image,
        # By path: on the listener of the service's test listener rule (advancedConfiguration.testListenerRule).
        validation={"from": "controller", "path": "/", "body_pattern": "^2.0.0$"},
        traffic_sample={"requests": 20},
    )

    assert not failed, result
    assert result["changed"] is True and result["registered"] is True
    assert result["status"] == "SUCCESSFUL"
    assert result["task_definition_before"] == service.first
    assert result["task_definition_after"].endswith("task-definition/tst-demo-web:2")
    (check,) = steps(result, "validation")
    assert check["url"] == f"http://{service.dns}:8080/"
    assert (check["status"], check["phase"], check["before_production_traffic"]) == (
        "passed",
        "POST_TEST_TRAFFIC_SHIFT",
        True,
    )
    (resume,) = steps(result, "continue_service_deployment")
    assert resume["action"] == "CONTINUE" and resume["status"] == "sent"
    stages = [s["stage"] for s in steps(result, "lifecycle_stage")]
    assert stages.index("POST_TEST_TRAFFIC_SHIFT") < stages.index("PRODUCTION_TRAFFIC_SHIFT")
    assert steps(result, "lifecycle_stage")[-1]["status"] == "SUCCESSFUL"
    canary = next(s for s in result["traffic_samples"] if s["when"] == "canary")
    assert canary["weights"] == {"green": 10.0, "blue": 90.0}
    assert (canary["blue"], canary["green"]) == (18, 2)  # the production rule really split 90/10
    assert set(versions(service, 80, 5)) == {"2.0.0"}

    again, second = run(capsys, service, image=image)

    assert not again, second
    assert second["changed"] is False
    assert "already live" in second["msg"]
    assert second["task_definition_before"] == second["task_definition_after"] == result["task_definition_after"]
    assert len(service.deployments()) == 2  # the service's creation and the release: no third


def test_failed_validation_rolls_back_at_the_hook_before_production_moves(service, capsys):
    failed, result = run(capsys, service, image=service.image("2.0.0"), validation=validation(service, "^9.9.9$"))

    assert failed
    assert result["rolled_back"] is True
    assert result["status"] == "ROLLBACK_SUCCESSFUL"
    assert result["msg"].startswith("validation failed")
    assert result["task_definition_after"] == service.first  # truly what is live
    (answer,) = steps(result, "continue_service_deployment")
    assert answer["action"] == "ROLLBACK"
    assert service.weights(service.prod_rule) == {"blue": 100, "green": 0}
    assert set(versions(service, 80, 5)) == {"1.0.0"}


@pytest.mark.parametrize("service", [{"bake": 20}], indirect=True)  # a bake of 20 emulated minutes (2 s)
def test_alarm_in_the_bake_rolls_back(service, capsys):
    cloudwatch = service.aws("cloudwatch")

    def fire_in_the_bake():
        wait_for(
            lambda: [service.describe(d["serviceDeploymentArn"]) for d in service.deployments()[:1]],
            lambda found: (
                found and found[0].get("lifecycleStage") == "BAKE_TIME" and found[0]["status"] == "IN_PROGRESS"
            ),
            timeout=60,
            interval=0.02,
        )
        cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue="ALARM", StateReason="5xx in the bake")

    firing = threading.Thread(target=fire_in_the_bake, daemon=True)
    firing.start()
    failed, result = run(capsys, service, image=service.image("2.0.0"), alarms=[ALARM])
    firing.join(5)

    assert failed
    assert "alarm(s) in ALARM during BAKE_TIME" in result["msg"]
    assert result["rolled_back"] is True and result["status"] == "ROLLBACK_SUCCESSFUL"
    assert result["task_definition_after"] == service.first
    (stop,) = steps(result, "stop_service_deployment")
    assert stop["action"] == "ROLLBACK"
    assert set(versions(service, 80, 5)) == {"1.0.0"}


def test_rollback_after_success_deploys_the_previous_revision(service, capsys):
    failed, released = run(capsys, service, image=service.image("2.0.0"))
    assert not failed, released

    failed, result = run(capsys, service, action="rollback", service="web", spec=None)

    assert not failed, result
    assert result["task_definition_before"] == released["task_definition_after"]
    assert result["task_definition_after"] == service.first
    assert result["status"] == "SUCCESSFUL"
    assert set(versions(service, 80, 5)) == {"1.0.0"}


def test_interrupted_run_is_re_attached(service, capsys):
    image = service.image("2.0.0")
    failed, started = run(capsys, service, image=image, wait=False)
    assert not failed, started
    assert started["msg"].startswith("started service deployment")

    failed, result = run(capsys, service, image=image)

    assert not failed, result
    assert result["deployment_id"] == started["deployment_id"]
    assert result["status"] == "SUCCESSFUL"
    assert not steps(result, "update_service") and not steps(result, "register_task_definition")
    assert result["task_definition_after"] == started["task_definition_after"]


def test_stop_is_refused_while_a_deployment_is_in_flight(service, capsys):
    failed, started = run(capsys, service, image=service.image("2.0.0"), wait=False)
    assert not failed, started
    wait_for(lambda: service.describe(started["deployment_id"]), lambda d: d["status"] == "IN_PROGRESS")

    failed, result = run(capsys, service, action="stop", service="web", spec=None)

    assert failed
    assert "use action=rollback" in result["msg"]
    assert result["changed"] is False
    assert service.describe(started["deployment_id"])["status"] == "IN_PROGRESS"  # nothing was stopped


@pytest.mark.parametrize("on_conflict", ["fail", "stop"])
def test_another_deployment_in_flight_is_handled_by_on_conflict(service, capsys, on_conflict):
    other = service.ecs.update_service(cluster="main", service="web", taskDefinition=service.task_definition("3.0.0"))[
        "service"
    ]["taskDefinition"]
    arn = service.deployments()[0]["serviceDeploymentArn"]
    wait_for(lambda: service.describe(arn), lambda d: d.get("lifecycleStage") == "POST_TEST_TRAFFIC_SHIFT")

    failed, result = run(capsys, service, image=service.image("2.0.0"), on_conflict=on_conflict)

    if on_conflict == "fail":
        assert failed
        assert result["msg"].endswith("on_conflict=fail") and other in result["msg"]
        assert result["changed"] is False
        assert service.describe(arn)["status"] == "IN_PROGRESS"  # left alone
        return
    assert not failed, result
    assert service.describe(arn)["status"] == "ROLLBACK_SUCCESSFUL"
    names = [s["name"] for s in result["steps"]]
    assert (
        names.index("stop_service_deployment")
        < names.index("wait_for_other_deployment")
        < names.index("update_service")
    )
    assert result["task_definition_after"].endswith("task-definition/tst-demo-web:2")


def test_alarm_already_in_alarm_rolls_back_at_the_hook_before_production_moves(service, capsys):
    service.aws("cloudwatch").set_alarm_state(AlarmName=ALARM, StateValue="ALARM", StateReason="already firing")

    failed, result = run(capsys, service, image=service.image("2.0.0"), alarms=[ALARM])

    assert failed
    assert result["msg"].startswith("alarm(s) in ALARM before production traffic moved")
    assert result["rolled_back"] is True
    # The hook's ROLLBACK, or a stop if the gate read the alarm during TEST_TRAFFIC_SHIFT, just before the hook.
    (answer,) = steps(result, "continue_service_deployment") or steps(result, "stop_service_deployment")
    assert answer["action"] == "ROLLBACK"
    assert "PRODUCTION_TRAFFIC_SHIFT" not in [s["stage"] for s in steps(result, "lifecycle_stage")]
    assert result["task_definition_after"] == service.first
