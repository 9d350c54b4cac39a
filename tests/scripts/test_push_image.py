"""scripts/push_image.py as the README's walkthrough runs it: a fresh machine, an emulator."""

import importlib.util
import json
import os
import subprocess
import sys

import boto3
import pytest
import yaml

from emulator.server import EmulatorServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "push_image.py")
REPOSITORY = "local-demo-web"


@pytest.fixture(scope="module")
def emulator():
    server = EmulatorServer(port=0, quiet=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def repository(emulator):
    ecr = boto3.client(
        "ecr",
        endpoint_url=emulator.endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    ecr.create_repository(repositoryName=REPOSITORY, imageTagMutability="IMMUTABLE")
    yield ecr
    ecr.delete_repository(repositoryName=REPOSITORY, force=True)


def fresh_machine(home, **extra):
    """No AWS_* variable, a HOME with nothing in it (no ~/.aws): what a new user has."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "BOTO"))}
    env.update(HOME=str(home), **extra)
    return env


def push(emulator, env, *tags):
    argv = [sys.executable, SCRIPT, "--repository", REPOSITORY, "--endpoint-url", emulator.endpoint]
    for tag in tags:
        argv += ["--tag", tag]
    return subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)


def test_runs_on_a_machine_without_aws_configuration(tmp_path, emulator, repository):
    home = tmp_path / "home"
    home.mkdir()
    proc = push(emulator, fresh_machine(home), "3.0.0")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["changed"] is True
    assert [image["tag"] for image in result["images"]] == ["3.0.0"]
    found = repository.describe_images(repositoryName=REPOSITORY)["imageDetails"]
    assert [detail["imageTags"] for detail in found] == [["3.0.0"]]
    assert list(home.iterdir()) == [], "the script wrote into HOME"

    again = push(emulator, fresh_machine(home), "3.0.0")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["changed"] is False


def test_default_keys_are_the_local_inventory_ones():
    """The playbooks reach the emulator with these keys: the script lands in the same emulated account."""
    spec = importlib.util.spec_from_file_location("push_image", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    with open(os.path.join(ROOT, "inventories", "local", "group_vars", "all", "main.yml"), encoding="utf-8") as handle:
        inventory = yaml.safe_load(handle)
    assert inventory["aws_access_key"] == inventory["aws_secret_key"] == script.EMULATOR_KEY


def load_script():
    spec = importlib.util.spec_from_file_location("push_image", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


def test_recipe_follows_the_dockerfile():
    """CMD and ENV of the Dockerfile's final stage, the build args filled in; PATH (from the machine) left out."""
    recipe = load_script().recipe("4.5.6")
    assert recipe["argv"] == ["python", "-m", "app"]
    assert recipe["cwd"] == ROOT
    env = recipe["env"]
    assert (env["APP_VERSION"], env["PORT"], env["PYTHONUNBUFFERED"]) == ("4.5.6", "8000", "1")
    assert "PATH" not in env and env["GIT_COMMIT"] != ""


def test_dockerfile_parser_reads_the_final_stage_only():
    text = (
        'FROM a AS build\nENV ONLY_BUILD=1\nCMD ["no"]\n'
        'FROM b\nARG V=dev\nENV X=1 \\\n    VERSION=${V} \\\n    P=/opt:$PATH\n# comment\nCMD ["run", "it"]\n'
    )
    found = load_script().dockerfile_recipe(text, {"V": "7"})
    assert found == {"argv": ["run", "it"], "env": {"X": "1", "VERSION": "7"}}


def test_broken_versions_keep_the_app_and_change_one_thing():
    script = load_script()
    assert script.recipe("2.0.0", "version")["env"]["APP_VERSION"] == "2.0.0-wrong"
    health = script.recipe("2.0.0", "health")
    assert health["argv"] == ["python", "-m", "emulator.dataplane.broken_app", "health"]
    assert health["env"]["APP_VERSION"] == "2.0.0"


def test_pushed_manifest_carries_the_recipe(tmp_path, emulator, repository):
    home = tmp_path / "home"
    home.mkdir()
    proc = push(emulator, fresh_machine(home), "5.0.0")
    assert proc.returncode == 0, proc.stderr
    (image,) = repository.batch_get_image(repositoryName=REPOSITORY, imageIds=[{"imageTag": "5.0.0"}])["images"]
    manifest = json.loads(image["imageManifest"])
    assert manifest["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    recipe = json.loads(manifest["annotations"]["org.bluegreen.local.recipe"])
    assert recipe["argv"] == ["python", "-m", "app"] and recipe["env"]["APP_VERSION"] == "5.0.0"
