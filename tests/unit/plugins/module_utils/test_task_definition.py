import copy

from ansible_collections.bluegreen.ecs.plugins.module_utils import naming
from ansible_collections.bluegreen.ecs.plugins.module_utils.service_spec import normalize
from ansible_collections.bluegreen.ecs.plugins.module_utils.task_definition import (
    BOOTSTRAP_IMAGE,
    same_definition,
    task_definition,
)

NAMES = naming.service_names("prd", "demo", "web")
EXEC = "arn:aws:iam::123456789012:role/prd-web-exec-role"
TASK = "arn:aws:iam::123456789012:role/prd-web-task-role"


def build(image="repo:abc123", bootstrap=False, **spec):
    return task_definition(normalize(spec, "web"), NAMES, image, "eu-west-1", EXEC, TASK, bootstrap)


def test_task_definition_from_spec():
    td = build(cpu=512, memory=1024, secrets={"DB": "arn:aws:secretsmanager:eu-west-1:1:secret:db"})
    assert td["family"] == "prd-demo-web"
    assert (td["cpu"], td["memory"]) == ("512", "1024")
    (container,) = td["containerDefinitions"]
    assert container["image"] == "repo:abc123"
    assert container["portMappings"] == [{"containerPort": 8000, "hostPort": 8000, "protocol": "tcp"}]
    assert container["logConfiguration"]["options"] == {
        "awslogs-group": "prd-demo-web-logs",
        "awslogs-region": "eu-west-1",
        "awslogs-stream-prefix": "web",
    }
    assert container["readonlyRootFilesystem"] is True
    assert container["user"] == "10001"
    assert {"name": "PORT", "value": "8000"} in container["environment"]
    assert container["secrets"] == [{"name": "DB", "valueFrom": "arn:aws:secretsmanager:eu-west-1:1:secret:db"}]
    probe = container["healthCheck"]["command"][-1]
    assert "8000" in probe and "/health" in probe


def test_bootstrap_uses_placeholder_that_serves_the_health_path():
    (container,) = build(bootstrap=True)["containerDefinitions"]
    assert container["image"] == BOOTSTRAP_IMAGE
    assert "/tmp/www/health" in container["command"][-1]
    assert container["healthCheck"]["command"][0] == "CMD-SHELL"


def test_same_definition_ignores_fields_aws_adds():
    wanted = build()
    live = copy.deepcopy(wanted)
    live.update(
        taskDefinitionArn="arn:...:task-definition/prd-web:3", revision=3, status="ACTIVE", compatibilities=["FARGATE"]
    )
    live["containerDefinitions"][0]["cpu"] = 0  # AWS echoes a default
    live["containerDefinitions"][0]["systemControls"] = []
    assert same_definition(wanted, live)


def test_a_new_image_is_a_different_definition():
    assert not same_definition(build(image="repo:v2"), build(image="repo:v1"))
    assert not same_definition(build(), None)


def test_a_changed_port_is_a_different_definition():
    assert not same_definition(build(port=9000), build())


def test_bootstrap_serves_a_nested_health_path():
    (container,) = build(bootstrap=True, health_check_path="/api/health")["containerDefinitions"]
    script = container["command"][-1]
    assert "mkdir -p /tmp/www $(dirname /tmp/www/api/health)" in script
    assert "cp /tmp/www/index.html /tmp/www/api/health" in script
