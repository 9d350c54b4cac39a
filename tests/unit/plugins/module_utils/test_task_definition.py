import copy
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from ansible_collections.bluegreen.ecs.plugins.module_utils import naming
from ansible_collections.bluegreen.ecs.plugins.module_utils.service_spec import normalize
from ansible_collections.bluegreen.ecs.plugins.module_utils.task_definition import (
    BOOTSTRAP_IMAGE,
    same_definition,
    task_definition,
    unwritable_mounts,
)

ROOT = Path(__file__).resolve().parents[4]
# The busybox image declares no VOLUME (docker-library/busybox builds it from a bare rootfs).
BUSYBOX_VOLUMES = ()

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


# --- The bootstrap placeholder on Fargate (issue 10, item 2) ------------------------------------


def test_bootstrap_placeholder_needs_no_writable_path():
    td = build(bootstrap=True)
    (container,) = td["containerDefinitions"]
    assert container["image"] == BOOTSTRAP_IMAGE
    assert (container["user"], container["readonlyRootFilesystem"]) == ("10001", True)
    # No bind mount at all: on Fargate it would be root-owned 0755, unwritable for user 10001.
    assert td["volumes"] == [] and "mountPoints" not in container
    assert unwritable_mounts(td, BUSYBOX_VOLUMES) == []
    assert container["command"][:4] == ["nc", "-ll", "-p", "8000"]
    assert "mkdir" not in container["command"][-1] and ">" not in container["command"][-1]
    assert container["healthCheck"]["command"] == [
        "CMD-SHELL",
        "wget -q -O /dev/null http://127.0.0.1:8000/health || exit 1",
    ]


def test_the_old_bootstrap_is_what_fargate_cannot_run():
    """The definition this collection used to register: a non-root busybox writing into /tmp."""
    td = build(bootstrap=True)
    td["volumes"] = [{"name": "tmp"}]
    td["containerDefinitions"][0]["mountPoints"] = [{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}]
    assert unwritable_mounts(td, BUSYBOX_VOLUMES) == [("web", "/tmp")]


def test_app_tmp_is_writable_only_through_the_images_volume():
    td = build()
    assert td["volumes"] == [{"name": "tmp"}]
    assert unwritable_mounts(td, ("/tmp",)) == []
    assert unwritable_mounts(td, ("/tmp/",)) == []
    assert unwritable_mounts(td, ()) == [("web", "/tmp")]
    assert unwritable_mounts(td, ("/var/tmp",)) == [("web", "/tmp")]


@pytest.mark.parametrize(
    ("user", "volume", "read_only", "flagged"),
    [
        ("10001:10001", {"name": "tmp"}, False, True),
        ("app", {"name": "tmp"}, False, True),
        ("0", {"name": "tmp"}, False, False),
        ("root:root", {"name": "tmp"}, False, False),
        ("", {"name": "tmp"}, False, False),
        ("10001", {"name": "tmp"}, True, False),
        ("10001", {"name": "tmp", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}, False, False),
    ],
)
def test_unwritable_mounts_only_flags_non_root_writes_to_a_bare_bind_mount(user, volume, read_only, flagged):
    td = build()
    td["volumes"] = [volume]
    container = td["containerDefinitions"][0]
    container["user"] = user
    container["mountPoints"][0]["readOnly"] = read_only
    assert unwritable_mounts(td) == ([("web", "/tmp")] if flagged else [])


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as resp:
        return resp.status, resp.read()


@pytest.mark.skipif(not shutil.which("busybox"), reason="busybox is not installed")
def test_bootstrap_command_answers_the_health_path_writing_nothing(tmp_path):
    """Run the placeholder's command with a local busybox, in an empty directory it may not write."""
    port = _free_port()
    (container,) = build(bootstrap=True, port=port, health_check_path="/api/health")["containerDefinitions"]
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for applet in ("nc", "sh", "wget", "printf"):
        (bindir / applet).symlink_to(shutil.which("busybox"))
    work = tmp_path / "work"
    work.mkdir(mode=0o555)
    env = {"PATH": str(bindir)}
    proc = subprocess.Popen(container["command"], cwd=work, env=env)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                status = _get(f"http://127.0.0.1:{port}/api/health")
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        assert status == (200, b"bootstrap\n")
        assert _get(f"http://127.0.0.1:{port}/")[0] == 200
        probe = subprocess.run(container["healthCheck"]["command"][1], shell=True, env=env, timeout=10, check=False)
        assert probe.returncode == 0
    finally:
        proc.kill()
        proc.wait()
    assert os.listdir(work) == []


# --- The health check is the spec's (issue 10, item 17) -----------------------------------------


def test_default_app_keeps_its_python_probe():
    check = build()["containerDefinitions"][0]["healthCheck"]
    assert check["command"][:3] == ["CMD", "python", "-c"]
    assert "HTTPConnection('127.0.0.1', 8000" in check["command"][3] and "'/health'" in check["command"][3]
    assert (check["interval"], check["timeout"], check["retries"], check["startPeriod"]) == (15, 5, 3, 10)


@pytest.mark.parametrize("health_check", ["none", "None", {"command": []}])
def test_no_container_health_check(health_check):
    (container,) = build(health_check=health_check)["containerDefinitions"]
    assert "healthCheck" not in container


def test_a_custom_command_and_timings_go_into_the_definition():
    check = build(health_check={"command": "curl -fsS http://127.0.0.1:8000/health", "interval": 30, "retries": 5})[
        "containerDefinitions"
    ][0]["healthCheck"]
    assert check == {
        "command": ["CMD-SHELL", "curl -fsS http://127.0.0.1:8000/health"],
        "interval": 30,
        "timeout": 5,
        "retries": 5,
        "startPeriod": 10,
    }


def test_the_placeholder_keeps_its_own_probe_whatever_the_app_uses():
    for health_check in ("none", {"command": ["CMD", "/app/healthcheck"], "start_period": 60}):
        check = build(bootstrap=True, health_check=health_check)["containerDefinitions"][0]["healthCheck"]
        assert check["command"][0] == "CMD-SHELL" and check["command"][1].startswith("wget ")
    assert check["startPeriod"] == 60


def test_a_changed_health_check_is_a_different_definition():
    assert not same_definition(build(health_check="none"), build())
    assert not same_definition(build(health_check={"interval": 30}), build())
    assert same_definition(build(health_check={"interval": 15}), build())


def test_the_site_scenarios_api_service_has_no_python_probe():
    """molecule/site's second service runs an image without Python: its definition, as rendered."""
    host_vars = yaml.safe_load((ROOT / "molecule/site/inventory/host_vars/api.yml").read_text())
    spec = normalize(host_vars["bluegreen_service"], "api")
    names = naming.service_names("local", "demo", "api")
    td = task_definition(spec, names, "repo/api:abc", "eu-west-1", EXEC, TASK)
    (container,) = td["containerDefinitions"]
    check = container["healthCheck"]
    assert check["command"][0] == "CMD-SHELL"
    assert "python" not in " ".join(check["command"])
    assert f"127.0.0.1:{spec['port']}{spec['health_check_path']}" in check["command"][1]
    assert container["portMappings"][0]["containerPort"] == spec["port"] == 9000
    assert unwritable_mounts(td, ("/tmp",)) == []
